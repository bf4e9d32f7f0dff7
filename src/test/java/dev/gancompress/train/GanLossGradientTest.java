package dev.gancompress.train;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Each objective of {@link GanLoss} against central finite differences of the value it returns, and against the
 * formula its Javadoc names. Logits lie on a grid of 2^-12 with steps of 2^-10 (exact in float) and at least 0.1
 * from the hinge kinks at +-1, so the differences are exact but for the O(h^2) term.
 */
class GanLossGradientTest {
    private static final double H = 0x1p-10;
    private static final double TOLERANCE = 1e-5;

    private static float[] logits(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[10];
        for (int i = 0; i < x.length; i++) {
            double v;
            do {
                v = (rnd.nextDouble() * 2 - 1) * 3;
            } while (Math.abs(Math.abs(v) - 1) < 0.1);
            x[i] = (float) (Math.rint(v * 4096) / 4096);
        }
        return x;
    }

    private static double[] centralDifferences(ToDoubleFunction<float[]> loss, float[] x) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            float orig = x[i];
            x[i] = (float) (orig + H);
            double plus = loss.applyAsDouble(x);
            x[i] = (float) (orig - H);
            double minus = loss.applyAsDouble(x);
            x[i] = orig;
            g[i] = (plus - minus) / (2 * H);
        }
        return g;
    }

    /** The trainer reuses one gradient buffer for all three calls of a step, so each must overwrite it. */
    private static float[] garbage(int n) {
        float[] g = new float[n];
        Arrays.fill(g, 123f);
        return g;
    }

    private static void assertGradient(String what, float[] analytic, double[] numeric, double weight) {
        double max = Arrays.stream(numeric).map(Math::abs).max().orElse(0);
        assertThat(max).as(what + " has a gradient").isGreaterThan(0);
        for (int i = 0; i < numeric.length; i++) {
            assertThat((double) analytic[i]).as(what + " element " + i)
                    .isCloseTo(weight * numeric[i], within(TOLERANCE * weight * max));
        }
    }

    private static double softplus(double x) {
        return Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0);
    }

    @Test
    void discriminatorOnRealLogits() {
        float[] x = logits(1);
        for (GanLoss loss : GanLoss.values()) {
            float[] grad = garbage(x.length);
            double value = loss.discriminatorReal(x, grad);
            double formula = 0;
            for (float v : x) {
                // -log sigmoid(x) = softplus(-x); hinge: relu(1 - x)
                formula += loss == GanLoss.HINGE ? Math.max(0, 1 - v) : softplus(-v);
            }
            assertThat(value).as(loss + " real").isCloseTo(formula / x.length, within(1e-9));
            assertGradient(loss + " real", grad, centralDifferences(v -> loss.discriminatorReal(v, null), x), 1);
        }
    }

    @Test
    void discriminatorOnFakeLogits() {
        float[] x = logits(2);
        for (GanLoss loss : GanLoss.values()) {
            float[] grad = garbage(x.length);
            double value = loss.discriminatorFake(x, grad);
            double formula = 0;
            for (float v : x) {
                // -log(1 - sigmoid(x)) = softplus(x); hinge: relu(1 + x)
                formula += loss == GanLoss.HINGE ? Math.max(0, 1 + v) : softplus(v);
            }
            assertThat(value).as(loss + " fake").isCloseTo(formula / x.length, within(1e-9));
            assertGradient(loss + " fake", grad, centralDifferences(v -> loss.discriminatorFake(v, null), x), 1);
        }
    }

    @Test
    void generatorGradientIsWeightedAndItsValueIsNot() {
        float[] x = logits(3);
        float weight = 0.3f;
        for (GanLoss loss : GanLoss.values()) {
            float[] grad = garbage(x.length);
            double value = loss.generator(x, grad, weight);
            double formula = 0;
            for (float v : x) {
                formula += loss == GanLoss.HINGE ? -v : softplus(-v);
            }
            assertThat(value).as(loss + " generator value is unweighted").isCloseTo(formula / x.length, within(1e-9));
            assertGradient(loss + " generator", grad, centralDifferences(v -> loss.generator(v, null, 1f), x), weight);
        }
    }

    @Test
    void nonSaturatingGeneratorKeepsItsGradientWhenTheDiscriminatorWins() {
        // Goodfellow et al.'s reason for -log D(G(z)) over log(1 - D(G(z))): at logits far below 0 (fakes spotted)
        // the gradient stays at -1/n instead of vanishing like sigmoid(x)/n.
        float[] spotted = {-12f, -15f};
        float[] grad = new float[2];
        GanLoss.NON_SATURATING.generator(spotted, grad, 1f);
        assertThat(grad).containsExactly(new float[] {-0.5f, -0.5f}, within(1e-5f));
    }

    @Test
    void hingeDiscriminatorIgnoresLogitsBeyondTheMargin() {
        float[] confident = {1.5f, -1.5f};
        float[] grad = garbage(2);
        assertThat(GanLoss.HINGE.discriminatorReal(confident, grad)).isCloseTo(1.25, within(1e-9));
        assertThat(grad).containsExactly(0f, -0.5f);
        assertThat(GanLoss.HINGE.discriminatorFake(confident, grad)).isCloseTo(1.25, within(1e-9));
        assertThat(grad).containsExactly(0.5f, 0f);
    }
}
