package dev.gancompress.report;

import dev.gancompress.metrics.CostReport;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Bar charts of the cost model's figures (XChart): per-layer weight bytes and MACs of one model, and the energy per
 * image of several models split into compute, SRAM and DRAM (Horowitz 2014: moving a value from DRAM costs two
 * orders of magnitude more than a MAC, which is why bytes matter as much as MACs).
 */
public final class CostCharts {
    private CostCharts() {
    }

    /** The layers that hold weights or do arithmetic: the ones a compression changes. */
    static List<CostReport.LayerCost> weighted(CostReport cost) {
        return cost.layers().stream().filter(l -> l.weightBytes() > 0 || l.macs() > 0).toList();
    }

    /**
     * Weight bytes (KB) above MACs (M) per layer of one model, as one PNG. {@code maxKb} and {@code maxMacsM} fix the
     * axes, so the bars of different models of one report compare by eye.
     */
    public static byte[] layerBars(CostReport cost, String title, double maxKb, double maxMacsM) {
        List<CostReport.LayerCost> layers = weighted(cost);
        List<String> names = new ArrayList<>();
        List<Double> kb = new ArrayList<>();
        List<Double> macs = new ArrayList<>();
        for (CostReport.LayerCost l : layers) {
            names.add(l.node());
            kb.add(l.weightBytes() / 1e3);
            macs.add(l.macs() / 1e6);
        }
        if (names.isEmpty()) {
            names.add("(no weighted layer)");
            kb.add(0.0);
            macs.add(0.0);
        }
        CategoryChart bytes = bars(title + ": stored weight bytes per layer", "weight bytes (KB)", names, kb, maxKb,
                new Color(70, 110, 170), "weight KB");
        CategoryChart ops = bars(title + ": MACs per layer per image", "MACs per image (millions)", names, macs,
                maxMacsM, new Color(200, 120, 50), "MACs (M)");
        return png(stack(image(bytes), image(ops)));
    }

    private static CategoryChart bars(String title, String yLabel, List<String> names, List<Double> values, double max,
                                      Color color, String series) {
        CategoryChart chart = new CategoryChartBuilder().width(640).height(300).title(title).yAxisTitle(yLabel).build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisLabelRotation(names.size() > 6 ? 45 : 0);
        chart.getStyler().setYAxisMin(0.0);
        if (max > 0) {
            chart.getStyler().setYAxisMax(max);
        }
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        chart.addSeries(series, names, values).setFillColor(color);
        return chart;
    }

    /** Energy per image (uJ) of each model, stacked: compute, SRAM, DRAM; one bar per model, in report order. */
    public static byte[] energySplit(List<ReportEntry> entries) {
        List<String> names = new ArrayList<>();
        List<Double> compute = new ArrayList<>();
        List<Double> sram = new ArrayList<>();
        List<Double> dram = new ArrayList<>();
        for (ReportEntry e : entries) {
            CostReport.Energy en = e.cost().totals().energy();
            names.add(e.name());
            compute.add(en.computePj() / 1e6);
            sram.add(en.sramPj() / 1e6);
            dram.add(en.dramPj() / 1e6);
        }
        CategoryChart chart = new CategoryChartBuilder().width(1000).height(Math.max(450, 300 + 8 * names.size()))
                .title("Energy per image: compute vs data movement (45 nm table)").yAxisTitle("energy per image (uJ)")
                .build();
        chart.getStyler().setStacked(true);
        chart.getStyler().setXAxisLabelRotation(names.size() > 5 ? 60 : 0);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        chart.addSeries("compute (MACs)", names, compute).setFillColor(new Color(90, 150, 90));
        chart.addSeries("SRAM (on-chip moves)", names, sram).setFillColor(new Color(240, 180, 60));
        chart.addSeries("DRAM (weights and activations)", names, dram).setFillColor(new Color(190, 70, 60));
        return png(image(chart));
    }

    private static BufferedImage image(Chart<?, ?> chart) {
        return BitmapEncoder.getBufferedImage(chart);
    }

    private static BufferedImage stack(BufferedImage top, BufferedImage bottom) {
        BufferedImage out = new BufferedImage(Math.max(top.getWidth(), bottom.getWidth()),
                top.getHeight() + bottom.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.drawImage(top, 0, 0, null);
        g.drawImage(bottom, 0, top.getHeight(), null);
        g.dispose();
        return out;
    }

    static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!javax.imageio.ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer available");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a chart as PNG", e);
        }
        return out.toByteArray();
    }
}
