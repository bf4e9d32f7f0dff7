package dev.gancompress.report;

import dev.gancompress.AtomicFiles;
import dev.gancompress.GanCompressException;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/** Tiles a batch of NCHW images in [-1, 1] into one PNG, with a 2-pixel gutter, optionally upscaled. */
public final class ImageGrid {
    private ImageGrid() {
    }

    public static BufferedImage render(float[] images, int count, int channels, int height, int width, int columns,
                                       int scale) {
        if (channels != 1 && channels != 3) {
            throw new GanCompressException("an image grid needs 1 or 3 channels, got " + channels);
        }
        int cols = Math.max(1, Math.min(columns, count));
        int rows = (count + cols - 1) / cols;
        int gap = 2;
        int cw = width * scale + gap;
        int ch = height * scale + gap;
        BufferedImage img = new BufferedImage(cols * cw + gap, rows * ch + gap, BufferedImage.TYPE_INT_RGB);
        int plane = height * width;
        for (int i = 0; i < count; i++) {
            int ox = gap + (i % cols) * cw;
            int oy = gap + (i / cols) * ch;
            int base = i * channels * plane;
            for (int y = 0; y < height * scale; y++) {
                for (int x = 0; x < width * scale; x++) {
                    int p = (y / scale) * width + x / scale;
                    int r = toByte(images[base + p]);
                    int g = channels == 3 ? toByte(images[base + plane + p]) : r;
                    int b = channels == 3 ? toByte(images[base + 2 * plane + p]) : r;
                    img.setRGB(ox + x, oy + y, (r << 16) | (g << 8) | b);
                }
            }
        }
        return img;
    }

    private static int toByte(float v) {
        return Math.max(0, Math.min(255, Math.round((v + 1f) * 127.5f)));
    }

    public static void write(BufferedImage image, Path file) {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer available");
            }
        });
    }

    public static void write(float[] images, int count, int channels, int height, int width, int columns, int scale,
                             Path file) {
        write(render(images, count, channels, height, width, columns, scale), file);
    }
}
