package dev.gancompress.compress.distill;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Activation;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Parameter;
import dev.gancompress.nn.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The gradient each distillation term hands the trainer, against central finite differences of the loss the term
 * returns: the term returns its unweighted loss and adds weight x dLoss/d(its input) to the output gradient
 * (kd_output, kd_perceptual) or to the injected feature gradients (kd_feature). For kd_output and kd_perceptual
 * the input is the generator output itself, perturbed directly; kd_feature's input is an intermediate value,
 * so its gradient is checked where it ends up, in the student's parameter gradients after the network's backward.
 *
 * <p>The models are tiny graphs without BatchNorm or ReLU, so every loss is smooth in what is perturbed.
 */
class DistillationGradientTest {
    private static final int BATCH = 2;

    /** z [4] -> fc [c*9] -> [c, 3, 3] -> tanh "feat" -> 3x3 conv to 1 channel -> tanh: a generator of 3x3 images. */
    private static Model generator(String name, int channels, long seed) {
        Model m = new Model(name, List.of(Input.latent("z", 4)), List.of(
                Node.of("fc", Linear.create(4, channels * 9, true), "z"),
                Node.of("fc_reshape", new Reshape(Shape.of(channels, 3, 3)), "fc"),
                Node.of("feat", Activation.tanh(), "fc_reshape"),
                Node.of("to_image", Conv2d.create(channels, 1, Kernel2d.square(3, 1, 1), true), "feat"),
                Node.of("output", Activation.tanh(), "to_image")), "output", Map.of());
        return randomised(m, seed);
    }

    /** A classifier of 3x3 images whose intermediate "features" the perceptual term compares. */
    private static Model evaluator(long seed) {
        Model m = new Model("evaluator", List.of(Input.image("image", 1, 3, 3)), List.of(
                Node.of("conv", Conv2d.create(1, 2, Kernel2d.square(3, 1, 1), true), "image"),
                Node.of("features", Activation.tanh(), "conv"),
                Node.of("flatten", new Reshape(Shape.of(18)), "features"),
                Node.of("logit", Linear.create(18, 1, true), "flatten")), "logit", Map.of());
        return randomised(m, seed);
    }

    private static Model randomised(Model m, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (Node n : m.nodes()) {
            for (WeightSlot slot : n.layer().weights()) {
                float[] d = slot.weights().data();
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) (rnd.nextDouble() * 2 - 1) * 0.8f;
                }
            }
        }
        return m;
    }

    private static Map<String, Tensor> latents(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] z = new float[BATCH * 4];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return Map.of("z", new Tensor(new int[] {BATCH, 4}, z));
    }

    /** The teacher's output moved by offsets of magnitude in [0.1, 0.5], away from the L1 kink at equality. */
    private static Tensor studentOutputNear(Tensor teacherOutput, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] d = teacherOutput.data().clone();
        for (int i = 0; i < d.length; i++) {
            d[i] += (float) ((rnd.nextBoolean() ? 1 : -1) * (0.1 + 0.4 * rnd.nextDouble()));
        }
        return new Tensor(teacherOutput.shape(), d);
    }

    /** Central differences of {@code loss} in each element of {@code x}, which it reads. */
    private static double[] centralDifferences(DoubleSupplier loss, float[] x, double h) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            float orig = x[i];
            float plus = (float) (orig + h);
            float minus = (float) (orig - h);
            x[i] = plus;
            double lp = loss.getAsDouble();
            x[i] = minus;
            double lm = loss.getAsDouble();
            x[i] = orig;
            g[i] = (lp - lm) / ((double) plus - minus);
        }
        return g;
    }

    /** ||analytic - weight numeric|| / ||weight numeric||, the measure of GradientCheckTest. */
    private static double relativeError(float[] analytic, double[] numeric, double weight) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < numeric.length; i++) {
            double want = weight * numeric[i];
            diff += (analytic[i] - want) * (analytic[i] - want);
            norm += want * want;
        }
        assertThat(norm).as("the numeric gradient is not zero").isGreaterThan(1e-12);
        return Math.sqrt(diff / norm);
    }

    private static float[] prefilled(int n) {
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = 0.01f * (i % 7 - 3);
        }
        return g;
    }

    @Test
    void outputDistillationL1AndL2() {
        Model student = generator("student", 2, 1);
        Network g = new Network(student);
        Map<String, Tensor> inputs = latents(3);
        TeacherForward teacher = new TeacherForward(generator("teacher", 3, 2));
        Tensor output = studentOutputNear(teacher.run(student, inputs, 0), 4);
        float weight = 2.5f;
        for (OutputLoss kind : OutputLoss.values()) {
            OutputDistillation term = new OutputDistillation(teacher, kind, weight);
            // the trainer has already written the adversarial gradient here: the term must add to it
            float[] before = prefilled(output.data().length);
            float[] outputGrad = before.clone();
            Map<String, float[]> extra = new HashMap<>();
            double value = term.apply(g, inputs, output, outputGrad, extra, 0);
            float[] added = new float[outputGrad.length];
            for (int i = 0; i < added.length; i++) {
                added[i] = outputGrad[i] - before[i];
            }
            // L1 is piecewise linear and L2 quadratic: central differences are exact for both, so a large step
            // keeps float rounding of the loss negligible (offsets >= 0.1 keep L1 off its kinks)
            double[] numeric = centralDifferences(
                    () -> term.apply(g, inputs, output, new float[added.length], new HashMap<>(), 0),
                    output.data(), 1.0 / 32);
            assertThat(relativeError(added, numeric, weight)).as(kind.toString()).isLessThan(1e-4);
            assertThat(extra).as("no feature gradients").isEmpty();
            float[] target = teacher.run(student, inputs, 0).data();
            double formula = 0;
            for (int i = 0; i < target.length; i++) {
                double d = (double) output.data()[i] - target[i];
                formula += kind == OutputLoss.L1 ? Math.abs(d) : d * d;
            }
            assertThat(value).as(kind + " value: the unweighted mean distance").isCloseTo(formula / target.length,
                    within(1e-6));
        }
    }

    @Test
    void featureDistillationGradientReachesTheStudentThroughBothLayerKinds() {
        // "fc" is a flat feature (Linear adapter), "feat" a [C, H, W] one (1x1 conv adapter); the student has
        // fewer channels than the teacher at both, as a pruned or slimmed student does
        Model student = generator("student", 2, 5);
        Model teacherModel = generator("teacher", 3, 6);
        TeacherForward teacher = new TeacherForward(teacherModel);
        float weight = 0.8f;
        FeatureDistillation term = new FeatureDistillation(teacher, student, List.of("fc", "feat"), weight, 1e-3, 9);
        Network g = new Network(student);
        Map<String, Tensor> inputs = latents(7);
        Tensor output = g.forward(inputs, true);
        float[] outputGrad = new float[output.data().length];
        Map<String, float[]> extra = new HashMap<>();
        term.apply(g, inputs, output, outputGrad, extra, 0);
        assertThat(extra).containsOnlyKeys("fc", "feat");
        assertThat(outputGrad).as("kd_feature leaves the output gradient alone").containsOnly(0f);
        g.zeroGradients();
        g.backward(new Tensor(output.shape(), outputGrad), extra, true);

        DoubleSupplier loss = () -> {
            Tensor out = g.forward(inputs, true);
            return term.apply(g, inputs, out, new float[out.data().length], new HashMap<>(), 0);
        };
        for (Parameter p : g.parameters()) {
            float[] analytic = p.grad().clone();
            double[] numeric = centralDifferences(loss, p.weights().data(), 1e-2);
            if (p.name().startsWith("to_image")) {
                // the output conv does not feed either feature: no gradient, analytically or numerically
                assertThat(analytic).as(p.name()).containsOnly(0f);
                assertThat(numeric).as(p.name()).containsOnly(0.0);
            } else {
                assertThat(relativeError(analytic, numeric, weight)).as(p.name()).isLessThan(1e-3);
            }
        }
    }

    @Test
    void perceptualDistillationAtAnIntermediateLayerAndAtTheOutput() {
        Model student = generator("student", 2, 11);
        Network g = new Network(student);
        Map<String, Tensor> inputs = latents(12);
        TeacherForward teacher = new TeacherForward(generator("teacher", 3, 13));
        Tensor output = studentOutputNear(teacher.run(student, inputs, 0), 14);
        float weight = 1.7f;
        for (String layer : new String[] {"features", null}) {
            PerceptualDistillation term = new PerceptualDistillation(teacher, evaluator(15), layer, weight);
            float[] before = prefilled(output.data().length);
            float[] outputGrad = before.clone();
            double value = term.apply(g, inputs, output, outputGrad, new HashMap<>(), 0);
            float[] added = new float[outputGrad.length];
            for (int i = 0; i < added.length; i++) {
                added[i] = outputGrad[i] - before[i];
            }
            double[] numeric = centralDifferences(
                    () -> term.apply(g, inputs, output, new float[added.length], new HashMap<>(), 0),
                    output.data(), 1e-2);
            assertThat(relativeError(added, numeric, weight)).as("layer " + layer).isLessThan(1e-3);
            assertThat(value).as("layer " + layer + " value").isGreaterThan(0);
        }
    }

    /** Every trainable tensor of the adapters (live arrays), in a fixed order. */
    private static List<float[]> adapterWeights(FeatureDistillation term) {
        List<float[]> list = new ArrayList<>();
        for (Model m : term.adapterModels()) {
            for (Node n : m.nodes()) {
                for (WeightSlot slot : n.layer().weights()) {
                    list.add(slot.weights().data());
                }
            }
        }
        return list;
    }

    @Test
    void adaptersTakeOneAdamStepOnTheirOwnGradientPerTrainingStep() {
        // The adapters are trained jointly with the student (GAN Compression, eq. 3): each training step must
        // use that step's gradient of weight x loss with respect to the adapter, not one summed over steps.
        Model student = generator("student", 2, 21);
        TeacherForward teacher = new TeacherForward(generator("teacher", 3, 22));
        double lr = 1e-3;
        float weight = 0.8f;
        FeatureDistillation term = new FeatureDistillation(teacher, student, List.of("fc", "feat"), weight, lr, 23);
        Network g = new Network(student);
        List<float[]> tensors = adapterWeights(term);
        int size = tensors.stream().mapToInt(t -> t.length).sum();
        double[] m = new double[size];
        double[] v = new double[size];
        for (int t = 1; t <= 2; t++) {
            Map<String, Tensor> inputs = latents(30 + t);
            Tensor out = g.forward(inputs, true);
            long step = t;
            DoubleSupplier loss = () -> term.apply(g, inputs, out, new float[out.data().length], new HashMap<>(), step);
            double[] expected = new double[size];
            double[] moved = new double[size];
            int k = 0;
            for (float[] w : tensors) {
                double[] grad = centralDifferences(loss, w, 1e-2);
                float[] before = w.clone();
                for (int i = 0; i < w.length; i++, k++) {
                    // Adam, Settings.gan: beta1 0.5, beta2 0.999, eps 1e-8, on the weighted gradient
                    double gi = weight * grad[i];
                    m[k] = 0.5 * m[k] + 0.5 * gi;
                    v[k] = 0.999 * v[k] + 0.001 * gi * gi;
                    expected[k] = -lr * (m[k] / (1 - Math.pow(0.5, t)))
                            / (Math.sqrt(v[k] / (1 - Math.pow(0.999, t))) + 1e-8);
                    moved[k] = -before[i];
                }
            }
            // the step as the trainer makes it: the term once, then afterStep
            term.apply(g, inputs, out, new float[out.data().length], new HashMap<>(), step);
            term.afterStep(step);
            k = 0;
            for (float[] w : tensors) {
                for (float x : w) {
                    moved[k++] += x;
                }
            }
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < size; i++) {
                diff += (moved[i] - expected[i]) * (moved[i] - expected[i]);
                norm += expected[i] * expected[i];
            }
            assertThat(Math.sqrt(diff / norm)).as("adapter update at step " + t).isLessThan(1e-2);
        }
    }

    @Test
    void termsRejectNonPositiveWeightsAndLayersTheModelsLack() {
        Model student = generator("student", 2, 1);
        TeacherForward teacher = new TeacherForward(generator("teacher", 3, 2));
        assertThatThrownBy(() -> new OutputDistillation(teacher, OutputLoss.L1, 0f))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("output distillation weight");
        assertThatThrownBy(() -> new FeatureDistillation(teacher, student, List.of("feat"), 0f, 1e-3, 1))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("feature distillation weight");
        assertThatThrownBy(() -> new PerceptualDistillation(teacher, evaluator(3), "features", 0f))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("perceptual distillation weight");
        // an input is not a feature, and the message lists the nodes there are
        assertThatThrownBy(() -> new FeatureDistillation(teacher, student, List.of("z"), 1f, 1e-3, 1))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("'z' is not a node of the teacher")
                .hasMessageContaining("fc, fc_reshape, feat, to_image, output");
        assertThatThrownBy(() -> new FeatureDistillation(teacher, student, List.of("nope"), 1f, 1e-3, 1))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("'nope'");
        assertThatThrownBy(() -> new PerceptualDistillation(teacher, evaluator(3), "nope", 1f))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("'nope'");
    }
}
