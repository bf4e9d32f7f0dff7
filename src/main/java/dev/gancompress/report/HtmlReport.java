package dev.gancompress.report;

import dev.gancompress.AtomicFiles;
import dev.gancompress.GanCompressException;
import dev.gancompress.metrics.CostReport;
import dev.gancompress.metrics.Interval;
import dev.gancompress.metrics.QualityReport;
import dev.gancompress.model.Model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * A comparison as one self-contained HTML file (every figure a base64 data URI; no script, style sheet or image from
 * anywhere else, so it opens offline and can be mailed) and a Markdown summary beside it. Sections, each with a
 * fixed id: {@code verdict} (does a combined recipe beat the single families), {@code results} (the table),
 * {@code pareto} (FID vs bytes, MACs and latency, frontier marked), {@code samples} (every model on the same latent
 * codes), {@code layers} (per-layer bytes and MACs), {@code energy} (compute vs data movement) and
 * {@code provenance} (each model file's metadata).
 */
public final class HtmlReport {
    /** The section ids, in page order; a test checks that the rendered page has every one. */
    public static final List<String> SECTIONS = List.of("verdict", "results", "pareto", "samples", "layers", "energy",
            "provenance");

    /**
     * What a report shows.
     *
     * @param entries the models, the reference (teacher) first
     * @param models  the same models in the same order, sampled for the image grid on the same latent codes
     * @param seed    the seed of those latent codes
     * @param notes   sentences on how the numbers were made (budgets, sample counts, timing conditions)
     */
    public record Document(String title, String notes, List<ReportEntry> entries, List<Model> models, long seed) {
        public Document {
            if (entries == null || entries.isEmpty()) {
                throw new GanCompressException("a report needs at least one evaluated model");
            }
            if (models == null || models.size() != entries.size()) {
                throw new GanCompressException("report '" + title + "': " + (models == null ? 0 : models.size())
                        + " models for " + entries.size() + " entries");
            }
            Set<String> names = new HashSet<>();
            for (ReportEntry e : entries) {
                if (!names.add(e.name())) {
                    throw new GanCompressException("report '" + title + "': two models named " + e.name());
                }
            }
            entries = List.copyOf(entries);
            models = List.copyOf(models);
            notes = notes == null ? "" : notes;
        }
    }

    private HtmlReport() {
    }

    /** Writes {@code <dir>/<stem>.html}, {@code <stem>.md} and {@code <stem>-fid-bytes.png}, each atomically. */
    public static void write(Path dir, String stem, Document doc) {
        Figures f = Figures.of(doc);
        AtomicFiles.writeBytes(dir.resolve(stem + "-fid-bytes.png"), f.fidBytes);
        AtomicFiles.writeString(dir.resolve(stem + ".md"), markdown(doc, stem));
        AtomicFiles.writeString(dir.resolve(stem + ".html"), html(doc, f));
    }

    /** The page as a string. */
    public static String html(Document doc) {
        return html(doc, Figures.of(doc));
    }

    /** Every figure of a report, rendered once, as PNG bytes. */
    private record Figures(byte[] fidBytes, byte[] fidMacs, byte[] fidLatency, byte[] samples, List<byte[]> layers,
                           byte[] energy) {
        static Figures of(Document doc) {
            List<ReportEntry> all = doc.entries();
            List<ReportEntry> timed = all.stream().filter(e -> e.imagesPerSecond() > 0).toList();
            double maxKb = 0;
            double maxMacs = 0;
            for (ReportEntry e : all) {
                for (CostReport.LayerCost l : CostCharts.weighted(e.cost())) {
                    maxKb = Math.max(maxKb, l.weightBytes() / 1e3);
                    maxMacs = Math.max(maxMacs, l.macs() / 1e6);
                }
            }
            List<byte[]> layers = new ArrayList<>();
            for (ReportEntry e : all) {
                layers.add(CostCharts.layerBars(e.cost(), e.name(), maxKb * 1.05, maxMacs * 1.05));
            }
            List<String> labels = all.stream().map(ReportEntry::name).toList();
            return new Figures(
                    pareto(all, "FID vs bytes on disk", "model file size (KB)", e -> e.bytesOnDisk() / 1e3),
                    pareto(all, "FID vs MACs per image", "MACs per image (millions)", e -> e.quality().cost().macs() / 1e6),
                    timed.isEmpty() ? null : pareto(timed, "FID vs measured latency", "milliseconds per image (ONNX "
                            + "Runtime)", ReportEntry::millisecondsPerImage),
                    CostCharts.png(ModelGrid.render(doc.models(), labels, doc.seed(), 10)), layers,
                    CostCharts.energySplit(all));
        }
    }

    private static byte[] pareto(List<ReportEntry> entries, String title, String xLabel,
                                 ToDoubleFunction<ReportEntry> x) {
        List<ParetoPlot.Point> points = entries.stream().map(e -> new ParetoPlot.Point(e.name(), e.method(),
                x.applyAsDouble(e), e.quality().fid())).toList();
        return ParetoPlot.png(title + " (lower left is better; frontier dashed, its models named)", xLabel,
                "FID (evaluator units)", points, false);
    }

    /** Names of the models on the frontier of FID against {@code x}, cheapest first. */
    static List<String> frontier(List<ReportEntry> entries, ToDoubleFunction<ReportEntry> x) {
        List<ParetoPlot.Point> points = entries.stream().map(e -> new ParetoPlot.Point(e.name(), e.method(),
                x.applyAsDouble(e), e.quality().fid())).toList();
        return ParetoPlot.frontier(points).stream().map(ParetoPlot.Point::name).toList();
    }

    private static String html(Document doc, Figures f) {
        List<ReportEntry> entries = doc.entries();
        StringBuilder h = new StringBuilder(1 << 20);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>").append(esc(doc.title()))
                .append("</title>\n<style>\n").append(CSS).append("</style></head>\n<body>\n<h1>")
                .append(esc(doc.title())).append("</h1>\n");
        if (!doc.notes().isEmpty()) {
            h.append("<p class=\"notes\">").append(esc(doc.notes())).append("</p>\n");
        }
        h.append("<nav>");
        for (String s : SECTIONS) {
            h.append("<a href=\"#").append(s).append("\">").append(s).append("</a> ");
        }
        h.append("</nav>\n");

        h.append("<section id=\"verdict\"><h2>Combined vs single-family recipes</h2>\n<p>")
                .append(esc(CombinedRecipes.sentence(entries))).append("</p></section>\n");

        List<String> bytesFront = frontier(entries, e -> e.bytesOnDisk());
        h.append("<section id=\"results\"><h2>Results</h2>\n<p>Ratios are to the first row (")
                .append(esc(entries.get(0).name())).append("). &#9733; marks the models on the FID vs bytes "
                        + "frontier. Energy and bytes moved are per image at batch 1 (cost model).</p>\n<table>\n<tr>");
        for (String c : COLUMNS) {
            h.append("<th>").append(esc(c)).append("</th>");
        }
        h.append("</tr>\n");
        for (List<String> row : rows(entries, bytesFront)) {
            h.append("<tr>");
            for (int i = 0; i < row.size(); i++) {
                h.append(i < 3 ? "<td>" : "<td class=\"n\">").append(esc(row.get(i))).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table></section>\n");

        h.append("<section id=\"pareto\"><h2>Pareto plots</h2>\n");
        figure(h, f.fidBytes(), "FID vs bytes on disk", "frontier: " + String.join(", ", bytesFront));
        figure(h, f.fidMacs(), "FID vs MACs", "frontier: "
                + String.join(", ", frontier(entries, e -> e.quality().cost().macs())));
        if (f.fidLatency() == null) {
            h.append("<p>FID vs latency: no model's speed was measured.</p>\n");
        } else {
            figure(h, f.fidLatency(), "FID vs latency", "frontier: " + String.join(", ", frontier(
                    entries.stream().filter(e -> e.imagesPerSecond() > 0).toList(), ReportEntry::millisecondsPerImage)));
        }
        h.append("</section>\n");

        h.append("<section id=\"samples\"><h2>Samples on the same latent codes</h2>\n");
        figure(h, f.samples(), "samples, one row per model", "one row per model in table order, the same 10 latent "
                + "codes (seed " + doc.seed() + ") in every row: differences are the models', not the codes'");
        h.append("</section>\n");

        h.append("<section id=\"layers\"><h2>Per-layer weight bytes and MACs</h2>\n<p>Layers that hold weights or "
                + "compute; the axes are the same for every model.</p>\n<div class=\"grid\">\n");
        for (int i = 0; i < entries.size(); i++) {
            figure(h, f.layers().get(i), "per-layer cost of " + entries.get(i).name(), entries.get(i).name());
        }
        h.append("</div></section>\n");

        h.append("<section id=\"energy\"><h2>Energy: compute vs data movement</h2>\n");
        figure(h, f.energy(), "energy split per model", "energy per image at batch 1, "
                + entries.get(0).cost().energySource());
        h.append("<table>\n<tr><th>model</th><th>compute (uJ)</th><th>SRAM (uJ)</th><th>DRAM (uJ)</th>"
                + "<th>data movement share</th></tr>\n");
        for (ReportEntry e : entries) {
            CostReport.Energy en = e.cost().totals().energy();
            h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td class=\"n\">%.3f</td><td class=\"n\">%.3f</td>"
                            + "<td class=\"n\">%.3f</td><td class=\"n\">%.1f %%</td></tr>%n", esc(e.name()),
                    en.computePj() / 1e6, en.sramPj() / 1e6, en.dramPj() / 1e6, 100 * en.dataMovementShare()));
        }
        h.append("</table></section>\n");

        h.append("<section id=\"provenance\"><h2>Provenance</h2>\n");
        for (ReportEntry e : entries) {
            QualityReport q = e.quality();
            h.append("<details><summary>").append(esc(e.name())).append("</summary>\n<table class=\"prov\">\n");
            Map<String, String> all = new TreeMap<>(e.provenance());
            all.put("(evaluated file)", q.modelFile() + " sha256 " + q.modelSha256());
            all.put("(evaluation)", String.format(Locale.ROOT, "%d samples, seed %d, evaluator %s sha256 %s, layer %s; "
                    + "reference %s (%d images)", q.generatedSamples(), q.seed(), q.evaluator().file(),
                    q.evaluator().sha256(), q.evaluator().layer(), q.reference().dataset(), q.reference().count()));
            for (Map.Entry<String, String> m : all.entrySet()) {
                h.append("<tr><th>").append(esc(m.getKey())).append("</th><td><code>").append(esc(m.getValue()))
                        .append("</code></td></tr>\n");
            }
            h.append("</table></details>\n");
        }
        h.append("</section>\n</body></html>\n");
        return h.toString();
    }

    private static void figure(StringBuilder h, byte[] png, String alt, String caption) {
        h.append("<figure><img alt=\"").append(esc(alt)).append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(png)).append("\"><figcaption>").append(esc(caption))
                .append("</figcaption></figure>\n");
    }

    private static final List<String> COLUMNS = List.of("model", "method", "parameters", "FID [95% CI]",
            "KID x1e3 [95% CI]", "precision", "recall", "PSNR to teacher (dB)", "SSIM to teacher", "params",
            "bytes on disk", "compression ratio", "MACs/image (M)", "bytes moved/image (KB)", "energy/image (uJ)",
            "images/s (ORT)");

    /** The results table as cells (shared by the HTML and the Markdown). */
    static List<List<String>> rows(List<ReportEntry> entries, List<String> bytesFront) {
        long refBytes = entries.get(0).bytesOnDisk();
        List<List<String>> rows = new ArrayList<>();
        for (ReportEntry e : entries) {
            QualityReport q = e.quality();
            QualityReport.Cost c = q.cost();
            double psnr = q.fidelity() == null ? Double.NaN : q.fidelity().psnr();
            double ssim = q.fidelity() == null ? Double.NaN : q.fidelity().ssim();
            rows.add(List.of(
                    e.name() + (bytesFront.contains(e.name()) ? " \u2605" : ""), e.method(), e.parameters(),
                    withInterval(q.fid(), q.intervals() == null ? null : q.intervals().fid(), "%.3f", 1),
                    q.intervals() == null ? fmt("%.2f", q.kidMean() * 1e3)
                            : withInterval(q.intervals().kidEstimate(), q.intervals().kid(), "%.2f", 1e3),
                    fmt("%.3f", q.precision()),
                    withInterval(q.recall(), q.intervals() == null ? null : q.intervals().recall(), "%.3f", 1),
                    Double.isInfinite(psnr) ? "inf" : fmt("%.2f", psnr), fmt("%.3f", ssim),
                    String.format(Locale.ROOT, "%,d", c.parameters()),
                    String.format(Locale.ROOT, "%,d", e.bytesOnDisk()),
                    e.bytesOnDisk() > 0 ? fmt("%.2fx", (double) refBytes / e.bytesOnDisk()) : "-",
                    fmt("%.2f", c.macs() / 1e6), fmt("%.1f", c.bytesMoved() / 1e3), fmt("%.3f", c.energyPj() / 1e6),
                    e.imagesPerSecond() > 0 ? fmt("%.0f", e.imagesPerSecond()) : "-"));
        }
        return rows;
    }

    /** The Markdown summary: the verdict, the table, the frontiers, and where the full report is. */
    static String markdown(Document doc, String stem) {
        List<ReportEntry> entries = doc.entries();
        List<String> bytesFront = frontier(entries, e -> e.bytesOnDisk());
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(doc.title()).append("\n\n");
        if (!doc.notes().isEmpty()) {
            sb.append(doc.notes()).append("\n\n");
        }
        sb.append(CombinedRecipes.sentence(entries)).append("\n\n");
        sb.append("|");
        COLUMNS.forEach(c -> sb.append(' ').append(c).append(" |"));
        sb.append("\n|---|---|---|");
        sb.append("---:|".repeat(COLUMNS.size() - 3)).append('\n');
        for (List<String> row : rows(entries, bytesFront)) {
            sb.append("|");
            row.forEach(c -> sb.append(' ').append(c.replace("|", "\\|")).append(" |"));
            sb.append('\n');
        }
        sb.append("\n\u2605: on the FID vs bytes-on-disk frontier.\n\n");
        sb.append("Frontier of FID vs bytes on disk: ").append(String.join(", ", bytesFront)).append("  \n");
        sb.append("Frontier of FID vs MACs: ").append(String.join(", ",
                frontier(entries, e -> e.quality().cost().macs()))).append("  \n");
        List<ReportEntry> timed = entries.stream().filter(e -> e.imagesPerSecond() > 0).toList();
        sb.append("Frontier of FID vs measured latency: ").append(timed.isEmpty() ? "(not measured)"
                : String.join(", ", frontier(timed, ReportEntry::millisecondsPerImage))).append("\n\n");
        sb.append("![FID vs bytes on disk](").append(stem).append("-fid-bytes.png)\n\n");
        sb.append("The full report (plots, samples, per-layer cost, energy split, provenance): [").append(stem)
                .append(".html](").append(stem).append(".html)\n");
        return sb.toString();
    }

    private static String withInterval(double v, Interval iv, String format, double scale) {
        String value = fmt(format, v * scale);
        return iv == null ? value : value + " " + iv.format(format, scale);
    }

    private static String fmt(String format, double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v);
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static final String CSS = """
            body { font-family: sans-serif; margin: 1.5em; color: #222; max-width: 1400px; }
            nav a { margin-right: 0.8em; }
            table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0 1em; }
            th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; vertical-align: top; }
            th { background: #f2f2f2; text-align: left; }
            td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
            figure { margin: 0.5em 0 1.5em; }
            figure img { max-width: 100%; border: 1px solid #ddd; }
            figcaption { font-size: 0.85em; color: #555; }
            .grid { display: flex; flex-wrap: wrap; gap: 1em; }
            .grid figure { width: 640px; }
            table.prov td code { white-space: pre-wrap; word-break: break-all; }
            p.notes { max-width: 70em; }
            """;
}
