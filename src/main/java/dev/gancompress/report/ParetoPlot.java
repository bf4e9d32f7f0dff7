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

    /** One model on a plot: its name, the series (method or family) it belongs to, and its coordinates. */
    public record Point(String name, String series, double x, double y) {
    }

    public static void write(Path file, String title, String xLabel, String yLabel, List<ResultRow> rows,
                             ToDoubleFunction<ResultRow> x, ToDoubleFunction<ResultRow> y, boolean logX) {
        List<Point> points = rows.stream().map(r -> new Point(r.name(), r.method(), x.applyAsDouble(r),
                y.applyAsDouble(r))).toList();
        XYChart chart = chart(title, xLabel, yLabel, points, logX, true);
        AtomicFiles.write(file, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }

    /**
     * The plot as PNG bytes, for embedding; {@code logX} also turns on by itself when x spans more than a decade. The
     * models are points, not lines: a sweep's trials of one series are not a curve.
     */
    public static byte[] png(String title, String xLabel, String yLabel, List<Point> points, boolean logX) {
        double minX = points.stream().mapToDouble(Point::x).filter(v -> v > 0).min().orElse(1);
        double maxX = points.stream().mapToDouble(Point::x).max().orElse(1);
        try {
            return BitmapEncoder.getBitmapBytes(chart(title, xLabel, yLabel, points, logX || maxX / minX > 10, false),
                    BitmapEncoder.BitmapFormat.PNG);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot encode the plot '" + title + "'", e);
        }
    }

    /** @param connect whether each series is drawn as a line through its points by increasing x */
    static XYChart chart(String title, String xLabel, String yLabel, List<Point> points, boolean logX,
                         boolean connect) {
        XYChart chart = new XYChartBuilder().width(1000).height(650).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        chart.getStyler().setXAxisLogarithmic(logX);
        double minY = points.stream().mapToDouble(Point::y).filter(v -> v > 0).min().orElse(1);
        double maxY = points.stream().mapToDouble(Point::y).max().orElse(1);
        chart.getStyler().setYAxisLogarithmic(maxY / minY > 10);
        // a log axis spanning less than two decades gets its 2..9 ticks labelled too, not one lonely "10"
        chart.getStyler().setYAxisLogarithmicDecadeOnly(maxY / minY > 100);
        double minX = points.stream().mapToDouble(Point::x).filter(v -> v > 0).min().orElse(1);
        double maxX = points.stream().mapToDouble(Point::x).max().orElse(1);
        chart.getStyler().setXAxisLogarithmicDecadeOnly(maxX / minX > 100);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setMarkerSize(9);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        chart.getStyler().setAnnotationTextFontColor(Color.DARK_GRAY);
        Map<String, List<Point>> bySeries = new LinkedHashMap<>();
        for (Point p : points) {
            bySeries.computeIfAbsent(p.series(), k -> new ArrayList<>()).add(p);
        }
        for (Map.Entry<String, List<Point>> e : bySeries.entrySet()) {
            List<Point> list = new ArrayList<>(e.getValue());
            list.sort(Comparator.comparingDouble(Point::x));
            XYSeries s = chart.addSeries(e.getKey(), list.stream().mapToDouble(Point::x).toArray(),
                    list.stream().mapToDouble(Point::y).toArray());
            s.setMarker(SeriesMarkers.CIRCLE);
            if (!connect) {
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            }
        }
        List<Point> frontier = frontier(points);
        XYSeries f = chart.addSeries("Pareto frontier", frontier.stream().mapToDouble(Point::x).toArray(),
                frontier.stream().mapToDouble(Point::y).toArray());
        // a hollow-looking diamond over each frontier model's own marker, so the frontier reads without the legend
        f.setMarker(SeriesMarkers.DIAMOND);
        f.setMarkerColor(new Color(0, 0, 0, 90));
        f.setLineStyle(SeriesLines.DASH_DASH);
        f.setLineColor(Color.GRAY);
        for (Point p : frontier) {
            chart.addAnnotation(new AnnotationText(p.name(), p.x(), p.y(), false));
        }
        return chart;
    }

    /** Points that no other point beats in both cost and quality (lower is better in both), by increasing cost. */
    static List<Point> frontier(List<Point> points) {
        List<double[]> xy = points.stream().map(p -> new double[] {p.x(), p.y()}).toList();
        List<Point> frontier = new ArrayList<>();
        for (int i : ParetoFront.indices(xy)) {
            frontier.add(points.get(i));
        }
        frontier.sort(Comparator.comparingDouble(Point::x).thenComparingDouble(Point::y));
        return frontier;
    }
}
