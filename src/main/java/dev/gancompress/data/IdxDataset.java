package dev.gancompress.data;

import dev.gancompress.GanCompressException;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;

/**
 * Loads the IDX format of LeCun's MNIST distribution (http://yann.lecun.com/exdb/mnist/), also used by
 * Fashion-MNIST: a big-endian header (magic 0x0000TTDD with type TT and DD dimensions, then one int32
 * per dimension) followed by the values. Only unsigned-byte images [n, height, width] and unsigned-byte
 * labels [n] are accepted. Either file may be gzipped; that is detected from its first two bytes.
 */
public final class IdxDataset {
    /** Magic for unsigned bytes (type 0x08) in 3 dimensions: images [n, height, width]. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic for unsigned bytes (type 0x08) in 1 dimension: labels [n]. */
    public static final int LABELS_MAGIC = 0x00000801;

    private IdxDataset() {
    }

    /** Loads images and, if {@code labelsOrNull} is given, their labels; numClasses = max label + 1. */
    public static ImageDataset load(Path images, Path labelsOrNull) {
        return load(images, labelsOrNull, images.getFileName().toString(), List.of());
    }

    /**
     * @param name       leads the description: "name (60000 images from path)"
     * @param classNames if not empty, the known classes: every label must index it; if empty, the
     *                   classes are named "0" .. max label
     */
    public static ImageDataset load(Path images, Path labelsOrNull, String name, List<String> classNames) {
        Pixels px = readImages(images);
        int[] labels = null;
        List<String> names = List.of();
        if (labelsOrNull != null) {
            labels = readLabels(labelsOrNull, px.count(), images);
            if (classNames.isEmpty()) {
                int max = IntStream.of(labels).max().orElse(-1);
                names = IntStream.rangeClosed(0, max).mapToObj(Integer::toString).toList();
            } else {
                for (int i = 0; i < labels.length; i++) {
                    if (labels[i] >= classNames.size()) {
                        throw new GanCompressException(labelsOrNull + ": label " + labels[i] + " at index " + i
                                + " is out of range, expected a class in [0, " + classNames.size() + ")");
                    }
                }
                names = classNames;
            }
        }
        String description = name + " (" + px.count() + " images from " + images
                + (labelsOrNull == null ? ", unlabelled" : "") + ")";
        return new ByteImageDataset(px.bytes(), labels, 1, px.height(), px.width(), names, description);
    }

    private record Pixels(byte[] bytes, int count, int height, int width) {
    }

    private static Pixels readImages(Path file) {
        try (InputStream in = open(file)) {
            int magic = readHeaderInt(in, file, "magic");
            if (magic != IMAGES_MAGIC) {
                throw new GanCompressException(String.format(
                        "%s: expected IDX magic 0x%08x (ubyte, 3 dims) for images, found 0x%08x",
                        file, IMAGES_MAGIC, magic));
            }
            int n = readDimension(in, file, "image count");
            int h = readDimension(in, file, "height");
            int w = readDimension(in, file, "width");
            long total = (long) n * h * w;
            if (total > Integer.MAX_VALUE - 8) {
                throw new GanCompressException(file + ": " + n + " images of " + h + "x" + w
                        + " exceed the 2 GiB that one byte array can hold");
            }
            byte[] bytes = readBody(in, file, (int) total, "pixel");
            return new Pixels(bytes, n, h, w);
        } catch (IOException e) {
            throw readError(file, e);
        }
    }

    private static int[] readLabels(Path file, int imageCount, Path images) {
        try (InputStream in = open(file)) {
            int magic = readHeaderInt(in, file, "magic");
            if (magic != LABELS_MAGIC) {
                throw new GanCompressException(String.format(
                        "%s: expected IDX magic 0x%08x (ubyte, 1 dim) for labels, found 0x%08x",
                        file, LABELS_MAGIC, magic));
            }
            int n = readDimension(in, file, "label count");
            if (n != imageCount) {
                throw new GanCompressException(file + ": label count is " + n + " but " + images
                        + " has " + imageCount + " images");
            }
            byte[] bytes = readBody(in, file, n, "label");
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = bytes[i] & 0xff;
            }
            return labels;
        } catch (IOException e) {
            throw readError(file, e);
        }
    }

    /** Opens the file, unwrapping gzip when it starts with the gzip magic 0x1f 0x8b (RFC 1952). */
    static InputStream open(Path file) throws IOException {
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        }
        return in;
    }

    private static int readHeaderInt(InputStream in, Path file, String field) throws IOException {
        byte[] b = new byte[4];
        int got = readUpTo(in, b, 0, 4);
        if (got < 4) {
            throw new GanCompressException(file + ": file ends inside the IDX header, reading the " + field);
        }
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    private static int readDimension(InputStream in, Path file, String field) throws IOException {
        int v = readHeaderInt(in, file, field);
        if (v <= 0) {
            throw new GanCompressException(file + ": IDX header " + field + " is " + v + ", expected a positive size");
        }
        return v;
    }

    /** Reads exactly {@code count} bytes and checks that nothing follows them. */
    private static byte[] readBody(InputStream in, Path file, int count, String what) throws IOException {
        byte[] bytes = new byte[count];
        int got = readUpTo(in, bytes, 0, count);
        if (got < count) {
            throw new GanCompressException(file + ": expected " + count + " " + what
                    + " bytes after the header, file ends after " + got);
        }
        if (in.read() != -1) {
            throw new GanCompressException(file + ": file has extra bytes after the " + count + " " + what
                    + " bytes the header declares");
        }
        return bytes;
    }

    /** Like readNBytes, but a gzip stream cut short counts as the end of the data rather than an error. */
    private static int readUpTo(InputStream in, byte[] b, int off, int len) throws IOException {
        int total = 0;
        try {
            while (total < len) {
                int r = in.read(b, off + total, len - total);
                if (r < 0) {
                    break;
                }
                total += r;
            }
        } catch (EOFException e) {
            // GZIPInputStream reports a truncated member as EOFException; the count tells the user more.
        }
        return total;
    }

    private static GanCompressException readError(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new GanCompressException(file + ": file not found", e);
        }
        return new GanCompressException(file + ": cannot read IDX file: " + e.getMessage(), e);
    }
}
