package dev.gancompress.report;

import dev.gancompress.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Quality against cost, one series per method, as a PNG (XChart). Lower-left is better when the quality axis is
 * a distance such as FID.
 */
public final class ParetoPlot {
    private ParetoPlot() {
    }

    public static void write(Path file, String title, String xLabel, String yLabel, List<ResultRow> rows,
                             ToDoubleFunction<ResultRow> x, ToDoubleFunction<ResultRow> y, boolean logX) {
        XYChart chart = new XYChartBuilder().width(900).height(600).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setMarkerSize(9);
        Map<String, List<ResultRow>> byMethod = new LinkedHashMap<>();
        for (ResultRow r : rows) {
            byMethod.computeIfAbsent(r.method(), k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<ResultRow>> e : byMethod.entrySet()) {
            List<ResultRow> list = new ArrayList<>(e.getValue());
            list.sort((a, b) -> Double.compare(x.applyAsDouble(a), x.applyAsDouble(b)));
            double[] xs = list.stream().mapToDouble(x).toArray();
            double[] ys = list.stream().mapToDouble(y).toArray();
            XYSeries s = chart.addSeries(e.getKey(), xs, ys);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        AtomicFiles.write(file, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }
}
