package dev.gancompress.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.gancompress.AtomicFiles;
import dev.gancompress.metrics.Interval;
import dev.gancompress.metrics.QualityReport;
import dev.gancompress.model.Model;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Quality next to deployment cost: FID with its interval, fidelity to the teacher, bytes on disk, MACs and ONNX
 * Runtime images/s with the ratio to the teacher (the first row), as Markdown and JSON, with FID against bytes on
 * disk and against MACs as Pareto plots and one sample row per model. The full quality and IR-cost table
 * ({@link ComparisonReport#markdown}) follows the main one.
 */
public final class DeploymentReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DeploymentReport() {
    }

    public static String markdown(List<DeploymentRow> rows) {
        DeploymentRow ref = rows.get(0);
        StringBuilder sb = new StringBuilder();
        sb.append("| model | method | FID [95% CI] | KID x1e3 [95% CI] | precision | recall | PSNR to teacher (dB) | "
                + "SSIM to teacher | bytes on disk | of teacher | MACs/image (M) | MACs ratio | params | "
                + "ORT images/s | of teacher |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (DeploymentRow d : rows) {
            QualityReport q = d.result().quality();
            QualityReport.Cost c = q.cost();
            double psnr = q.fidelity() == null ? Double.NaN : q.fidelity().psnr();
            double ssim = q.fidelity() == null ? Double.NaN : q.fidelity().ssim();
            sb.append(String.format(Locale.ROOT,
                    "| %s | %s | %s | %s | %.3f | %s | %s | %s | %,d | %.3f | %.2f | %.3f | %,d | %.0f | %.2f |%n",
                    d.name(), d.result().method(), withInterval(q.fid(), fidInterval(q), "%.2f", 1),
                    q.intervals() == null ? String.format(Locale.ROOT, "%.2f", q.kidMean() * 1e3)
                            : withInterval(q.intervals().kidEstimate(), q.intervals().kid(), "%.2f", 1e3),
                    q.precision(), withInterval(q.recall(), q.intervals() == null ? null : q.intervals().recall(),
                            "%.3f", 1),
                    Double.isInfinite(psnr) ? "inf" : Double.isNaN(psnr) ? "-" : String.format(Locale.ROOT, "%.2f", psnr),
                    Double.isNaN(ssim) ? "-" : String.format(Locale.ROOT, "%.3f", ssim), d.bytesOnDisk(),
                    (double) d.bytesOnDisk() / ref.bytesOnDisk(), c.macs() / 1e6,
                    (double) c.macs() / ref.result().quality().cost().macs(), c.parameters(), d.imagesPerSecond(),
                    d.speedup()));
        }
        return sb.toString();
    }

    /**
     * Whether {@code candidate} reaches the speed-up {@code minSpeedup} over the reference with its FID inside the
     * reference's 95% interval, as one sentence naming both numbers.
     */
    public static String goal(List<DeploymentRow> rows, String candidate, double minSpeedup) {
        DeploymentRow ref = rows.get(0);
        DeploymentRow c = rows.stream().filter(r -> r.name().equals(candidate)).findFirst().orElse(null);
        if (c == null) {
            return "Goal: no row " + candidate + ".";
        }
        Interval iv = fidInterval(ref.result().quality());
        double fid = c.result().quality().fid();
        boolean fast = c.speedup() >= minSpeedup;
        boolean close = iv != null && fid >= iv.low() && fid <= iv.high();
        return String.format(Locale.ROOT, "Goal (%s at >= %.1fx the teacher's ORT images/s with FID inside the "
                        + "teacher's 95%% interval): %s. Speed ratio %.2fx (%s); FID %.2f vs the teacher's %s (%s).",
                candidate, minSpeedup, fast && close ? "met" : "not met", c.speedup(), fast ? "reached" : "not reached",
                fid, iv == null ? "(no interval)" : iv.format("%.2f", 1), close ? "inside" : "outside");
    }

    /**
     * Writes {@code <stem>.md}, {@code <stem>.json}, {@code <stem>-fid-bytes.png}, {@code <stem>-fid-macs.png} and
     * {@code <stem>-samples.png} under {@code dir}; {@code models} in row order, for the sample grid.
     */
    public static void writeAll(Path dir, String stem, String title, String preamble, List<DeploymentRow> rows,
                                List<Model> models, long seed) {
        String md = "# " + title + "\n\n" + preamble + "\n\n" + markdown(rows) + "\n![FID vs bytes on disk](" + stem
                + "-fid-bytes.png) ![FID vs MACs](" + stem + "-fid-macs.png)\n\nSamples (one row per model, in table "
                + "order, same latent codes): ![samples](" + stem + "-samples.png)\n\n## All metrics\n\n"
                + ComparisonReport.markdown(rows.stream().map(DeploymentRow::result).toList());
        AtomicFiles.writeString(dir.resolve(stem + ".md"), md);
        try {
            AtomicFiles.writeString(dir.resolve(stem + ".json"), JSON.writeValueAsString(rows));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("deployment rows always serialise", e);
        }
        Map<String, DeploymentRow> byName = rows.stream().collect(Collectors.toMap(DeploymentRow::name,
                Function.identity()));
        List<ResultRow> results = rows.stream().map(DeploymentRow::result).toList();
        ParetoPlot.write(dir.resolve(stem + "-fid-bytes.png"), "FID vs bytes on disk (lower left is better)",
                "ONNX file size (MB)", "FID (evaluator units)", results,
                r -> byName.get(r.name()).bytesOnDisk() / 1e6, r -> r.quality().fid(), false);
        ParetoPlot.write(dir.resolve(stem + "-fid-macs.png"), "FID vs MACs per image (lower left is better)",
                "MACs per image (millions)", "FID (evaluator units)", results, r -> r.quality().cost().macs() / 1e6,
                r -> r.quality().fid(), false);
        ModelGrid.write(dir.resolve(stem + "-samples.png"), models, rows.stream().map(DeploymentRow::name).toList(),
                seed, 10);
    }

    private static Interval fidInterval(QualityReport q) {
        return q.intervals() == null ? null : q.intervals().fid();
    }

    private static String withInterval(double v, Interval iv, String format, double scale) {
        String value = String.format(Locale.ROOT, format, v * scale);
        return iv == null ? value : value + " " + iv.format(format, scale);
    }
}
