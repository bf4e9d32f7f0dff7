package dev.gancompress;

import dev.gancompress.data.ByteImageDataset;
import dev.gancompress.data.ImageDataset;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small synthetic image sets shared by tests of several packages. */
public final class TestImages {
    private TestImages() {
    }

    /** n 28x28 grey images of a Gaussian blob whose position depends on the class: learnable structure. */
    public static ImageDataset blobs(int n, int classes) {
        SplittableRandom rnd = new SplittableRandom(5);
        byte[] pixels = new byte[n * 28 * 28];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
            int cx = 6 + 7 * labels[i] + rnd.nextInt(3);
            int cy = 8 + rnd.nextInt(10);
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    double r2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
                    pixels[i * 784 + y * 28 + x] = (byte) Math.round(255 * Math.exp(-r2 / 12));
                }
            }
        }
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("class" + c);
        }
        return new ByteImageDataset(pixels, labels, 1, 28, 28, names, "blobs");
    }
}
