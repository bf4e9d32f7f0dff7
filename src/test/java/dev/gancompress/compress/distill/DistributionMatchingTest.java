package dev.gancompress.compress.distill;

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
import dev.gancompress.nn.Adam;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * kd_mmd: the unbiased MMD^2 estimator against a direct formula, its gradient against central differences (on raw
 * features for both kernels, and through a feature network to the generator's output), and the loss falling when a
 * tiny student is trained on it alone.
 */
class DistributionMatchingTest {
    private static float[] random(int n, long seed, double scale) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
        }
        return x;
    }

    private static double gaussian(float[] a, int i, float[] b, int j, int d, double s) {
        double sum = 0;
        for (int k = 0; k < d; k++) {
            double diff = a[i * d + k] - b[j * d + k];
            sum += diff * diff;
        }
        return Math.exp(-sum / (2 * s * s));
    }

    @Test
    void estimatorMatchesItsDefinitionAndIsNearZeroForOneDistribution() {
        int m = 5;
        int n = 4;
        int d = 3;
        float[] x = random(m * d, 1, 1);
        float[] y = random(n * d, 2, 1);
        double s = 0.9;
        double xx = 0;
        double yy = 0;
        double xy = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                xx += i == j ? 0 : gaussian(x, i, x, j, d, s);
            }
            for (int j = 0; j < n; j++) {
                xy += gaussian(x, i, y, j, d, s);
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                yy += i == j ? 0 : gaussian(y, i, y, j, d, s);
            }
        }
        double want = xx / (m * (m - 1)) + yy / (n * (n - 1)) - 2 * xy / (m * n);
        assertThat(MaximumMeanDiscrepancy.unbiased(x, m, y, n, d, MmdKernel.GAUSSIAN, s, null, 1))
                .isCloseTo(want, within(1e-12));
        // two large samples of one distribution: near 0; of shifted ones: clearly positive
        float[] a = random(200 * 2, 3, 1);
        float[] b = random(200 * 2, 4, 1);
        float[] shifted = b.clone();
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] += 1.5f;
        }
        double same = MaximumMeanDiscrepancy.unbiased(a, 200, b, 200, 2, MmdKernel.GAUSSIAN, 1, null, 1);
        double apart = MaximumMeanDiscrepancy.unbiased(a, 200, shifted, 200, 2, MmdKernel.GAUSSIAN, 1, null, 1);
        assertThat(Math.abs(same)).isLessThan(0.02);
        assertThat(apart).isGreaterThan(0.3);
    }

    @Test
    void gradientMatchesCentralDifferencesForBothKernels() {
        int m = 4;
        int n = 5;
        int d = 3;
        float[] y = random(n * d, 6, 1);
        for (MmdKernel kernel : MmdKernel.values()) {
            float[] x = random(m * d, 5, 1.2);
            float weight = 1.7f;
            float[] grad = new float[x.length];
            MaximumMeanDiscrepancy.unbiased(x, m, y, n, d, kernel, 0.8, grad, weight);
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < x.length; i++) {
                float orig = x[i];
                double h = 1e-3;
                x[i] = (float) (orig + h);
                double plus = MaximumMeanDiscrepancy.unbiased(x, m, y, n, d, kernel, 0.8, null, 1);
                double up = x[i];
                x[i] = (float) (orig - h);
                double minus = MaximumMeanDiscrepancy.unbiased(x, m, y, n, d, kernel, 0.8, null, 1);
                double numeric = weight * (plus - minus) / (up - x[i]);
                x[i] = orig;
                diff += (grad[i] - numeric) * (grad[i] - numeric);
                norm += numeric * numeric;
            }
            assertThat(norm).as(kernel + " gradient is not zero").isGreaterThan(1e-8);
            assertThat(Math.sqrt(diff / norm)).as(kernel.toString()).isLessThan(1e-3);
        }
    }

    /** z [4] -> fc [c*9] -> [c, 3, 3] -> tanh -> 3x3 conv to 1 channel -> tanh: 3x3 images. */
    private static Model generator(String name, int channels, long seed) {
        Model m = new Model(name, java.util.List.of(Input.latent("z", 4)), java.util.List.of(
                Node.of("fc", Linear.create(4, channels * 9, true), "z"),
                Node.of("fc_reshape", new Reshape(Shape.of(channels, 3, 3)), "fc"),
                Node.of("feat", Activation.tanh(), "fc_reshape"),
                Node.of("to_image", Conv2d.create(channels, 1, Kernel2d.square(3, 1, 1), true), "feat"),
                Node.of("output", Activation.tanh(), "to_image")), "output", Map.of());
        return randomised(m, seed, 0.8);
    }

    /** A classifier of 3x3 images with a 6-dimensional "features" layer. */
    private static Model featureNetwork(long seed) {
        Model m = new Model("feature-net", java.util.List.of(Input.image("image", 1, 3, 3)), java.util.List.of(
                Node.of("conv", Conv2d.create(1, 2, Kernel2d.square(3, 1, 1), true), "image"),
                Node.of("conv_act", Activation.tanh(), "conv"),
                Node.of("flatten", new Reshape(Shape.of(18)), "conv_act"),
                Node.of("features", Linear.create(18, 6, true), "flatten"),
                Node.of("logits", Linear.create(6, 2, true), "features")), "logits",
                Map.of("evaluator.feature_layer", "features"));
        return randomised(m, seed, 0.8);
    }

    private static Model randomised(Model m, long seed, double scale) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (Node n : m.nodes()) {
            for (WeightSlot slot : n.layer().weights()) {
                float[] d = slot.weights().data();
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
                }
            }
        }
        return m;
    }

    private static Map<String, Tensor> latents(int batch, long seed) {
        return Map.of("z", new Tensor(new int[] {batch, 4}, random(batch * 4, seed, 1)));
    }

    @Test
    void termGradientThroughTheFeatureNetworkMatchesCentralDifferences() {
        Model student = generator("student", 2, 11);
        Network g = new Network(student);
        Map<String, Tensor> inputs = latents(5, 12);
        TeacherForward teacher = new TeacherForward(generator("teacher", 3, 13));
        for (MmdKernel kernel : MmdKernel.values()) {
            DistributionMatching term = new DistributionMatching(teacher, featureNetwork(15), null, kernel,
                    MmdTarget.TEACHER, null, 2.5f, null, 0);
            Tensor output = g.forward(inputs, true);
            float[] before = new float[output.data().length];
            java.util.Arrays.fill(before, 0.01f);
            float[] outputGrad = before.clone();
            Map<String, float[]> extra = new HashMap<>();
            term.apply(g, inputs, output, outputGrad, extra, 0);
            assertThat(extra).isEmpty();
            double diff = 0;
            double norm = 0;
            float[] x = output.data();
            for (int i = 0; i < x.length; i++) {
                float orig = x[i];
                double h = 1e-3;
                x[i] = (float) (orig + h);
                double up = x[i];
                double plus = term.apply(g, inputs, output, new float[x.length], new HashMap<>(), 0);
                x[i] = (float) (orig - h);
                double minus = term.apply(g, inputs, output, new float[x.length], new HashMap<>(), 0);
                double numeric = 2.5 * (plus - minus) / (up - x[i]);
                x[i] = orig;
                double added = outputGrad[i] - before[i];
                diff += (added - numeric) * (added - numeric);
                norm += numeric * numeric;
            }
            assertThat(norm).isGreaterThan(1e-10);
            assertThat(Math.sqrt(diff / norm)).as(kernel.toString()).isLessThan(2e-3);
        }
    }

    @Test
    void aTinyStudentTrainedOnMmdAloneMovesTowardTheTeachersDistribution() {
        Model student = generator("student", 2, 21);
        Network g = new Network(student);
        TeacherForward teacher = new TeacherForward(generator("teacher", 3, 22));
        DistributionMatching term = new DistributionMatching(teacher, featureNetwork(23), null, MmdKernel.GAUSSIAN,
                MmdTarget.TEACHER, 1.0, 1f, null, 0);
        Adam adam = new Adam(g.parameters(), Adam.Settings.gan(2e-2));
        Map<String, Tensor> inputs = latents(16, 24);
        double first = 0;
        double last = 0;
        int steps = 60;
        for (int s = 0; s < steps; s++) {
            Tensor out = g.forward(inputs, true);
            float[] grad = new float[out.data().length];
            double loss = term.apply(g, inputs, out, grad, new HashMap<>(), s);
            g.zeroGradients();
            g.backward(new Tensor(out.shape(), grad), true);
            adam.update();
            if (s < 5) {
                first += loss / 5;
            } else if (s >= steps - 5) {
                last += loss / 5;
            }
        }
        System.out.printf("kd_mmd: mean of steps 1-5 %.5f, of the last 5 %.5f%n", first, last);
        assertThat(first).isGreaterThan(0.01);
        assertThat(last).isLessThan(0.5 * first);
    }
}
