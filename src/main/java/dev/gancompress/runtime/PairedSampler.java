package dev.gancompress.runtime;

import dev.gancompress.data.CroppedDataset;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Input;
import dev.gancompress.model.Model;
import dev.gancompress.model.Shape;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;

import java.util.Map;

/**
 * Runs an image-to-image generator on the engine in evaluation mode over the inputs of a paired set: sample i is
 * the output for input i, so a teacher, its students and the ground truth are compared image by image. Outputs
 * may be centre-cropped to a smaller shape (a 32x32 model of padded 28x28 images measured by a 28x28 evaluator).
 */
public final class PairedSampler {
    private final Model generator;
    private final Network network;
    private final Input input;
    private final ImageDataset inputs;
    private final Shape output;

    /** @param output the shape of the images delivered: the model's output or a centre window of it */
    public PairedSampler(Model generator, ImageDataset inputs, Shape output) {
        this.generator = generator;
        this.input = generator.input(Input.Kind.IMAGE);
        if (input == null || generator.input(Input.Kind.LATENT) != null) {
            throw new IllegalArgumentException("model " + generator.name() + " is not an image-to-image generator");
        }
        Shape in = input.shape();
        if (in.channels() != inputs.channels() || in.height() != inputs.height() || in.width() != inputs.width()) {
            throw new IllegalArgumentException("model " + generator.name() + " reads " + in + " but the inputs of "
                    + inputs.description() + " are [" + inputs.channels() + ", " + inputs.height() + ", "
                    + inputs.width() + "]");
        }
        Shape made = generator.outputShape();
        if (output.channels() != made.channels() || output.height() > made.height() || output.width() > made.width()) {
            throw new IllegalArgumentException("model " + generator.name() + " makes " + made + ", which has no "
                    + output + " window");
        }
        this.network = new Network(generator);
        this.inputs = inputs;
        this.output = output;
    }

    public int size() {
        return inputs.size();
    }

    /** Writes the outputs for inputs [first, first + count) to dst (NCHW in the delivered shape, [-1, 1]). */
    public void generate(int first, int count, int batchSize, float[] dst) {
        Shape in = input.shape();
        Shape made = generator.outputShape();
        for (int start = 0; start < count; start += batchSize) {
            int n = Math.min(batchSize, count - start);
            float[] x = new float[n * in.size()];
            for (int i = 0; i < n; i++) {
                inputs.copyImage(first + start + i, x, i * in.size());
            }
            Tensor out = network.forward(Map.of(input.name(), new Tensor(new int[] {n, in.channels(), in.height(),
                    in.width()}, x)), false);
            for (int i = 0; i < n; i++) {
                CroppedDataset.crop(out.data(), i * made.size(), made.channels(), made.height(), made.width(), dst,
                        (start + i) * output.size(), output.height(), output.width());
            }
        }
    }
}
