package dev.gancompress.nn;

import dev.gancompress.model.Activation;
import dev.gancompress.model.Affine;
import dev.gancompress.model.Add;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Concat;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Embedding;
import dev.gancompress.model.Input;
import dev.gancompress.model.InstanceNorm2d;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Layer;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Pad2d;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.model.Upsample;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.model.Weights;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every layer's backward pass against central finite differences of the loss L = sum(out * r), the loss
 * accumulated in double. The error is measured per tensor as ||g - g_fd|| / max(||g_fd||, tiny).
 */
class GradientCheckTest {
    private static final double TOLERANCE = 1e-3;

    private static void randomise(Model model, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (Node n : model.nodes()) {
            for (WeightSlot slot : n.layer().weights()) {
                float[] d = slot.weights().data();
                for (int i = 0; i < d.length; i++) {
                    d[i] = slot.role().equals("running_var") ? (float) (0.5 + rnd.nextDouble())
                            : (float) (rnd.nextDouble() * 2 - 1) * 0.5f;
                }
            }
        }
    }

    private static Map<String, Tensor> randomInputs(Model model, int batch, long seed, double awayFromZero) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, Tensor> map = new HashMap<>();
        for (Input in : model.inputs()) {
            int size = in.shape().size() * batch;
            float[] d = new float[size];
            for (int i = 0; i < size; i++) {
                if (in.kind() == Input.Kind.LABEL) {
                    d[i] = rnd.nextInt(in.numClasses());
                } else {
                    double v = rnd.nextDouble() * 2 - 1;
                    d[i] = (float) (Math.signum(v) * (awayFromZero + Math.abs(v)));
                }
            }
            int[] shape = new int[in.shape().rank() + 1];
            shape[0] = batch;
            System.arraycopy(in.shape().dims(), 0, shape, 1, in.shape().rank());
            map.put(in.name(), new Tensor(shape, d));
        }
        return map;
    }

    private static double loss(Network net, Map<String, Tensor> inputs, float[] r, boolean training) {
        Tensor out = net.forward(inputs, training);
        double s = 0;
        for (int i = 0; i < r.length; i++) {
            s += (double) out.data()[i] * r[i];
        }
        return s;
    }

    private static double relativeError(double[] analytic, double[] numeric) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < analytic.length; i++) {
            diff += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i]);
            norm += numeric[i] * numeric[i];
        }
        return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-6);
    }

    /** Checks all parameter and float-input gradients of the model; returns the worst relative error. */
    static double check(Model model, int batch, boolean training, double eps, double awayFromZero) {
        randomise(model, 7);
        Network net = new Network(model);
        Map<String, Tensor> inputs = randomInputs(model, batch, 11, awayFromZero);
        Tensor out = net.forward(inputs, training);
        SplittableRandom rnd = new SplittableRandom(13);
        float[] r = new float[out.data().length];
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        net.zeroGradients();
        net.backward(new Tensor(out.shape(), r), true);
        double worst = 0;
        List<String> report = new ArrayList<>();
        for (Parameter p : net.parameters()) {
            float[] w = p.weights().data();
            double[] analytic = new double[w.length];
            double[] numeric = new double[w.length];
            for (int i = 0; i < w.length; i++) {
                analytic[i] = p.grad()[i];
                float orig = w[i];
                w[i] = (float) (orig + eps);
                double plus = loss(net, inputs, r, training);
                w[i] = (float) (orig - eps);
                double minus = loss(net, inputs, r, training);
                w[i] = orig;
                numeric[i] = (plus - minus) / (2 * eps);
            }
            double e = relativeError(analytic, numeric);
            report.add(p.name() + "=" + e);
            worst = Math.max(worst, e);
        }
        // input gradients need a fresh backward (the loop above re-ran forward)
        loss(net, inputs, r, training);
        net.zeroGradients();
        net.backward(new Tensor(out.shape(), r), true);
        for (Input in : model.inputs()) {
            if (in.kind() == Input.Kind.LABEL) {
                continue;
            }
            float[] g = net.inputGradient(in.name()).data().clone();
            float[] x = inputs.get(in.name()).data();
            double[] analytic = new double[x.length];
            double[] numeric = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                analytic[i] = g[i];
                float orig = x[i];
                x[i] = (float) (orig + eps);
                double plus = loss(net, inputs, r, training);
                x[i] = (float) (orig - eps);
                double minus = loss(net, inputs, r, training);
                x[i] = orig;
                numeric[i] = (plus - minus) / (2 * eps);
            }
            double e = relativeError(analytic, numeric);
            report.add(in.name() + "=" + e);
            worst = Math.max(worst, e);
        }
        System.out.println(model.name() + " gradient errors " + report);
        return worst;
    }

    private static Model single(String name, Shape inShape, Layer layer) {
        Input in = inShape.rank() == 1 ? Input.latent("x", inShape.dim(0))
                : Input.image("x", inShape.channels(), inShape.height(), inShape.width());
        return new Model(name, List.of(in), List.of(Node.of("layer", layer, "x")), "layer", Map.of());
    }

    @Test
    void linear() {
        assertThat(check(single("linear", Shape.of(5), Linear.create(5, 3, true)), 4, false, 1e-2, 0))
                .isLessThan(TOLERANCE);
    }

    @Test
    void conv2dWithStridesAndPaddings() {
        assertThat(check(single("conv", Shape.of(2, 7, 6), Conv2d.create(2, 3, Kernel2d.square(3, 2, 1), true)),
                2, false, 1e-2, 0)).isLessThan(TOLERANCE);
        assertThat(check(single("conv-rect", Shape.of(2, 5, 5),
                Conv2d.create(2, 2, new Kernel2d(1, 3, 1, 2, 0, 2), false)), 2, false, 1e-2, 0)).isLessThan(TOLERANCE);
        assertThat(check(single("conv-1x1", Shape.of(3, 4, 4), Conv2d.create(3, 2, Kernel2d.square(1, 1, 0), true)),
                3, false, 1e-2, 0)).isLessThan(TOLERANCE);
        // few output channels at stride 1 take the direct (no im2col) path
        assertThat(check(single("conv-direct", Shape.of(3, 5, 6), Conv2d.create(3, 1, Kernel2d.square(3, 1, 1), true)),
                2, false, 1e-2, 0)).isLessThan(TOLERANCE);
        assertThat(check(single("conv-direct-rect", Shape.of(2, 4, 5),
                Conv2d.create(2, 3, new Kernel2d(2, 3, 1, 1, 1, 2), false)), 2, false, 1e-2, 0)).isLessThan(TOLERANCE);
    }

    @Test
    void groupedDepthwiseAndDilatedConv2d() {
        // groups = 2: two independent 2 -> 3 convolutions, each reading its own block of input channels
        assertThat(check(single("conv-g2", Shape.of(4, 5, 5),
                Conv2d.create(4, 6, Kernel2d.square(3, 1, 1), 2, true)), 2, false, 1e-2, 0)).isLessThan(TOLERANCE);
        // depthwise (groups = channels) with stride 2, and with a channel multiplier of 2 (6 filters for 3 channels)
        assertThat(check(single("conv-dw", Shape.of(3, 6, 5),
                Conv2d.create(3, 3, Kernel2d.square(3, 2, 1), 3, true)), 2, false, 1e-2, 0)).isLessThan(TOLERANCE);
        assertThat(check(single("conv-dw-m2", Shape.of(3, 4, 4),
                Conv2d.create(3, 6, Kernel2d.square(3, 1, 1), 3, false)), 2, false, 1e-2, 0)).isLessThan(TOLERANCE);
        // dilation 2 (a 5x5 reach from 3x3 taps), rectangular and asymmetric in its dilations
        assertThat(check(single("conv-d2", Shape.of(2, 7, 7),
                Conv2d.create(2, 3, Kernel2d.square(3, 1, 2).dilated(2, 2), true)), 2, false, 1e-2, 0))
                .isLessThan(TOLERANCE);
        assertThat(check(single("conv-d-rect", Shape.of(2, 6, 8),
                Conv2d.create(4 / 2, 2, new Kernel2d(2, 3, 2, 1, 1, 2, 3, 2), false)), 2, false, 1e-2, 0))
                .isLessThan(TOLERANCE);
        // grouped and dilated pointwise-free paths together, and a grouped 1x1 (the columns are the input itself)
        assertThat(check(single("conv-g2-d2", Shape.of(4, 6, 6),
                Conv2d.create(4, 2, Kernel2d.square(3, 1, 2).dilated(2, 2), 2, true)), 2, false, 1e-2, 0))
                .isLessThan(TOLERANCE);
        assertThat(check(single("conv-g2-1x1", Shape.of(4, 3, 3),
                Conv2d.create(4, 4, Kernel2d.square(1, 1, 0), 2, true)), 2, false, 1e-2, 0)).isLessThan(TOLERANCE);
    }

    @Test
    void dilatedConvTranspose() {
        assertThat(check(single("convT-d2", Shape.of(2, 3, 4),
                ConvTranspose2d.create(2, 3, Kernel2d.square(3, 2, 1).dilated(2, 2), 1, true)), 2, false, 1e-2, 0))
                .isLessThan(TOLERANCE);
    }

    @Test
    void asymmetricPadding() {
        // TensorFlow's "same" at stride 2: one more row and column at the end (im2col path)
        assertThat(check(single("conv-asym", Shape.of(2, 6, 6),
                Conv2d.create(2, 5, Kernel2d.square(3, 2, 0).padded(0, 0, 1, 1), true)), 2, false, 1e-2, 0))
                .isLessThan(TOLERANCE);
        // more at the start than the end, on the direct path (few outputs, stride 1)
        assertThat(check(single("conv-asym-direct", Shape.of(2, 5, 5),
                Conv2d.create(2, 2, Kernel2d.square(3, 1, 0).padded(2, 1, 0, 2), true)), 2, false, 1e-2, 0))
                .isLessThan(TOLERANCE);
        // a transposed convolution crops its output unevenly
        assertThat(check(single("convT-asym", Shape.of(2, 3, 3),
                ConvTranspose2d.create(2, 3, Kernel2d.square(3, 2, 0).padded(1, 0, 0, 1), 0, true)), 2, false, 1e-2,
                0)).isLessThan(TOLERANCE);
    }

    @Test
    void convTransposeWithOutputPadding() {
        assertThat(check(single("convT", Shape.of(3, 3, 4),
                ConvTranspose2d.create(3, 2, Kernel2d.square(4, 2, 1), 0, true)), 2, false, 1e-2, 0))
                .isLessThan(TOLERANCE);
        assertThat(check(single("convT-op", Shape.of(2, 3, 3),
                ConvTranspose2d.create(2, 2, Kernel2d.square(3, 2, 1), 1, true)), 2, false, 1e-2, 0))
                .isLessThan(TOLERANCE);
    }

    @Test
    void batchNormInTrainingAndEvaluation() {
        assertThat(check(single("bn-train", Shape.of(3, 3, 3), BatchNorm2d.create(3)), 3, true, 1e-2, 0))
                .isLessThan(TOLERANCE);
        assertThat(check(single("bn-eval", Shape.of(3, 3, 3), BatchNorm2d.create(3)), 3, false, 1e-2, 0))
                .isLessThan(TOLERANCE);
    }

    @Test
    void instanceNorm() {
        assertThat(check(single("in", Shape.of(2, 3, 4), InstanceNorm2d.create(2)), 2, true, 1e-2, 0))
                .isLessThan(TOLERANCE);
    }

    @Test
    void activations() {
        Shape s = Shape.of(2, 3, 3);
        // ReLU kinks: inputs kept at least 0.1 away from zero, steps of 1e-2
        assertThat(check(single("relu", s, Activation.relu()), 2, false, 1e-2, 0.1)).isLessThan(TOLERANCE);
        assertThat(check(single("lrelu", s, Activation.leakyRelu(0.2f)), 2, false, 1e-2, 0.1)).isLessThan(TOLERANCE);
        assertThat(check(single("tanh", s, Activation.tanh()), 2, false, 1e-2, 0)).isLessThan(TOLERANCE);
        assertThat(check(single("sigmoid", s, Activation.sigmoid()), 2, false, 1e-2, 0)).isLessThan(TOLERANCE);
    }

    @Test
    void clipBelowAndAbove() {
        Shape s = Shape.of(2, 3, 3);
        // inputs lie in +-[0.1, 1.1]: bounds at 0 and 2 (ReLU6-like) and at -2 and 0 test each side, kinks avoided
        assertThat(check(single("clip-low", s, Activation.clip(0f, 2f)), 2, false, 1e-2, 0.1)).isLessThan(TOLERANCE);
        assertThat(check(single("clip-high", s, Activation.clip(-2f, 0f)), 2, false, 1e-2, 0.1))
                .isLessThan(TOLERANCE);
    }

    @Test
    void affinePerTensorAndPerChannel() {
        assertThat(check(single("affine1", Shape.of(2, 3, 3), Affine.perTensor(0.7f, 0.2f)), 2, false, 1e-2, 0))
                .isLessThan(TOLERANCE);
        assertThat(check(single("affineC", Shape.of(3, 2, 2), new Affine(Weights.zeros(3), Weights.zeros(3))), 2,
                false, 1e-2, 0)).isLessThan(TOLERANCE);
        assertThat(check(single("affineF", Shape.of(5), new Affine(Weights.zeros(5), Weights.zeros(1))), 3, false,
                1e-2, 0)).isLessThan(TOLERANCE);
    }

    @Test
    void padInEveryMode() {
        // Reflect and edge send several output gradients to one input pixel; zero drops the border's.
        for (Pad2d.Mode mode : Pad2d.Mode.values()) {
            assertThat(check(single("pad-" + mode, Shape.of(2, 4, 5), new Pad2d(mode, 1, 2, 3, 0)), 2, false, 1e-2,
                    0)).isLessThan(TOLERANCE);
        }
    }

    @Test
    void reshapeAndUpsample() {
        assertThat(check(single("reshape", Shape.of(12), new Reshape(Shape.of(3, 2, 2))), 3, false, 1e-2, 0))
                .isLessThan(TOLERANCE);
        assertThat(check(single("flatten", Shape.of(3, 2, 2), new Reshape(Shape.of(12))), 3, false, 1e-2, 0))
                .isLessThan(TOLERANCE);
        assertThat(check(single("upsample", Shape.of(2, 2, 3), new Upsample(2)), 2, false, 1e-2, 0))
                .isLessThan(TOLERANCE);
    }

    @Test
    void conditionalEmbeddingConcat() {
        Model m = new Model("cond", List.of(Input.latent("z", 4), Input.label("y", 3)), List.of(
                Node.of("emb", Embedding.create(3, 2), "y"),
                Node.of("cat", new Concat(), "z", "emb"),
                Node.of("fc", Linear.create(6, 8, true), "cat"),
                Node.of("img", new Reshape(Shape.of(2, 2, 2)), "fc"),
                Node.of("act", Activation.tanh(), "img")), "act", Map.of());
        assertThat(check(m, 5, false, 1e-2, 0)).isLessThan(TOLERANCE);
    }

    @Test
    void residualAddAndConcatDag() {
        Model m = new Model("dag", List.of(Input.image("x", 2, 4, 4)), List.of(
                Node.of("c1", Conv2d.create(2, 2, Kernel2d.square(3, 1, 1), true), "x"),
                Node.of("a1", Activation.tanh(), "c1"),
                Node.of("res", new Add(), "a1", "x"),
                Node.of("cat", new Concat(), "res", "x", "c1"),
                Node.of("c2", Conv2d.create(6, 3, Kernel2d.square(3, 2, 1), false), "cat")), "c2", Map.of());
        assertThat(check(m, 2, false, 1e-2, 0)).isLessThan(TOLERANCE);
    }
}
