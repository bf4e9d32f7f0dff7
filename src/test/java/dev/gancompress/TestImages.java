package dev.gancompress;

import dev.gancompress.data.ByteImageDataset;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Input;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

/** Small synthetic image sets and input batches shared by tests of several packages. */
public final class TestImages {
    private TestImages() {
    }

    /** n 28x28 images of uniform noise, labels alternating between two classes: a reference set with no structure. */
    public static ImageDataset noise(int n) {
        SplittableRandom rnd = new SplittableRandom(3);
        byte[] px = new byte[n * 784];
        int[] labels = new int[n];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) rnd.nextInt(256);
        }
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
        }
        return new ByteImageDataset(px, labels, 1, 28, 28, List.of("a", "b"), "noise");
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

    /**
     * n 16x16 pairs of (Sobel edge map, image) of bright random rectangles on black: a small deterministic
     * edges -> image task for the image-to-image tests.
     */
    public static dev.gancompress.data.PairedDataset rectangles(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] px = new byte[n * 16 * 16];
        for (int i = 0; i < n; i++) {
            int x0 = rnd.nextInt(2, 8);
            int y0 = rnd.nextInt(2, 8);
            int x1 = x0 + rnd.nextInt(3, 7);
            int y1 = y0 + rnd.nextInt(3, 7);
            int v = rnd.nextInt(120, 256);
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    px[i * 256 + y * 16 + x] = (byte) v;
                }
            }
        }
        ImageDataset images = new ByteImageDataset(px, null, 1, 16, 16, List.of(), "rectangles-" + seed);
        return dev.gancompress.data.EdgeMaps.edgesToImage(images, 100, "rectangles-" + seed);
    }

    /** A seeded batch for every input of the model: N(0, 1) floats, class indices for labels. */
    public static Map<String, Tensor> randomInputs(Model model, int batch, long seed) {
        Random rnd = new Random(seed);
        Map<String, Tensor> map = new HashMap<>();
        for (Input in : model.inputs()) {
            int[] shape = new int[in.shape().rank() + 1];
            shape[0] = batch;
            System.arraycopy(in.shape().dims(), 0, shape, 1, in.shape().rank());
            Tensor t = Tensor.zeros(shape);
            for (int i = 0; i < t.data().length; i++) {
                t.data()[i] = in.kind() == Input.Kind.LABEL ? rnd.nextInt(in.numClasses()) : (float) rnd.nextGaussian();
            }
            map.put(in.name(), t);
        }
        return map;
    }
}
