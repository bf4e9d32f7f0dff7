package dev.gancompress.nn;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Every loss of {@link Losses} against central finite differences of the loss itself, and its value against the
 * textbook formula evaluated independently in double. The losses sum in double but form per-element
 * differences (x - target, 1 - sign x) in float, so inputs lie on a grid of 2^-12 and the step is 2^-10: then
 * x +- h and those differences are exact, the finite differences are exact to ~1e-12, and the tolerance only
 * has to absorb the float cast of the gradient and the O(h^2) truncation. Inputs stay at least 0.1 away from the
 * kinks of hinge and L1, so no difference straddles one.
 */
class LossGradientTest {
    private static final double H = 0x1p-10;
    private static final double GRID = 0x1p-12;
    /** Relative to the largest gradient entry: a float gradient is good to ~1e-7, truncation here to ~1e-7. */
    private static final double TOLERANCE = 1e-5;

    /** dL/dx_i by central differences, dividing by the step the float inputs really took. */
    static double[] centralDifferences(ToDoubleFunction<float[]> loss, float[] x) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            float orig = x[i];
            float plus = (float) (orig + H);
            float minus = (float) (orig - H);
            x[i] = plus;
            double lp = loss.applyAsDouble(x);
            x[i] = minus;
            double lm = loss.applyAsDouble(x);
            x[i] = orig;
            g[i] = (lp - lm) / ((double) plus - minus);
        }
        return g;
    }

    static void assertGradient(String what, float[] analytic, double[] numeric, double scale) {
        double max = 0;
        for (double v : numeric) {
            max = Math.max(max, Math.abs(v));
        }
        assertThat(max).as(what + ": numeric gradient is not trivially zero").isGreaterThan(0);
        for (int i = 0; i < numeric.length; i++) {
            assertThat((double) analytic[i]).as(what + " element " + i)
                    .isCloseTo(scale * numeric[i], within(TOLERANCE * scale * max));
        }
    }

    /** Values in [-range, range] at least {@code gap} away from every point of {@code kinks}. */
    static float[] awayFrom(long seed, int n, double range, double gap, double... kinks) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double v;
            boolean ok;
            do {
                v = (rnd.nextDouble() * 2 - 1) * range;
                ok = true;
                for (double k : kinks) {
                    ok &= Math.abs(v - k) >= gap;
                }
            } while (!ok);
            x[i] = (float) (Math.rint(v / GRID) * GRID);
        }
        return x;
    }

    private static float[] filled(long seed, int n) {
        return awayFrom(seed, n, 5, 0);
    }

    /** A loss of the (input, gradient, weight, accumulate) family, for the weight and accumulate checks. */
    private interface WeightedLoss {
        double apply(float[] x, float[] grad, float weight, boolean accumulate);
    }

    /**
     * The contract of the class Javadoc: the returned loss does not depend on the weight or on a gradient being
     * asked for; the gradient is the weight times dL/dx; accumulate adds to what the array held, otherwise the
     * old content is overwritten.
     */
    private static void checkContract(String what, WeightedLoss loss, float[] x) {
        double expected = loss.apply(x, null, 1f, false);
        double[] numeric = centralDifferences(v -> loss.apply(v, null, 1f, false), x);

        float[] unit = new float[x.length];
        assertThat(loss.apply(x, unit, 1f, false)).as(what + " value with a gradient").isEqualTo(expected);
        assertGradient(what, unit, numeric, 1);

        float weight = 0.37f;
        float[] garbage = filled(99, x.length);
        float[] weighted = garbage.clone();
        assertThat(loss.apply(x, weighted, weight, false)).as(what + " value is unweighted").isEqualTo(expected);
        assertGradient(what + " weighted, overwriting", weighted, numeric, weight);

        float[] fresh = new float[x.length];
        loss.apply(x, fresh, weight, false);
        float[] accumulated = garbage.clone();
        loss.apply(x, accumulated, weight, true);
        for (int i = 0; i < x.length; i++) {
            assertThat(accumulated[i]).as(what + " accumulate at " + i).isEqualTo(garbage[i] + fresh[i]);
        }
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @Test
    void bceWithLogitsMatchesItsFormulaAndDifferences() {
        float[] x = awayFrom(1, 12, 4, 0);
        for (float target : new float[] {0f, 1f, 0.3f}) {
            double formula = 0;
            for (float v : x) {
                formula += -target * Math.log(sigmoid(v)) - (1 - target) * Math.log(1 - sigmoid(v));
            }
            assertThat(Losses.bceWithLogits(x, target, null, 1f, false)).as("BCE at target " + target)
                    .isCloseTo(formula / x.length, within(1e-12));
            checkContract("bce target " + target, (v, g, w, acc) -> Losses.bceWithLogits(v, target, g, w, acc), x);
        }
    }

    @Test
    void bceWithLogitsStaysFiniteAndKeepsItsGradientAtLargeLogits() {
        // log(1 + exp(100)) overflows a naive form; the gradient must still be sigma(x) - target, not 0 or NaN.
        float[] x = {100f, -100f, 40f, -40f};
        float[] grad = new float[4];
        double loss = Losses.bceWithLogits(x, 1f, grad, 1f, false);
        assertThat(loss).isCloseTo((0 + 100 + 0 + 40) / 4.0, within(1e-9));
        assertThat(grad).containsExactly(new float[] {0f, -0.25f, 0f, -0.25f}, within(1e-7f));
        loss = Losses.bceWithLogits(x, 0f, grad, 1f, false);
        assertThat(loss).isCloseTo((100 + 0 + 40 + 0) / 4.0, within(1e-9));
        assertThat(grad).containsExactly(new float[] {0.25f, 0f, 0.25f, 0f}, within(1e-7f));
        // exp(1000) overflows a double: sigmoid must be formed from exp(-|x|) on each side
        float[] extreme = {1000f, -1000f};
        float[] g2 = new float[2];
        assertThat(Losses.bceWithLogits(extreme, 0.5f, g2, 1f, false)).isCloseTo(500, within(1e-9));
        assertThat(g2).containsExactly(new float[] {0.25f, -0.25f}, within(1e-7f));
    }

    @Test
    void hingeAtItsKinkTakesTheZeroSubgradient() {
        // the ReLU convention, as l1 at 0: a logit exactly on the margin neither adds loss nor gets pushed
        float[] onMargin = {1f, -1f};
        float[] grad = {7f, 7f};
        assertThat(Losses.hingeDiscriminator(onMargin, +1, grad, 1f, false)).isEqualTo(1.0);
        assertThat(grad).containsExactly(0f, -0.5f);
        assertThat(Losses.hingeDiscriminator(onMargin, -1, grad, 1f, false)).isEqualTo(1.0);
        assertThat(grad).containsExactly(0.5f, 0f);
    }

    @Test
    void hingeDiscriminatorForRealAndFakeLogits() {
        for (int sign : new int[] {+1, -1}) {
            // the kink is where sign * x = 1; inputs on both sides of it
            float[] x = awayFrom(2 + sign, 16, 3, 0.1, sign);
            double formula = 0;
            int active = 0;
            for (float v : x) {
                formula += Math.max(0, 1 - sign * (double) v);
                active += 1 - sign * v > 0 ? 1 : 0;
            }
            assertThat(active).as("both sides of the kink are exercised").isBetween(1, x.length - 1);
            assertThat(Losses.hingeDiscriminator(x, sign, null, 1f, false)).as("hinge sign " + sign)
                    .isCloseTo(formula / x.length, within(1e-12));
            checkContract("hinge D sign " + sign, (v, g, w, acc) -> Losses.hingeDiscriminator(v, sign, g, w, acc), x);
        }
    }

    @Test
    void hingeGeneratorIsMinusTheMeanLogit() {
        float[] x = awayFrom(4, 10, 3, 0);
        double formula = 0;
        for (float v : x) {
            formula -= v;
        }
        assertThat(Losses.hingeGenerator(x, null, 1f, false)).isCloseTo(formula / x.length, within(1e-12));
        checkContract("hinge G", Losses::hingeGenerator, x);
    }

    @Test
    void l1AwayFromItsKinkAndZeroSubgradientAtIt() {
        float[] target = awayFrom(5, 14, 2, 0);
        float[] x = awayFrom(6, 14, 2, 0);
        for (int i = 0; i < x.length; i++) {
            if (Math.abs(x[i] - target[i]) < 0.1) {
                x[i] = target[i] + 0.5f;
            }
        }
        double formula = 0;
        for (int i = 0; i < x.length; i++) {
            formula += Math.abs((double) x[i] - target[i]);
        }
        assertThat(Losses.l1(x, target, null, 1f, false)).isCloseTo(formula / x.length, within(1e-12));
        checkContract("l1", (v, g, w, acc) -> Losses.l1(v, target, g, w, acc), x);

        float[] grad = {7f, 7f};
        Losses.l1(new float[] {0.5f, 1f}, new float[] {0.5f, 0f}, grad, 1f, false);
        assertThat(grad).containsExactly(0f, 0.5f);
    }

    @Test
    void l2IsTheMeanSquaredError() {
        float[] target = awayFrom(7, 9, 2, 0);
        float[] x = awayFrom(8, 9, 2, 0);
        double formula = 0;
        for (int i = 0; i < x.length; i++) {
            formula += ((double) x[i] - target[i]) * ((double) x[i] - target[i]);
        }
        assertThat(Losses.l2(x, target, null, 1f, false)).isCloseTo(formula / x.length, within(1e-12));
        checkContract("l2", (v, g, w, acc) -> Losses.l2(v, target, g, w, acc), x);
    }

    @Test
    void softmaxCrossEntropyOverRows() {
        int classes = 4;
        int[] labels = {0, 3, 2};
        float[] x = awayFrom(9, labels.length * classes, 3, 0);
        double formula = 0;
        for (int r = 0; r < labels.length; r++) {
            double z = 0;
            for (int c = 0; c < classes; c++) {
                z += Math.exp(x[r * classes + c]);
            }
            formula += -Math.log(Math.exp(x[r * classes + labels[r]]) / z);
        }
        assertThat(Losses.softmaxCrossEntropy(x, classes, labels, null)).isCloseTo(formula / labels.length,
                within(1e-12));
        float[] grad = filled(10, x.length);
        Losses.softmaxCrossEntropy(x, classes, labels, grad);
        assertGradient("softmax CE", grad,
                centralDifferences(v -> Losses.softmaxCrossEntropy(v, classes, labels, null), x), 1);
    }

    @Test
    void softmaxCrossEntropyIsStableAtLargeLogits() {
        float[] x = {1000f, 0f, -1000f, 0f};
        float[] grad = new float[4];
        double loss = Losses.softmaxCrossEntropy(x, 2, new int[] {1, 0}, grad);
        // each row's label has logit 1000 below the other one: loss 1000 per row
        assertThat(loss).isCloseTo(1000, within(1e-9));
        assertThat(grad).containsExactly(new float[] {0.5f, -0.5f, -0.5f, 0.5f}, within(1e-7f));
    }
}
