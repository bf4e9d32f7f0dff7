package dev.gancompress.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Binary edge maps by the Sobel operator (Sobel and Feldman 1968) with a fixed threshold, and the paired
 * "edges -> image" task built from them: the edges2shoes idea of pix2pix (Isola et al. 2017, who drew edges with
 * HED) on Fashion-MNIST, small enough to train on two cores.
 *
 * <p>Deterministic by construction: the gradients are computed in integers on the 8-bit pixels and compared
 * with the squared threshold, so the same images give the same bytes on every machine and JVM (no floating point,
 * no seed). Pixels outside the image repeat the edge pixel, so the border itself is not an edge.
 */
public final class EdgeMaps {
    /**
     * Squared-gradient threshold of the task: an edge where gx^2 + gy^2 > 200^2 on 0..255 pixels (the Sobel
     * magnitude of a full black-to-white step is 1020): garment outlines and strong folds, not cloth texture.
     */
    public static final int FASHION_THRESHOLD = 200;
    public static final int IMAGE_SIZE = 32;
    public static final String EDGES_FASHION_MNIST = "edges-fashion-mnist";
    public static final String EDGES_FASHION_MNIST_TEST = "edges-fashion-mnist-test";

    private EdgeMaps() {
    }

    /** The training pairs: Fashion-MNIST train padded to 32x32 as targets, their edge maps as inputs. */
    public static PairedDataset fashionTrain(Path dataDirOrNull) {
        return edgesToImage(Datasets.padded(FashionMnist.train(dataDirOrNull), IMAGE_SIZE, IMAGE_SIZE),
                FASHION_THRESHOLD, EDGES_FASHION_MNIST);
    }

    /** The 10,000 test pairs, built the same way from the test split. */
    public static PairedDataset fashionTest(Path dataDirOrNull) {
        return edgesToImage(Datasets.padded(FashionMnist.test(dataDirOrNull), IMAGE_SIZE, IMAGE_SIZE),
                FASHION_THRESHOLD, EDGES_FASHION_MNIST_TEST);
    }

    /** Pairs (edge map of image i, image i) of a single-channel set. */
    public static PairedDataset edgesToImage(ImageDataset images, int threshold, String name) {
        ByteImageDataset edges = sobel(images, threshold);
        return new PairedDataset(edges, images, name + " (Sobel edges, threshold " + threshold + ", of "
                + images.description() + ")");
    }

    /**
     * The edge map of every image of a single-channel set: 255 (white) where the Sobel gradient magnitude exceeds
     * {@code threshold}, 0 elsewhere. Pixels are recovered as the 8-bit values the set was stored with.
     */
    public static ByteImageDataset sobel(ImageDataset images, int threshold) {
        Objects.requireNonNull(images);
        if (images.channels() != 1) {
            throw new IllegalArgumentException("edge maps need single-channel images, " + images.description()
                    + " has " + images.channels());
        }
        if (threshold < 0) {
            throw new IllegalArgumentException("edge threshold must be >= 0, got " + threshold);
        }
        int h = images.height();
        int w = images.width();
        int plane = h * w;
        byte[] out = new byte[images.size() * plane];
        float[] scratch = new float[plane];
        int[] px = new int[plane];
        long t2 = (long) threshold * threshold;
        for (int n = 0; n < images.size(); n++) {
            images.copyImage(n, scratch, 0);
            for (int i = 0; i < plane; i++) {
                // inverse of the b / 127.5 - 1 mapping of 8-bit sets: exact for bytes
                px[i] = Math.max(0, Math.min(255, Math.round((scratch[i] + 1f) * 127.5f)));
            }
            edgeMap(px, h, w, t2, out, n * plane);
        }
        return new ByteImageDataset(out, null, 1, h, w, java.util.List.of(),
                "Sobel edges (threshold " + threshold + ") of " + images.description());
    }

    /** One image: px is h*w values in 0..255; writes 0 or 255 per pixel at dst[offset...]. */
    static void edgeMap(int[] px, int h, int w, long thresholdSquared, byte[] dst, int offset) {
        for (int y = 0; y < h; y++) {
            int ym = Math.max(y - 1, 0) * w;
            int y0 = y * w;
            int yp = Math.min(y + 1, h - 1) * w;
            for (int x = 0; x < w; x++) {
                int xm = Math.max(x - 1, 0);
                int xp = Math.min(x + 1, w - 1);
                int gx = (px[ym + xp] + 2 * px[y0 + xp] + px[yp + xp]) - (px[ym + xm] + 2 * px[y0 + xm] + px[yp + xm]);
                int gy = (px[yp + xm] + 2 * px[yp + x] + px[yp + xp]) - (px[ym + xm] + 2 * px[ym + x] + px[ym + xp]);
                long m2 = (long) gx * gx + (long) gy * gy;
                dst[offset + y0 + x] = m2 > thresholdSquared ? (byte) 255 : 0;
            }
        }
    }
}
