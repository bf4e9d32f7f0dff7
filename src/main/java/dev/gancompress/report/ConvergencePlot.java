package dev.gancompress.report;

import dev.gancompress.AtomicFiles;
import dev.gancompress.metrics.ConvergenceMonitor.EpochQuality;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * A training run's quality per epoch: FID (top) and recall (bottom), each with its 95% interval as a dashed
 * band, and the chosen (lowest-FID) epoch marked. One PNG, so a reader sees at a glance where it flattened.
 */
public final class ConvergencePlot {
    private ConvergencePlot() {
    }

    public static void write(Path file, String title, List<EpochQuality> epochs) {
        write(file, title, epochs, -1);
    }

    /** {@code plateauEpoch} (>= 1) marks where the learning-rate cool-down began; -1 for none. */
    public static void write(Path file, String title, List<EpochQuality> epochs, int plateauEpoch) {
        if (epochs.isEmpty()) {
            return;
        }
        EpochQuality best = epochs.get(0);
        for (EpochQuality q : epochs) {
            if (q.fid() < best.fid()) {
                best = q;
            }
        }
        XYChart fid = panel(title + ": FID per epoch (evaluator units, lower is better)", "FID", epochs,
                EpochQuality::fid, q -> new double[] {q.fidInterval().low(), q.fidInterval().high()}, best, plateauEpoch,
                org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        XYChart recall = panel("recall per epoch (higher is better)", "recall", epochs, EpochQuality::recall,
                q -> new double[] {q.recallInterval().low(), q.recallInterval().high()}, best, plateauEpoch,
                org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        BufferedImage top = BitmapEncoder.getBufferedImage(fid);
        BufferedImage bottom = BitmapEncoder.getBufferedImage(recall);
        BufferedImage both = new BufferedImage(top.getWidth(), top.getHeight() + bottom.getHeight(),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = both.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, both.getWidth(), both.getHeight());
        g.drawImage(top, 0, 0, null);
        g.drawImage(bottom, 0, top.getHeight(), null);
        g.dispose();
        AtomicFiles.write(file, out -> ImageIO.write(both, "png", out));
    }

    private static XYChart panel(String title, String yLabel, List<EpochQuality> epochs,
                                 ToDoubleFunction<EpochQuality> value, Function<EpochQuality, double[]> interval,
                                 EpochQuality best, int plateauEpoch, org.knowm.xchart.style.Styler.LegendPosition legend) {
        XYChart chart = new XYChartBuilder().width(900).height(420).title(title).xAxisTitle("epoch")
                .yAxisTitle(yLabel).build();
        chart.getStyler().setMarkerSize(7);
        // FID falls and recall rises during training: each legend sits in the corner its curve leaves empty
        chart.getStyler().setLegendPosition(legend);
        double[] x = epochs.stream().mapToDouble(EpochQuality::epoch).toArray();
        double[] y = epochs.stream().mapToDouble(value).toArray();
        double[] low = epochs.stream().mapToDouble(q -> interval.apply(q)[0]).toArray();
        double[] high = epochs.stream().mapToDouble(q -> interval.apply(q)[1]).toArray();
        XYSeries s = chart.addSeries(yLabel, x, y);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineColor(new Color(31, 119, 180));
        s.setMarkerColor(new Color(31, 119, 180));
        for (double[] band : new double[][] {low, high}) {
            XYSeries b = chart.addSeries(band == low ? "95% interval" : "95% interval ", x, band);
            b.setMarker(SeriesMarkers.NONE);
            b.setLineStyle(SeriesLines.DASH_DASH);
            b.setLineColor(new Color(120, 160, 200));
            b.setShowInLegend(band == low);
        }
        if (plateauEpoch >= 1) {
            double bottom = java.util.Arrays.stream(low).min().orElse(0);
            double top = java.util.Arrays.stream(high).max().orElse(1);
            XYSeries line = chart.addSeries("learning rate decays after epoch " + plateauEpoch,
                    new double[] {plateauEpoch, plateauEpoch}, new double[] {bottom, top});
            line.setMarker(SeriesMarkers.NONE);
            line.setLineStyle(SeriesLines.DOT_DOT);
            line.setLineColor(Color.GRAY);
        }
        XYSeries chosen = chart.addSeries("chosen: epoch " + best.epoch(), new double[] {best.epoch()},
                new double[] {value.applyAsDouble(best)});
        chosen.setMarker(SeriesMarkers.DIAMOND);
        chosen.setMarkerColor(new Color(214, 39, 40));
        chosen.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        return chart;
    }
}
