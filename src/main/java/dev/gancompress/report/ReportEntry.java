package dev.gancompress.report;

import dev.gancompress.GanCompressException;
import dev.gancompress.metrics.CostReport;
import dev.gancompress.metrics.QualityReport;

import java.util.List;
import java.util.Map;

/**
 * One evaluated model of an HTML report: what made it, what it measured, what it costs per layer, and where it came
 * from. The first entry of a report is the reference (the teacher) that ratios are taken against.
 *
 * @param name            the model's name in every table, plot and grid row
 * @param method          the series it is plotted in (a method, or the families of a sweep trial)
 * @param parameters      what a sweep varied for this model ("ratio=0.5, bits=4"), empty otherwise
 * @param families        the compression families of its recipe's techniques (prune, distill, lowrank, quantize,
 *                        encode), empty for the teacher and the uncompressed control: one family makes a
 *                        single-family recipe, two or more a combined one
 * @param quality         FID, KID, precision/recall, fidelity and cost totals
 * @param cost            per-layer cost (bytes, MACs, energy split) of the same model
 * @param bytesOnDisk     size of its model file
 * @param imagesPerSecond measured ONNX Runtime images/s, NaN when not measured
 * @param provenance      the model file's metadata: recipe, seeds, input hashes, tool version, command
 */
public record ReportEntry(String name, String method, String parameters, List<String> families, QualityReport quality,
                          CostReport cost, long bytesOnDisk, double imagesPerSecond, Map<String, String> provenance) {
    public ReportEntry {
        if (name == null || name.isBlank()) {
            throw new GanCompressException("a report entry needs a name");
        }
        if (quality == null || cost == null) {
            throw new GanCompressException("report entry " + name + " has no quality or cost measurement");
        }
        parameters = parameters == null ? "" : parameters;
        families = List.copyOf(families);
        provenance = Map.copyOf(provenance);
    }

    /** Milliseconds per image at the measured throughput; NaN when not measured. */
    public double millisecondsPerImage() {
        return imagesPerSecond > 0 ? 1000 / imagesPerSecond : Double.NaN;
    }

    public boolean combined() {
        return families.size() > 1;
    }

    public boolean singleFamily() {
        return families.size() == 1;
    }
}
