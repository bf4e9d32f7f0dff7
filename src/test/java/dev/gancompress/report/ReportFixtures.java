package dev.gancompress.report;

import dev.gancompress.metrics.CostModel;
import dev.gancompress.metrics.CostReport;
import dev.gancompress.metrics.QualityReport;

import java.util.List;
import java.util.Map;

/** Report entries with chosen bytes and FID, for tests of what a report concludes from them. */
final class ReportFixtures {
    private ReportFixtures() {
    }

    static ReportEntry entry(String name, List<String> families, long bytes, double fid) {
        return entry(name, families, bytes, fid, Double.NaN);
    }

    static ReportEntry entry(String name, List<String> families, long bytes, double fid, double imagesPerSecond) {
        CostReport.Energy energy = new CostReport.Energy(1e6, 2e6, 3e6);
        CostReport.LayerCost layer = new CostReport.LayerCost("conv", "Conv2d", List.of(1, 28, 28), bytes / 4, 1_000_000,
                bytes, 3136, 5000, false, energy);
        CostReport cost = new CostReport(name, 1, CostModel.ActivationPrecision.FP32, "test table", List.of(layer),
                new CostReport.Totals(bytes / 4, bytes, bytes, 1_000_000, 3136, 3136, 5000, energy));
        QualityReport q = new QualityReport(name, name + ".onnx", "0".repeat(64), null, null,
                new QualityReport.Evaluator("e.onnx", "1".repeat(64), "features", 128, 0.9),
                new QualityReport.Reference("test", "2".repeat(64), 100), 100, 1, fid, 0.01, 0.001, 10, 50, 0.8, 0.7, 3,
                null, null, null, QualityReport.Cost.of(cost), null);
        return new ReportEntry(name, families.isEmpty() ? "teacher" : String.join("+", families), "", families, q,
                cost, bytes, imagesPerSecond, Map.of("recipe", "{}"));
    }
}
