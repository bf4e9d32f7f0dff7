package dev.gancompress.data;

import dev.gancompress.GanCompressException;
import dev.gancompress.nn.Parallel;

import javax.imageio.ImageIO;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Loads a folder of PNG or JPEG images, either flat (unlabelled) or with one sub-folder per class
 * (the ImageFolder layout of torchvision: class index = position of the sub-folder name in sorted
 * order). Files are read in sorted name order so the image indices never depend on the file system.
 * Each image is converted to 1 channel (ITU-R BT.601 luma) or 3 (RGB), alpha is composited over black,
 * and it is resized to the requested size (see {@link Resampling}) before it is stored as bytes.
 */
public final class ImageFolderDataset {
    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg");

    private ImageFolderDataset() {
    }

    /** Loads and resizes every image to channels x height x width. */
    public static ImageDataset load(Path dir, int channels, int height, int width) {
        return load(dir, channels, height, width, false);
    }

    /**
     * @param requireExactSize if true, an image of another size is an error instead of being resized
     */
    public static ImageDataset load(Path dir, int channels, int height, int width, boolean requireExactSize) {
        if (channels != 1 && channels != 3) {
            throw new GanCompressException("image folder " + dir + ": channels must be 1 or 3, got " + channels);
        }
        if (height <= 0 || width <= 0) {
            throw new GanCompressException("image folder " + dir + ": size must be positive, got "
                    + height + "x" + width);
        }
        if (!Files.isDirectory(dir)) {
            throw new GanCompressException("image folder " + dir + ": not a directory");
        }
        List<Path> files = new ArrayList<>();
        List<Integer> labelList = new ArrayList<>();
        List<String> classNames = new ArrayList<>();
        List<Path> topImages = images(dir);
        List<Path> classDirs = subdirectories(dir);
        if (!topImages.isEmpty() && !classDirs.isEmpty()) {
            throw new GanCompressException("image folder " + dir + ": mixes images (" + topImages.get(0).getFileName()
                    + ") with class sub-folders (" + classDirs.get(0).getFileName()
                    + "); expected either only images or only one sub-folder per class");
        }
        if (classDirs.isEmpty()) {
            files.addAll(topImages);
        } else {
            for (Path classDir : classDirs) {
                List<Path> classImages = images(classDir);
                if (classImages.isEmpty()) {
                    throw new GanCompressException("image folder " + dir + ": class folder " + classDir.getFileName()
                            + " has no PNG/JPEG images");
                }
                for (Path f : classImages) {
                    files.add(f);
                    labelList.add(classNames.size());
                }
                classNames.add(classDir.getFileName().toString());
            }
        }
        if (files.isEmpty()) {
            throw new GanCompressException("image folder " + dir + ": no PNG/JPEG images found");
        }
        int imageSize = channels * height * width;
        if ((long) files.size() * imageSize > Integer.MAX_VALUE - 8) {
            throw new GanCompressException("image folder " + dir + ": " + files.size() + " images of "
                    + channels + "x" + height + "x" + width + " exceed the 2 GiB one byte array can hold");
        }
        byte[] pixels = new byte[files.size() * imageSize];
        GanCompressException[] errors = new GanCompressException[files.size()];
        // Each chunk stops at its first bad file; the lowest-index error is then the first bad file overall,
        // so the reported error does not depend on the thread count.
        Parallel.forRange(files.size(), (start, end) -> {
            for (int i = start; i < end; i++) {
                try {
                    decodeInto(files.get(i), channels, height, width, requireExactSize, pixels, i * imageSize);
                } catch (GanCompressException e) {
                    errors[i] = e;
                    return;
                }
            }
        });
        for (GanCompressException e : errors) {
            if (e != null) {
                throw e;
            }
        }
        int[] labels = classNames.isEmpty() ? null : labelList.stream().mapToInt(Integer::intValue).toArray();
        String description = "image folder " + dir + " (" + files.size() + " images"
                + (classNames.isEmpty() ? ", unlabelled" : ", " + classNames.size() + " classes")
                + ", as " + channels + "x" + height + "x" + width + ")";
        return new ByteImageDataset(pixels, labels, channels, height, width, classNames, description);
    }

    /** Decodes a PNG or JPEG, failing with the file's name. */
    static BufferedImage read(Path file) {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new GanCompressException("cannot decode image " + file + ": " + e.getMessage(), e);
        }
        if (img == null) {
            throw new GanCompressException("cannot decode image " + file + ": not a PNG or JPEG that ImageIO can read");
        }
        return img;
    }

    private static void decodeInto(Path file, int channels, int height, int width, boolean exact,
                                   byte[] dst, int offset) {
        BufferedImage img = read(file);
        int h0 = img.getHeight();
        int w0 = img.getWidth();
        if (exact && (h0 != height || w0 != width)) {
            throw new GanCompressException("image " + file + " is " + h0 + "x" + w0 + ", expected "
                    + height + "x" + width + " (height x width)");
        }
        float[] planes = toPlanes(img, channels);
        if (h0 != height || w0 != width) {
            Resampling resampling = new Resampling(h0, w0, height, width);
            float[] resized = new float[channels * height * width];
            resampling.resize(planes, 0, resized, 0, channels, new float[resampling.scratchSize()]);
            planes = resized;
        }
        for (int i = 0; i < planes.length; i++) {
            dst[offset + i] = (byte) Math.round(Math.min(255f, Math.max(0f, planes[i])));
        }
    }

    /**
     * Converts to CHW float planes with values in [0, 255]. Grey images are read from the raster: their
     * getRGB goes through a linear-grey to sRGB conversion that brightens them (JDK-5051418).
     */
    static float[] toPlanes(BufferedImage img, int channels) {
        int h = img.getHeight();
        int w = img.getWidth();
        int plane = h * w;
        float[] out = new float[channels * plane];
        ColorModel cm = img.getColorModel();
        if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            Raster raster = img.getRaster();
            float grayScale = 255f / ((1 << cm.getComponentSize(0)) - 1);
            float alphaScale = cm.hasAlpha() ? 1f / ((1 << cm.getComponentSize(1)) - 1) : 0f;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float v = raster.getSample(x, y, 0) * grayScale;
                    if (cm.hasAlpha()) {
                        v *= raster.getSample(x, y, 1) * alphaScale;
                    }
                    for (int c = 0; c < channels; c++) {
                        out[c * plane + y * w + x] = v;
                    }
                }
            }
            return out;
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = img.getRGB(x, y);
                float a = (argb >>> 24) / 255f;
                float r = ((argb >> 16) & 0xff) * a;
                float g = ((argb >> 8) & 0xff) * a;
                float b = (argb & 0xff) * a;
                int p = y * w + x;
                if (channels == 1) {
                    out[p] = 0.299f * r + 0.587f * g + 0.114f * b;
                } else {
                    out[p] = r;
                    out[plane + p] = g;
                    out[2 * plane + p] = b;
                }
            }
        }
        return out;
    }

    static List<Path> images(Path dir) {
        return list(dir).stream().filter(Files::isRegularFile).filter(ImageFolderDataset::isImageName).toList();
    }

    static List<Path> subdirectories(Path dir) {
        return list(dir).stream().filter(Files::isDirectory).toList();
    }

    /** Non-hidden entries, sorted by name. */
    private static List<Path> list(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new GanCompressException("image folder " + dir + ": cannot list: " + e.getMessage(), e);
        }
    }

    private static boolean isImageName(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(name::endsWith);
    }
}
