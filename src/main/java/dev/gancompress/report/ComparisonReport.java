package dev.gancompress.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.gancompress.AtomicFiles;
import dev.gancompress.metrics.QualityReport;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A comparison as a Markdown table (quality and cost side by side, cost as ratios to the teacher) and as JSON.
 * The first row is the reference (the teacher).
 */
public final class ComparisonReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ComparisonReport() {
    }

    /** The table; the ORT columns appear when any row was timed. */
    public static String markdown(List<ResultRow> rows) {
        return markdown(rows, rows.stream().anyMatch(r -> r.ort() != null));
    }

    /**
     * The table; with {@code ortColumns} it ends with "ORT images/s" and "of teacher" (the ratio to the first row's),
     * "-" for a row that was not timed.
     */
    public static String markdown(List<ResultRow> rows, boolean ortColumns) {
        QualityReport.Cost ref = rows.get(0).quality().cost();
        // image-to-image models (pix2pix) were evaluated on a paired test set: two more columns, to the targets
        boolean paired = rows.stream().allMatch(r -> r.quality().groundTruth() != null);
        StringBuilder sb = new StringBuilder();
        sb.append("| model | method | target | MACs/image | MACs ratio | params | non-zero params | FID [95% CI] | "
                + "KID x1e3 [95% CI] | precision | recall [95% CI] | PSNR to teacher (dB) | SSIM to teacher | "
                + "energy/image (uJ) | fine-tune (s) |" + (paired ? " PSNR to ground truth (dB) | SSIM to ground truth |"
                : "") + (ortColumns ? " ORT images/s | of teacher |" : "") + "\n");
        sb.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
                + (paired ? "---:|---:|" : "") + (ortColumns ? "---:|---:|" : "") + "\n");
        for (ResultRow r : rows) {
            QualityReport q = r.quality();
            QualityReport.Cost c = q.cost();
            double psnr = q.fidelity() == null ? Double.NaN : q.fidelity().psnr();
            double ssim = q.fidelity() == null ? Double.NaN : q.fidelity().ssim();
            sb.append(String.format(Locale.ROOT,
                    "| %s | %s | %s | %,d | %.3f | %,d | %,d | %s | %s | %.3f | %s | %s | %s | %.1f | %.0f |%n",
                    r.name(), r.method(), r.target(), c.macs(), (double) c.macs() / ref.macs(), c.parameters(),
                    r.nonZeroParameters(), withInterval(q.fid(), q.intervals() == null ? null : q.intervals().fid(),
                            "%.2f", 1),
                    q.intervals() == null ? String.format(Locale.ROOT, "%.2f ± %.2f (subsets)", q.kidMean() * 1e3,
                            q.kidStd() * 1e3) : withInterval(q.intervals().kidEstimate(), q.intervals().kid(), "%.2f",
                            1e3), q.precision(),
                    withInterval(q.recall(), q.intervals() == null ? null : q.intervals().recall(), "%.3f", 1),
                    Double.isInfinite(psnr) ? "inf" : String.format(Locale.ROOT, "%.2f", psnr),
                    Double.isNaN(ssim) ? "-" : String.format(Locale.ROOT, "%.3f", ssim), c.energyPj() / 1e6,
                    r.fineTuneSeconds()));
            if (paired) {
                sb.setLength(sb.length() - System.lineSeparator().length());
                sb.append(String.format(Locale.ROOT, " %.2f | %.3f |%n", q.groundTruth().psnr(),
                        q.groundTruth().ssim()));
            }
            if (ortColumns) {
                sb.setLength(sb.length() - System.lineSeparator().length());
                sb.append(r.ort() == null ? " - | - |" : String.format(Locale.ROOT, " %.0f | %.2f |",
                        r.ort().imagesPerSecond(), r.ort().ofTeacher())).append(System.lineSeparator());
            }
        }
        return sb.toString();
    }

    private static String withInterval(double v, dev.gancompress.metrics.Interval iv, String format, double scale) {
        String value = String.format(Locale.ROOT, format, v * scale);
        return iv == null ? value : value + " " + iv.format(format, scale);
    }

    public static void writeMarkdown(Path file, String title, String preamble, List<ResultRow> rows) {
        writeMarkdown(file, title, preamble, rows, rows.stream().anyMatch(r -> r.ort() != null));
    }

    public static void writeMarkdown(Path file, String title, String preamble, List<ResultRow> rows,
                                     boolean ortColumns) {
        AtomicFiles.writeString(file, "# " + title + "\n\n" + preamble + "\n\n" + markdown(rows, ortColumns));
    }

    /**
     * Everything a comparison shows a reader, under {@code dir} with the given file stem: the Markdown table,
     * the JSON rows, FID against MACs and against non-zero parameters, and one sample row per model on the same
     * latent codes.
     */
    public static void writeAll(Path dir, String stem, String title, String preamble, List<ResultRow> rows,
                                List<dev.gancompress.model.Model> models, long seed) {
        writeAll(dir, stem, title, preamble, rows, models, seed, null);
    }

    /** The same; for image-to-image models the sample rows are their outputs on {@code pairedInputs}. */
    public static void writeAll(Path dir, String stem, String title, String preamble, List<ResultRow> rows,
                                List<dev.gancompress.model.Model> models, long seed,
                                dev.gancompress.data.ImageDataset pairedInputs) {
        writeAll(dir, stem, title, preamble, rows, models, seed, pairedInputs,
                rows.stream().anyMatch(r -> r.ort() != null));
    }

    /** The same; {@code ortColumns} shows the ORT columns even when no row was timed (they are then "-"). */
    public static void writeAll(Path dir, String stem, String title, String preamble, List<ResultRow> rows,
                                List<dev.gancompress.model.Model> models, long seed,
                                dev.gancompress.data.ImageDataset pairedInputs, boolean ortColumns) {
        writeMarkdown(dir.resolve(stem + ".md"), title, preamble + "\n\n![FID vs MACs](" + stem + "-fid-macs.png) "
                + "![FID vs non-zero parameters](" + stem + "-fid-params.png)\n\nSamples (one row per model, in "
                + "table order, same latent codes): ![samples](" + stem + "-samples.png)", rows, ortColumns);
        writeJson(dir.resolve(stem + ".json"), rows);
        ParetoPlot.write(dir.resolve(stem + "-fid-macs.png"), "FID vs MACs per image (lower left is better)",
                "MACs per image (millions)", "FID (evaluator units)", rows, r -> r.quality().cost().macs() / 1e6,
                r -> r.quality().fid(), false);
        ParetoPlot.write(dir.resolve(stem + "-fid-params.png"), "FID vs non-zero parameters (lower left is better)",
                "non-zero parameters (thousands)", "FID (evaluator units)", rows, r -> r.nonZeroParameters() / 1e3,
                r -> r.quality().fid(), false);
        if (pairedInputs == null) {
            ModelGrid.write(dir.resolve(stem + "-samples.png"), models, seed, 10);
        } else {
            ModelGrid.writePaired(dir.resolve(stem + "-samples.png"), models, pairedInputs, 10);
        }
    }

    public static void writeJson(Path file, List<ResultRow> rows) {
        try {
            AtomicFiles.writeString(file, JSON.writeValueAsString(rows));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("comparison rows always serialise", e);
        }
    }
}
