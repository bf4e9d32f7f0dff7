package dev.gancompress.metrics;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.gancompress.AtomicFiles;
import dev.gancompress.GanCompressException;

import java.nio.file.Path;
import java.util.Locale;

/**
 * What {@link QualityEvaluation} measured for one generator: sample quality against the real set, fidelity to
 * the teacher (when given), class accuracy (for conditional generators) and the inference cost, with enough
 * provenance (file hashes, evaluator layer, sample counts, seed) to tell whether two reports are comparable.
 *
 * @param intervals null when the evaluation skipped them (interval groups 0)
 * @param fidelity null without a teacher
 * @param conditionalAccuracy null for an unconditional generator
 * @param groundTruth for an image-to-image model, its outputs vs the targets of the same inputs (PSNR, SSIM and
 *                    feature distance as in {@link Fidelity}); null for latent generators
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record QualityReport(String model, String modelFile, String modelSha256, String teacherFile,
                            String teacherSha256, Evaluator evaluator, Reference reference, int generatedSamples,
                            long seed, double fid, double kidMean, double kidStd, int kidSubsets, int kidSubsetSize,
                            double precision, double recall, int k, QualityIntervals intervals, Fidelity fidelity, Double conditionalAccuracy,
                            Cost cost, Fidelity groundTruth) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The feature extractor: its file hash, the layer read and the test accuracy it was trained to. */
    public record Evaluator(String file, String sha256, String layer, int dimension, double testAccuracy) {
    }

    /** The real images compared against. */
    public record Reference(String dataset, String sha256, int count) {
    }

    /**
     * Student vs teacher on the same latent codes and labels: mean PSNR (dB, infinite when every image is
     * identical), mean SSIM (NaN for images smaller than the 11 x 11 window), and the mean Euclidean distance
     * of their evaluator features.
     */
    public record Fidelity(double psnr, double ssim, double featureL2) {
    }

    /** {@link CostModel} totals per image at the default options (batch 1, fp32 activations). */
    public record Cost(long parameters, long weightBytes, long weightBytesFp32, long macs, long activationBytes,
                       double bytesMoved, double energyPj, double dataMovementShare, String energySource) {
        public static Cost of(CostReport report) {
            CostReport.Totals t = report.totals();
            return new Cost(t.parameters(), t.weightBytes(), t.weightBytesFp32(), t.macs(), t.activationBytes(),
                    t.bytesMoved(), t.energy().totalPj(), t.energy().dataMovementShare(), report.energySource());
        }
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a quality report always serialises", e);
        }
    }

    public static QualityReport fromJson(String json, String origin) {
        try {
            return JSON.readValue(json, QualityReport.class);
        } catch (JsonProcessingException e) {
            throw new GanCompressException("quality report " + origin + " is not valid: " + e.getOriginalMessage(), e);
        }
    }

    /** Writes the JSON so that the file holds the old report or the new one, never a torn one. */
    public void writeJson(Path file) {
        AtomicFiles.writeString(file, toJson() + System.lineSeparator());
    }

    /** One table: provenance lines, then quality, fidelity and cost rows. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Evaluation of '%s' (%s, sha256 %s)%n", model, modelFile,
                shortHash(modelSha256)));
        if (teacherFile != null) {
            sb.append(String.format(Locale.ROOT, "  teacher    %s (sha256 %s)%n", teacherFile, shortHash(teacherSha256)));
        }
        sb.append(String.format(Locale.ROOT, "  evaluator  %s (sha256 %s), layer '%s', %d-d, test accuracy %s%n",
                evaluator.file(), shortHash(evaluator.sha256()), evaluator.layer(), evaluator.dimension(),
                Double.isNaN(evaluator.testAccuracy()) ? "unknown"
                        : String.format(Locale.ROOT, "%.4f", evaluator.testAccuracy())));
        sb.append(String.format(Locale.ROOT, "  reference  %s, %d images (sha256 %s)%n", reference.dataset(),
                reference.count(), shortHash(reference.sha256())));
        sb.append(String.format(Locale.ROOT, "  generated  %d samples, seed %d%n", generatedSamples, seed));
        String rule = "-".repeat(58) + System.lineSeparator();
        sb.append(String.format(Locale.ROOT, "%-40s %17s%n", "metric", "value")).append(rule);
        if (intervals == null) {
            row(sb, "FID", fmt(fid, "%.3f"));
            row(sb, String.format(Locale.ROOT, "KID x 1e3 (%d subsets of %d)", kidSubsets, kidSubsetSize),
                    String.format(Locale.ROOT, "%.3f +- %.3f", kidMean * 1e3, kidStd * 1e3));
            row(sb, "precision (k=" + k + ")", fmt(precision, "%.4f"));
            row(sb, "recall (k=" + k + ")", fmt(recall, "%.4f"));
        } else {
            sb.append(String.format(Locale.ROOT, "%-24s %10s  %s%n", "metric", "value", "95% interval"));
            interval(sb, "FID", fid, intervals.fid(), "%.3f", 1);
            interval(sb, "KID x 1e3 (all pairs)", intervals.kidEstimate(), intervals.kid(), "%.3f", 1e3);
            interval(sb, "precision (k=" + k + ")", precision, intervals.precision(), "%.4f", 1);
            interval(sb, "recall (k=" + k + ")", recall, intervals.recall(), "%.4f", 1);
            sb.append(String.format(Locale.ROOT, "  intervals: %s, %d groups%n", intervals.method(),
                    intervals.groups()));
        }
        if (conditionalAccuracy != null) {
            row(sb, "class accuracy of requested labels", fmt(conditionalAccuracy, "%.4f"));
        }
        if (groundTruth != null) {
            row(sb, "PSNR vs ground truth (dB)", fmt(groundTruth.psnr(), "%.2f"));
            row(sb, "SSIM vs ground truth", fmt(groundTruth.ssim(), "%.4f"));
            row(sb, "feature L2 vs ground truth", fmt(groundTruth.featureL2(), "%.4f"));
        }
        if (fidelity != null) {
            row(sb, "PSNR vs teacher (dB)", fmt(fidelity.psnr(), "%.2f"));
            row(sb, "SSIM vs teacher", fmt(fidelity.ssim(), "%.4f"));
            row(sb, "feature L2 vs teacher", fmt(fidelity.featureL2(), "%.4f"));
        }
        sb.append(rule);
        row(sb, "parameters", String.format(Locale.ROOT, "%,d", cost.parameters()));
        row(sb, "weight bytes (fp32 baseline)", String.format(Locale.ROOT, "%,d (%,d)", cost.weightBytes(),
                cost.weightBytesFp32()));
        row(sb, "MACs per image", String.format(Locale.ROOT, "%,d", cost.macs()));
        row(sb, "activation bytes per image", String.format(Locale.ROOT, "%,d", cost.activationBytes()));
        row(sb, "bytes moved per image (batch 1)", String.format(Locale.ROOT, "%,.0f", cost.bytesMoved()));
        row(sb, "energy per image (uJ)", String.format(Locale.ROOT, "%.3f", cost.energyPj() / 1e6));
        row(sb, "data-movement share of energy", String.format(Locale.ROOT, "%.1f %%", 100 * cost.dataMovementShare()));
        sb.append(String.format(Locale.ROOT, "  energy table: %s%n", cost.energySource()));
        return sb.toString();
    }

    private static void interval(StringBuilder sb, String name, double value, Interval iv, String format, double scale) {
        sb.append(String.format(Locale.ROOT, "%-24s %10s  %s%n", name, fmt(value * scale, format),
                iv.format(format, scale)));
    }

    private static void row(StringBuilder sb, String name, String value) {
        sb.append(String.format(Locale.ROOT, "%-40s %17s%n", name, value));
    }

    private static String fmt(double v, String format) {
        return Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf") : Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT,
                format, v);
    }

    private static String shortHash(String sha) {
        return sha == null || sha.length() < 12 ? String.valueOf(sha) : sha.substring(0, 12);
    }
}
