package dev.gancompress.compress.quantize;

import dev.gancompress.GanCompressException;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Input;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Tensor;

import java.util.SplittableRandom;

/**
 * The input images an image-to-image generator is calibrated on: a seeded sample (without repetition while the set
 * lasts) of the input half of the stage's paired training data. Paired data reach a technique stacked along channels
 * (input channels first, then the target's, see {@link dev.gancompress.data.PairedDataset#stacked}), so the first
 * channels of each sampled image are the model's input; a data set that already has exactly the input's channels is
 * read whole.
 *
 * @param order the data indices in calibration order: sample i reads image {@code order[i % order.length]}
 */
record CalibrationImages(String input, ImageDataset data, int[] order, long seed) {
    /**
     * The images for {@code model}, or null when it reads no image (latent generators) or there is no data, in which
     * case the caller draws random images.
     */
    static CalibrationImages of(Model model, ImageDataset data, int samples, long seed) {
        Input in = model.input(Input.Kind.IMAGE);
        if (in == null || model.input(Input.Kind.LATENT) != null || data == null) {
            return null;
        }
        int[] dims = in.shape().dims();
        if (data.height() != dims[1] || data.width() != dims[2] || data.channels() < dims[0]) {
            throw new GanCompressException("activation calibration: training data " + data.description() + " has "
                    + data.channels() + "x" + data.height() + "x" + data.width() + " images, but input '" + in.name()
                    + "' of " + model.name() + " reads " + in.shape() + " (expected paired data of that height and "
                    + "width, input channels first)");
        }
        int[] all = new int[data.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        // a seeded Fisher-Yates shuffle, stopped after the samples needed: a sample without repetition
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = Math.min(samples, all.length);
        for (int i = 0; i < n; i++) {
            int j = i + rnd.nextInt(all.length - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return new CalibrationImages(in.name(), data, java.util.Arrays.copyOf(all, n), seed);
    }

    /** Overwrites the batch {@code images} [n, C, H, W] with samples {@code offset .. offset + n - 1}. */
    void fill(Tensor images, int offset) {
        int n = images.shape()[0];
        int size = images.data().length / n;
        float[] full = new float[data.imageSize()];
        for (int b = 0; b < n; b++) {
            data.copyImage(order[(offset + b) % order.length], full, 0);
            System.arraycopy(full, 0, images.data(), b * size, size); // CHW: the input channels come first
        }
    }

    String describe() {
        return order.length + " input images of the training data " + data.description() + " (seeded sample, seed "
                + seed + ")";
    }
}
