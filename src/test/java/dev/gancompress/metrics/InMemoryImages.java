package dev.gancompress.metrics;

import dev.gancompress.data.ImageDataset;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** A small float image set for tests: generator samples as a "real" set, or separable synthetic classes. */
final class InMemoryImages implements ImageDataset {
    private final float[] pixels;
    private final int[] labels;
    private final int n;
    private final int c;
    private final int h;
    private final int w;
    private final int classes;

    InMemoryImages(float[] pixels, int[] labels, int n, int c, int h, int w, int classes) {
        this.pixels = pixels;
        this.labels = labels;
        this.n = n;
        this.c = c;
        this.h = h;
        this.w = w;
        this.classes = classes;
    }

    /**
     * n images of size x size in {@code classes} classes: class k is a bright horizontal bar at row 1 + 3k on a
     * dark background, plus N(0, 0.3) pixel noise drawn from the seed. Linearly separable, yet noisy.
     */
    static InMemoryImages bars(int n, int size, int classes, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] px = new float[n * size * size];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int k = i % classes;
            labels[i] = k;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double base = y == 1 + 3 * k || y == 2 + 3 * k ? 0.8 : -0.8;
                    double v = base + 0.3 * dev.gancompress.nn.Initializer.gaussian(rnd);
                    px[i * size * size + y * size + x] = (float) Math.max(-1, Math.min(1, v));
                }
            }
        }
        return new InMemoryImages(px, labels, n, 1, size, size, classes);
    }

    @Override
    public int size() {
        return n;
    }

    @Override
    public int channels() {
        return c;
    }

    @Override
    public int height() {
        return h;
    }

    @Override
    public int width() {
        return w;
    }

    @Override
    public int numClasses() {
        return classes;
    }

    @Override
    public int label(int index) {
        return labels == null ? -1 : labels[index];
    }

    @Override
    public void copyImage(int index, float[] dst, int offset) {
        System.arraycopy(pixels, index * imageSize(), dst, offset, imageSize());
    }

    @Override
    public String description() {
        return "in-memory test images (" + n + ")";
    }

    @Override
    public String contentHash() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer b = ByteBuffer.allocate(4 * pixels.length);
            b.asFloatBuffer().put(pixels);
            md.update(b.array());
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
