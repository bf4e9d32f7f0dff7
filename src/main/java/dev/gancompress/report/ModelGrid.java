package dev.gancompress.report;

import dev.gancompress.model.Model;
import dev.gancompress.runtime.GeneratorSampler;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * Samples of several generators on the same latent codes, one row per model, so differences are the models'
 * and not the codes'.
 */
public final class ModelGrid {
    private ModelGrid() {
    }

    public static void write(Path file, List<Model> models, long seed, int perRow) {
        ImageGrid.write(render(models, seed, perRow), file);
    }

    /**
     * Image-to-image generators (pix2pix) on the same first {@code perRow} input images: the first row shows the
     * inputs, then one row per model.
     */
    public static void writePaired(Path file, List<Model> models, dev.gancompress.data.ImageDataset inputs,
                                   int perRow) {
        int[] shape = models.get(0).outputShape().dims();
        int sample = shape[0] * shape[1] * shape[2];
        int count = Math.min(perRow, inputs.size());
        if (inputs.channels() != shape[0] || inputs.height() != shape[1] || inputs.width() != shape[2]) {
            throw new IllegalArgumentException("inputs of " + inputs.description() + " and outputs "
                    + models.get(0).outputShape() + " differ in shape; the grid needs one image shape");
        }
        float[] all = new float[(models.size() + 1) * count * sample];
        for (int i = 0; i < count; i++) {
            inputs.copyImage(i, all, i * sample);
        }
        for (int m = 0; m < models.size(); m++) {
            dev.gancompress.runtime.PairedSampler sampler = new dev.gancompress.runtime.PairedSampler(models.get(m),
                    inputs, models.get(m).outputShape());
            float[] images = new float[count * sample];
            sampler.generate(0, count, count, images);
            System.arraycopy(images, 0, all, (m + 1) * count * sample, count * sample);
        }
        ImageGrid.write(ImageGrid.render(all, (models.size() + 1) * count, shape[0], shape[1], shape[2], count, 2),
                file);
    }

    /** The same with each row named on its left (the model's name in the report's table). */
    public static void write(Path file, List<Model> models, List<String> labels, long seed, int perRow) {
        ImageGrid.write(render(models, labels, seed, perRow), file);
    }

    /** The labelled grid as an image, for embedding in a report. */
    public static BufferedImage render(List<Model> models, List<String> labels, long seed, int perRow) {
        if (labels.size() != models.size()) {
            throw new IllegalArgumentException(labels.size() + " labels for " + models.size() + " models");
        }
        BufferedImage grid = render(models, seed, perRow);
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        // wide enough for the longest label (a sweep's trial names are long), at least the old fixed 130 px
        Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        int widest = labels.stream().mapToInt(l -> probe.getFontMetrics(font).stringWidth(l)).max().orElse(0);
        probe.dispose();
        int margin = Math.max(130, widest + 12);
        BufferedImage out = new BufferedImage(grid.getWidth() + margin, grid.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, margin, grid.getHeight());
        g.drawImage(grid, margin, 0, null);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.BLACK);
        g.setFont(font);
        int rowHeight = (grid.getHeight() - 2) / models.size();
        for (int m = 0; m < labels.size(); m++) {
            g.drawString(labels.get(m), 4, 2 + m * rowHeight + rowHeight / 2 + 5);
        }
        g.dispose();
        return out;
    }

    private static BufferedImage render(List<Model> models, long seed, int perRow) {
        int[] shape = models.get(0).outputShape().dims();
        int sample = shape[0] * shape[1] * shape[2];
        float[] all = new float[models.size() * perRow * sample];
        for (int m = 0; m < models.size(); m++) {
            float[] images = new GeneratorSampler(models.get(m)).generate(seed, perRow, perRow);
            System.arraycopy(images, 0, all, m * perRow * sample, perRow * sample);
        }
        return ImageGrid.render(all, models.size() * perRow, shape[0], shape[1], shape[2], perRow, 2);
    }
}
