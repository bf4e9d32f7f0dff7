package dev.gancompress.data;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * An in-memory set of 8-bit images, one byte per pixel and channel in NCHW order. A byte maps to
 * {@code b / 127.5 - 1}, so 0 is -1 (black) and 255 is +1 (white). The IDX and image-folder loaders
 * both produce this; at one byte per value Fashion-MNIST train takes 47 MB instead of 188 MB as floats.
 */
public final class ByteImageDataset implements ImageDataset {
    /** LEVELS[b] = b / 127.5 - 1, looked up rather than recomputed so every reader gets the same floats. */
    private static final float[] LEVELS = new float[256];

    static {
        for (int b = 0; b < 256; b++) {
            LEVELS[b] = b / 127.5f - 1f;
        }
    }

    private final byte[] pixels;
    private final int[] labels;
    private final int channels;
    private final int height;
    private final int width;
    private final int numClasses;
    private final List<String> classNames;
    private final String description;
    private volatile String contentHash;

    /**
     * @param pixels     size * channels * height * width bytes, NCHW; kept, not copied
     * @param labels     one class per image in [0, classNames.size()), or null if unlabelled; kept
     * @param classNames class names, empty if unlabelled
     */
    public ByteImageDataset(byte[] pixels, int[] labels, int channels, int height, int width,
                            List<String> classNames, String description) {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("bad image shape " + channels + "x" + height + "x" + width);
        }
        int imageSize = channels * height * width;
        if (pixels.length % imageSize != 0) {
            throw new IllegalArgumentException(pixels.length + " pixel bytes is not a multiple of " + imageSize);
        }
        int n = pixels.length / imageSize;
        if (labels != null) {
            if (labels.length != n) {
                throw new IllegalArgumentException(labels.length + " labels for " + n + " images");
            }
            for (int i = 0; i < n; i++) {
                if (labels[i] < 0 || labels[i] >= classNames.size()) {
                    throw new IllegalArgumentException("label " + labels[i] + " at index " + i
                            + " outside [0, " + classNames.size() + ")");
                }
            }
        } else if (!classNames.isEmpty()) {
            throw new IllegalArgumentException("class names given for an unlabelled set");
        }
        this.pixels = pixels;
        this.labels = labels;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.numClasses = labels == null ? 0 : classNames.size();
        this.classNames = List.copyOf(classNames);
        this.description = Objects.requireNonNull(description);
    }

    @Override
    public int size() {
        return pixels.length / imageSize();
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public int label(int index) {
        Objects.checkIndex(index, size());
        return labels == null ? -1 : labels[index];
    }

    @Override
    public void copyImage(int index, float[] dst, int offset) {
        int imageSize = imageSize();
        Objects.checkIndex(index, size());
        Objects.checkFromIndexSize(offset, imageSize, dst.length);
        int src = index * imageSize;
        for (int i = 0; i < imageSize; i++) {
            dst[offset + i] = LEVELS[pixels[src + i] & 0xff];
        }
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    /**
     * Hashes channels, height, width and size as big-endian int32, then the pixel bytes, then (if
     * labelled) each label as a big-endian int32; the shape prefix keeps a reshaped copy of the same
     * bytes from colliding with the original.
     */
    @Override
    public String contentHash() {
        String hash = contentHash;
        if (hash == null) {
            MessageDigest sha = dev.gancompress.Digests.sha256();
            sha.update(ByteBuffer.allocate(16).putInt(channels).putInt(height).putInt(width).putInt(size()).array());
            sha.update(pixels);
            if (labels != null) {
                ByteBuffer buf = ByteBuffer.allocate(labels.length * 4);
                for (int label : labels) {
                    buf.putInt(label);
                }
                sha.update(buf.array());
            }
            hash = HexFormat.of().formatHex(sha.digest());
            contentHash = hash;
        }
        return hash;
    }

    @Override
    public String toString() {
        return description;
    }
}
