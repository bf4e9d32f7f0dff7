package dev.gancompress.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gancompress.model.Activation;
import dev.gancompress.model.ActivationQuantization;
import dev.gancompress.model.BatchNorm2d;
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
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.model.Weights;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The inference plan (BatchNorm folded, activation in the epilogue, chunked col2im, small-batch paths) against the
 * training path's evaluation forward, on random models of every fused layer kind: equal to 1e-5 of the output's
 * largest magnitude, at batch sizes that take each path (1 and 2: matrix-vector Linear; 3 and more: GEMM Linear;
 * 9 and 17 on two or more threads: sub-batches of unequal sizes on their own plans, 17 with a plan resized).
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a lost chunk in Parallel.forChunks would park the caller for ever: fail instead of hanging
class FusedInferenceTest {
    private static final double TOLERANCE = 1e-5;
    private static final int[] BATCHES = {1, 2, 3, 7, 9, 17};

    /** Every weight random; BatchNorm statistics and affine parameters away from 0 and 1. */
    static Model randomized(Model m, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (Node n : m.nodes()) {
            for (WeightSlot slot : n.layer().weights()) {
                float[] w = slot.weights().data();
                for (int i = 0; i < w.length; i++) {
                    w[i] = switch (slot.role()) {
                        case "running_var" -> (float) rnd.nextDouble(0.3, 2.0);
                        case "weight" -> n.layer() instanceof BatchNorm2d ? (float) rnd.nextDouble(0.5, 1.5)
                                : (float) rnd.nextDouble(-0.4, 0.4);
                        default -> (float) rnd.nextDouble(-0.5, 0.5);
                    };
                }
            }
        }
        return m;
    }

    static Map<String, Tensor> inputs(Model model, int batch, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        java.util.HashMap<String, Tensor> map = new java.util.HashMap<>();
        for (Input in : model.inputs()) {
            int[] shape = new int[in.shape().rank() + 1];
            shape[0] = batch;
            System.arraycopy(in.shape().dims(), 0, shape, 1, in.shape().rank());
            float[] d = new float[in.shape().size() * batch];
            for (int i = 0; i < d.length; i++) {
                d[i] = in.kind() == Input.Kind.LABEL ? rnd.nextInt(in.numClasses())
                        : (float) rnd.nextDouble(-1, 1);
            }
            map.put(in.name(), new Tensor(shape, d));
        }
        return map;
    }

    /** max |fused - reference| / max |reference| over the outputs of every batch size. */
    static double worstRelativeError(Model model) {
        double worst = 0;
        Network reference = new Network(model);
        InferenceNetwork fused = new InferenceNetwork(model);
        for (int batch : BATCHES) {
            Map<String, Tensor> in = inputs(model, batch, 100 + batch);
            Tensor expected = reference.forward(in, false);
            Tensor actual = fused.forward(in);
            double scale = 0;
            for (float v : expected.data()) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertThat(scale).as("reference output of %s is not all zero", model.name()).isGreaterThan(1e-3);
            worst = Math.max(worst, expected.maxAbsDifference(actual) / scale);
        }
        return worst;
    }

    /** image [3, h, w] -> layer -> [BatchNorm] -> [activation]; a 1x1 conv reads the result, so the chain ends mid-graph. */
    static Model chain(String name, Layer layer, int outChannels, int h, int w, boolean bn, Activation act) {
        List<Node> nodes = new ArrayList<>();
        nodes.add(Node.of("layer", layer, "x"));
        String last = "layer";
        if (bn) {
            nodes.add(Node.of("bn", BatchNorm2d.create(outChannels), last));
            last = "bn";
        }
        if (act != null) {
            nodes.add(Node.of("act", act, last));
            last = "act";
        }
        nodes.add(Node.of("head", Conv2d.create(outChannels, 2, Kernel2d.square(1, 1, 0), true), last));
        return randomized(new Model(name, List.of(Input.image("x", 3, h, w)), nodes, "head", Map.of()), 5);
    }

    static Stream<Arguments> convolutions() {
        List<Arguments> list = new ArrayList<>();
        Activation[] acts = {null, Activation.relu(), Activation.leakyRelu(0.2f), Activation.tanh(),
            Activation.sigmoid(), Activation.clip(-0.3f, 0.4f)};
        int a = 0;
        for (boolean bn : new boolean[] {false, true}) {
            for (boolean bias : new boolean[] {false, true}) {
                Activation act = acts[a++ % acts.length];
                // transposed: stride 2 k4 p1 (DCGAN), stride 1 k3 p1, stride 2 k3 p1 output padding 1; 4x4 input
                // (whole-batch col2im) and 12x12 (one image per chunk)
                list.add(Arguments.of("convT s2 k4", new ConvTranspose2d(3, 5, Kernel2d.square(4, 2, 1), 0, 0,
                        Weights.zeros(3, 5, 4, 4), bias ? Weights.zeros(5) : null), 5, 4, bn, act));
                list.add(Arguments.of("convT s2 k4 12x12", new ConvTranspose2d(3, 5, Kernel2d.square(4, 2, 1), 0, 0,
                        Weights.zeros(3, 5, 4, 4), bias ? Weights.zeros(5) : null), 5, 12, bn, act));
                list.add(Arguments.of("convT s1 k3", new ConvTranspose2d(3, 6, Kernel2d.square(3, 1, 1), 0, 0,
                        Weights.zeros(3, 6, 3, 3), bias ? Weights.zeros(6) : null), 6, 12, bn, act));
                list.add(Arguments.of("convT s2 k3 op1", new ConvTranspose2d(3, 4, Kernel2d.square(3, 2, 1), 1, 1,
                        Weights.zeros(3, 4, 3, 3), bias ? Weights.zeros(4) : null), 4, 5, bn, act));
                list.add(Arguments.of("conv s1 k3", Conv2d.create(3, 7, Kernel2d.square(3, 1, 1), bias), 7, 9, bn,
                        act));
                list.add(Arguments.of("conv s2 k4", Conv2d.create(3, 8, Kernel2d.square(4, 2, 1), bias), 8, 10, bn,
                        act));
                list.add(Arguments.of("conv 1x1", Conv2d.create(3, 6, Kernel2d.square(1, 1, 0), bias), 6, 6, bn,
                        act));
                list.add(Arguments.of("conv direct", Conv2d.create(3, 2, Kernel2d.square(3, 1, 1), bias), 2, 8, bn,
                        act));
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} bn={3} act={4}")
    @MethodSource("convolutions")
    void convolutionChainsMatchTheTrainingPath(String name, Layer layer, int out, int size, boolean bn,
                                               Activation act) {
        Model model = chain(name, layer, out, size, size, bn, act);
        InferenceNetwork fused = new InferenceNetwork(model);
        String expected = "layer" + (bn ? "+bn" : "") + (act != null ? "+act" : "");
        assertThat(fused.plan()).as("the chain is fused").containsExactly(expected, "head");
        assertThat(worstRelativeError(model)).isLessThan(TOLERANCE);
    }

    static Stream<Arguments> generalConvolutions() {
        return Stream.of(
                Arguments.of("grouped", Conv2d.create(4, 6, Kernel2d.square(3, 1, 1), 2, true), 6),
                Arguments.of("depthwise", Conv2d.create(4, 4, Kernel2d.square(3, 2, 1), 4, true), 4),
                Arguments.of("dilated", Conv2d.create(4, 5, Kernel2d.square(3, 1, 2).dilated(2, 2), true), 5),
                Arguments.of("asymmetric", Conv2d.create(4, 5, Kernel2d.square(3, 2, 0).padded(0, 0, 1, 1), true), 5),
                Arguments.of("dilated convT", new ConvTranspose2d(4, 3, Kernel2d.square(3, 1, 2).dilated(2, 2), 0, 0,
                        Weights.zeros(4, 3, 3, 3), Weights.zeros(3)), 3));
    }

    /** Imported convolutions the fused kernels do not implement keep the general kernels, with the same outputs. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("generalConvolutions")
    void groupedDilatedAndAsymmetricConvolutionsAreNotFused(String name, Layer layer, int out) {
        List<Node> nodes = List.of(Node.of("layer", layer, "x"), Node.of("bn", BatchNorm2d.create(out), "layer"),
                Node.of("act", Activation.relu(), "bn"),
                Node.of("head", Conv2d.create(out, 2, Kernel2d.square(1, 1, 0), true), "act"));
        Model model = randomized(new Model(name, List.of(Input.image("x", 4, 8, 8)), nodes, "head", Map.of()), 9);
        assertThat(new InferenceNetwork(model).plan()).as("left to the general kernels").startsWith("layer", "bn", "act");
        assertThat(worstRelativeError(model)).isLessThan(TOLERANCE);
    }

    static Model linearModel(boolean reshape, boolean bn, Activation act, boolean bias) {
        List<Node> nodes = new ArrayList<>();
        int features = reshape ? 6 * 5 * 5 : 40;
        nodes.add(Node.of("fc", Linear.create(12, features, bias), "z"));
        String last = "fc";
        if (reshape) {
            nodes.add(Node.of("fc_reshape", new Reshape(Shape.of(6, 5, 5)), last));
            last = "fc_reshape";
            if (bn) {
                nodes.add(Node.of("fc_bn", BatchNorm2d.create(6), last));
                last = "fc_bn";
            }
        }
        if (act != null) {
            nodes.add(Node.of("fc_act", act, last));
            last = "fc_act";
        }
        return randomized(new Model("linear", List.of(Input.latent("z", 12)), nodes, last, Map.of()), 9);
    }

    @Test
    void linearChainsMatchTheTrainingPath() {
        for (boolean reshape : new boolean[] {false, true}) {
            for (boolean bn : reshape ? new boolean[] {false, true} : new boolean[] {false}) {
                for (Activation act : new Activation[] {null, Activation.relu(), Activation.tanh()}) {
                    for (boolean bias : new boolean[] {false, true}) {
                        Model model = linearModel(reshape, bn, act, bias);
                        assertThat(new InferenceNetwork(model).plan()).hasSize(1);
                        assertThat(worstRelativeError(model))
                                .as("reshape=%s bn=%s act=%s bias=%s", reshape, bn, act, bias)
                                .isLessThan(TOLERANCE);
                    }
                }
            }
        }
    }

    @Test
    void dcganGeneratorMatchesTheTrainingPath() {
        Model g = randomized(Dcgan.generator(new DcganSpec(8, 1, 28, 8, 4, 0, 0)), 3);
        InferenceNetwork fused = new InferenceNetwork(g);
        assertThat(fused.plan()).contains("fc+fc_reshape+fc_bn+fc_act", "up1+up1_bn+up1_act",
                "up2+up2_bn+up2_act", "to_image+output");
        assertThat(worstRelativeError(g)).isLessThan(TOLERANCE);
        Model conditional = randomized(Dcgan.generator(new DcganSpec(8, 1, 28, 8, 4, 3, 4)), 4);
        assertThat(worstRelativeError(conditional)).isLessThan(TOLERANCE);
    }

    /**
     * A pruned, 4-bit layer folded with its BatchNorm computes with the stored weights, as the training path does;
     * the same model with fp32 weights gives a visibly different output, so ignoring the storage would fail.
     */
    @Test
    void compressedWeightsAreAppliedBeforeFolding() {
        Model model = chain("compressed", Conv2d.create(3, 6, Kernel2d.square(3, 1, 1), true), 6, 8, 8, true,
                Activation.relu());
        Model plain = model.copy();
        Weights w = model.node("layer").layer().weights().get(0).weights();
        float[] mask = new float[w.size()];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = i % 3 == 0 ? 0f : 1f;
        }
        w.setMask(mask);
        float[] scales = new float[6];
        java.util.Arrays.fill(scales, 0.4f / 7);
        w.setStorage(WeightStorage.IntN.symmetric(4, 0, scales));
        Weights gamma = ((BatchNorm2d) model.node("bn").layer()).gamma();
        gamma.setStorage(WeightStorage.IntN.symmetric(4, 0, new float[] {0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f}));
        assertThat(worstRelativeError(model)).isLessThan(TOLERANCE);

        Map<String, Tensor> in = inputs(model, 3, 1);
        Tensor compressed = new InferenceNetwork(model).forward(in);
        Tensor uncompressed = new InferenceNetwork(plain).forward(in);
        assertThat(compressed.maxAbsDifference(uncompressed)).isGreaterThan(1e-2);
    }

    /** An int8 grid on the convolution's output ends the fusion there: the BatchNorm reads the rounded values. */
    @Test
    void quantisedActivationsStopTheFusion() {
        Model model = chain("grid", Conv2d.create(3, 6, Kernel2d.square(3, 1, 1), true), 6, 8, 8, true,
                Activation.relu());
        Model quantised = model.withQuantizedActivations(Map.of("layer", ActivationQuantization.ofRange(-2f, 2f),
                "x", ActivationQuantization.ofRange(-1f, 1f)));
        InferenceNetwork fused = new InferenceNetwork(quantised);
        assertThat(fused.plan()).containsExactly("layer", "bn", "act", "head");
        assertThat(worstRelativeError(quantised)).isLessThan(TOLERANCE);
        Map<String, Tensor> in = inputs(model, 3, 1);
        assertThat(fused.forward(in).maxAbsDifference(new InferenceNetwork(model).forward(in))).isGreaterThan(1e-3);
    }
}
