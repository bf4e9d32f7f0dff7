package dev.gancompress.report;

import dev.gancompress.AtomicFiles;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Quality against cost, one series per method, as a PNG (XChart). Lower-left is better when the quality axis is
 * a distance such as FID. The Pareto frontier (no other model is both cheaper and better) is drawn as a dashed
 * line with its models named, and the quality axis turns logarithmic when the values span more than a decade,
 * so that one collapsed student does not flatten every other point onto the axis.
 */
public final class ParetoPlot {
    private ParetoPlot() {
    }

    public static void write(Path file, String title, String xLabel, String yLabel, List<ResultRow> rows,
                             ToDoubleFunction<ResultRow> x, ToDoubleFunction<ResultRow> y, boolean logX) {
        XYChart chart = new XYChartBuilder().width(1000).height(650).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        chart.getStyler().setXAxisLogarithmic(logX);
        double minY = rows.stream().mapToDouble(y).filter(v -> v > 0).min().orElse(1);
        double maxY = rows.stream().mapToDouble(y).max().orElse(1);
        chart.getStyler().setYAxisLogarithmic(maxY / minY > 10);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setMarkerSize(9);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        chart.getStyler().setAnnotationTextFontColor(Color.DARK_GRAY);
        Map<String, List<ResultRow>> byMethod = new LinkedHashMap<>();
        for (ResultRow r : rows) {
            byMethod.computeIfAbsent(r.method(), k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<ResultRow>> e : byMethod.entrySet()) {
            List<ResultRow> list = new ArrayList<>(e.getValue());
            list.sort(Comparator.comparingDouble(x));
            XYSeries s = chart.addSeries(e.getKey(), list.stream().mapToDouble(x).toArray(),
                    list.stream().mapToDouble(y).toArray());
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        List<ResultRow> frontier = frontier(rows, x, y);
        XYSeries f = chart.addSeries("Pareto frontier", frontier.stream().mapToDouble(x).toArray(),
                frontier.stream().mapToDouble(y).toArray());
        f.setMarker(SeriesMarkers.NONE);
        f.setLineStyle(SeriesLines.DASH_DASH);
        f.setLineColor(Color.GRAY);
        for (ResultRow r : frontier) {
            chart.addAnnotation(new AnnotationText(r.name(), x.applyAsDouble(r), y.applyAsDouble(r), false));
        }
        AtomicFiles.write(file, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }

    /** Rows that no other row beats in both cost and quality (lower is better in both), by increasing cost. */
    static List<ResultRow> frontier(List<ResultRow> rows, ToDoubleFunction<ResultRow> x, ToDoubleFunction<ResultRow> y) {
        List<ResultRow> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingDouble(x).thenComparingDouble(y));
        List<ResultRow> frontier = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        for (ResultRow r : sorted) {
            if (y.applyAsDouble(r) < best) {
                frontier.add(r);
                best = y.applyAsDouble(r);
            }
        }
        return frontier;
    }
}
