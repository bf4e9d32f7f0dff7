package dev.gancompress.report;

import dev.gancompress.AtomicFiles;
import dev.gancompress.pipeline.BudgetCurves.Point;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The budget curves as read by people: per MACs fraction one plot of FID against fine-tuning steps (log-log), one
 * line per method through the mean over seeds, each point's bar spanning the union of the seeds' 95% intervals,
 * the teacher's FID and the goal (+10% at 1/4, +25% at 1/8) as dashed lines; and one Markdown table of each
 * method's best budget.
 */
public final class BudgetReport {
    private BudgetReport() {
    }

    /** Mean over seeds of one method at one budget, with the envelope of the seeds' intervals. */
    public record Summary(String method, long steps, List<Long> seeds, double fid, double fidLow, double fidHigh,
                          double recall, double psnr, double macsRatio) {
    }

    /** The summaries of one fraction, by method then steps. */
    public static Map<String, List<Summary>> summaries(List<Point> points, double fraction) {
        Map<String, Map<Long, List<Point>>> groups = new LinkedHashMap<>();
        for (Point p : points) {
            if (Math.abs(p.fraction() - fraction) < 1e-9) {
                groups.computeIfAbsent(p.method(), k -> new TreeMap<>()).computeIfAbsent(p.steps(),
                        k -> new ArrayList<>()).add(p);
            }
        }
        Map<String, List<Summary>> out = new LinkedHashMap<>();
        groups.forEach((method, bySteps) -> out.put(method, bySteps.entrySet().stream().map(e -> {
            List<Point> ps = e.getValue();
            return new Summary(method, e.getKey(), ps.stream().map(Point::seed).sorted().toList(),
                    mean(ps, Point::fid), ps.stream().mapToDouble(Point::fidLow).min().orElse(Double.NaN),
                    ps.stream().mapToDouble(Point::fidHigh).max().orElse(Double.NaN), mean(ps, Point::recall),
                    mean(ps, Point::psnr), mean(ps, Point::macsRatio));
        }).toList()));
        return out;
    }

    private static double mean(List<Point> ps, java.util.function.ToDoubleFunction<Point> f) {
        return ps.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    /** Writes {@code <dir>/budget-1ofN.png} per fraction and {@code <dir>/budget-curves.md}; returns the Markdown. */
    public static String writeAll(Path dir, List<Point> points, List<Double> fractions, String preamble) {
        Point teacher = points.stream().filter(p -> p.method().equals("teacher")).findFirst().orElse(null);
        StringBuilder md = new StringBuilder("# Budget curves\n\n").append(preamble).append("\n\n");
        if (teacher != null) {
            md.append(String.format(Locale.ROOT, "Teacher: FID %.3f [%.3f, %.3f], recall %.3f.%n%n", teacher.fid(),
                    teacher.fidLow(), teacher.fidHigh(), teacher.recall()));
        }
        md.append("| MACs | method | best steps | FID, mean over seeds [union of 95% intervals] | FID / teacher "
                + "| recall | PSNR to teacher (dB) | seeds | mean FID at each budget (steps: FID) |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---|---|\n");
        for (double f : fractions) {
            String tag = String.format(Locale.ROOT, "1/%d", Math.round(1 / f));
            Map<String, List<Summary>> byMethod = summaries(points, f);
            for (List<Summary> curve : byMethod.values()) {
                Summary best = curve.stream().min(Comparator.comparingDouble(Summary::fid)).orElseThrow();
                String all = curve.stream().map(x -> String.format(Locale.ROOT, "%d: %.3f", x.steps(), x.fid()))
                        .collect(Collectors.joining(", "));
                md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.3f [%.3f, %.3f] | %s | %.3f | %.2f | %s | %s |%n",
                        tag, best.method(), best.steps(), best.fid(), best.fidLow(), best.fidHigh(),
                        teacher == null ? "" : String.format(Locale.ROOT, "%.2fx", best.fid() / teacher.fid()),
                        best.recall(), best.psnr(), best.seeds(), all));
            }
            if (!byMethod.isEmpty()) {
                plot(dir.resolve(String.format(Locale.ROOT, "budget-1of%d.png", Math.round(1 / f))), tag, f, byMethod,
                        teacher);
            }
        }
        String text = md.toString();
        AtomicFiles.writeString(dir.resolve("budget-curves.md"), text);
        return text;
    }

    private static final Color[] COLORS = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
            new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194),
            new Color(127, 127, 127), new Color(188, 189, 34), new Color(23, 190, 207)};

    private static void plot(Path file, String tag, double fraction, Map<String, List<Summary>> byMethod,
                             Point teacher) {
        XYChart chart = new XYChartBuilder().width(1000).height(600)
                .title("Students at " + tag + " of the teacher's MACs: FID vs fine-tuning steps")
                .xAxisTitle("fine-tuning steps (batch 64, log scale)")
                .yAxisTitle("FID, mean over seeds (bars: union of 95% intervals; log scale)")
                .build();
        org.knowm.xchart.style.XYStyler st = chart.getStyler();
        st.setXAxisLogarithmic(true);
        st.setYAxisLogarithmic(true);
        st.setLegendPosition(Styler.LegendPosition.OutsideE);
        st.setMarkerSize(8);
        st.setErrorBarsColorSeriesColor(true);
        chart.getStyler().setYAxisDecimalPattern("0.###");
        chart.getStyler().setXAxisDecimalPattern("#,###");
        long minSteps = Long.MAX_VALUE;
        long maxSteps = 0;
        int i = 0;
        for (List<Summary> curve : byMethod.values()) {
            double[] x = curve.stream().mapToDouble(Summary::steps).toArray();
            double[] y = curve.stream().mapToDouble(Summary::fid).toArray();
            // XChart draws symmetric bars: the larger side of the envelope, so the bar never hides its extent
            double[] err = curve.stream().mapToDouble(s -> Math.max(s.fid() - s.fidLow(), s.fidHigh() - s.fid()))
                    .map(e -> Double.isFinite(e) ? e : 0).toArray();
            for (int k = 0; k < err.length; k++) {
                err[k] = Math.min(err[k], y[k] * 0.999);
            }
            XYSeries s = chart.addSeries(curve.get(0).method(), x, y, err);
            Color c = COLORS[i++ % COLORS.length];
            s.setLineColor(c);
            s.setMarkerColor(c);
            s.setMarker(SeriesMarkers.CIRCLE);
            minSteps = Math.min(minSteps, curve.get(0).steps());
            maxSteps = Math.max(maxSteps, curve.get(curve.size() - 1).steps());
        }
        if (teacher != null && maxSteps > 0) {
            // a single budget would make the reference lines zero-wide: widen them around it
            double[] x = minSteps == maxSteps ? new double[] {minSteps / 1.5, maxSteps * 1.5}
                    : new double[] {minSteps, maxSteps};
            addLine(chart, "teacher FID", x, teacher.fid(), Color.BLACK);
            double goal = fraction <= 0.125 + 1e-9 ? 1.25 : 1.10;
            addLine(chart, String.format(Locale.ROOT, "goal: teacher +%d%%", Math.round((goal - 1) * 100)), x,
                    teacher.fid() * goal, Color.GRAY);
        }
        AtomicFiles.write(file, out -> ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", out));
    }

    private static void addLine(XYChart chart, String name, double[] x, double y, Color c) {
        XYSeries s = chart.addSeries(name, x, new double[] {y, y});
        s.setLineStyle(SeriesLines.DASH_DASH);
        s.setLineColor(c);
        s.setMarker(SeriesMarkers.NONE);
    }
}
