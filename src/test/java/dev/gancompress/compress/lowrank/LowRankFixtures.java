package dev.gancompress.compress.lowrank;

import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Input;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Layer;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;

import java.util.List;
import java.util.Map;
import java.util.Random;

/** One-layer models, a small random DCGAN generator and seeded inputs for the low-rank tests. */
final class LowRankFixtures {
    static final String LAYER = "layer";

    private LowRankFixtures() {
    }

    /** Every tensor random (running statistics too), weights ~ N(0, 1/fan-in), biases ~ N(0, 0.2^2). */
    static Model randomize(Model model, long seed) {
        return dev.gancompress.TestModels.randomize(model, seed);
    }

    static Model dcgan(long seed) {
        return randomize(Dcgan.generator(new DcganSpec(16, 1, 28, 8, 8, 0, 0)), seed);
    }

    static Model linear(int in, int out, long seed) {
        return single(Input.latent("x", in), Linear.create(in, out, true), seed);
    }

    static Model conv(int in, int out, int k, int stride, int pad, int size, long seed) {
        return single(Input.image("x", in, size, size), Conv2d.create(in, out, Kernel2d.square(k, stride, pad), true),
                seed);
    }

    static Model convTranspose(int in, int out, int outputPadH, int outputPadW, int size, long seed) {
        Kernel2d k = Kernel2d.square(4, 2, 1);
        ConvTranspose2d t = new ConvTranspose2d(in, out, k, outputPadH, outputPadW,
                dev.gancompress.model.Weights.zeros(in, out, 4, 4), dev.gancompress.model.Weights.zeros(out));
        return single(Input.image("x", in, size, size), t, seed);
    }

    static Model single(Input input, Layer layer, long seed) {
        return randomize(new Model("single", List.of(input), List.of(Node.of(LAYER, layer, input.name())), LAYER,
                Map.of()), seed);
    }

    /** A seeded batch: standard normal floats for every input. */
    static Map<String, Tensor> inputs(Model model, int batch, long seed) {
        Random rnd = new Random(seed);
        Input in = model.inputs().get(0);
        int[] dims = in.shape().dims();
        int[] shape = new int[dims.length + 1];
        shape[0] = batch;
        System.arraycopy(dims, 0, shape, 1, dims.length);
        float[] d = new float[batch * in.shape().size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) rnd.nextGaussian();
        }
        return Map.of(in.name(), new Tensor(shape, d));
    }

    static Tensor run(Model model, Map<String, Tensor> inputs) {
        return new Network(model).forward(inputs, false).copy();
    }

    /** ||a - b|| / ||b|| over all values. */
    static double relativeError(Tensor a, Tensor b) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < a.data().length; i++) {
            double d = (double) a.data()[i] - b.data()[i];
            diff += d * d;
            norm += (double) b.data()[i] * b.data()[i];
        }
        return Math.sqrt(diff / norm);
    }
}
