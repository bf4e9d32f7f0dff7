package dev.gancompress.nn;

import dev.gancompress.model.Weights;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Adam's update against Kingma and Ba (2015), Algorithm 1, written out here in double: m = b1 m + (1 - b1) g,
 * v = b2 v + (1 - b2) g^2, w -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps), with the weight decay
 * Adam.java implements added to the gradient first (g = grad + decay w, the L2 form, not AdamW's decoupled one).
 * The engine computes in float with the algebraically equal "efficient" form of Section 2. Its moments decay with
 * float betas while the bias correction uses the double ones: for beta2 = 0.999, 1 - (float) beta2 is off by
 * 1.3e-5, which makes an early step ~6e-6 too long relative to its size. Learning rates of 1e-2 keep that far
 * below the 1e-6 tolerance on weights of order 1, while a missing bias correction moves them by ~1e-1.
 */
class AdamStepTest {
    private static final double TOLERANCE = 1e-6;

    /** Known gradients for three steps of a four-element parameter: mixed signs, magnitudes and a zero. */
    private static final float[][] GRADIENTS = {
            {0.5f, -1.0f, 2e-3f, 0f},
            {-0.25f, -0.8f, 1e-3f, 0.3f},
            {0.1f, 0.6f, -4e-3f, 0f},
    };
    private static final float[] START = {1.0f, -0.5f, 0.25f, 2.0f};

    /** Algorithm 1 in double; returns the parameter after each step. */
    private static double[][] reference(Adam.Settings s, double[] start, float[][] grads) {
        int n = start.length;
        double[] w = start.clone();
        double[] m = new double[n];
        double[] v = new double[n];
        double[][] history = new double[grads.length][];
        for (int t = 1; t <= grads.length; t++) {
            for (int i = 0; i < n; i++) {
                double g = grads[t - 1][i] + s.weightDecay() * w[i];
                m[i] = s.beta1() * m[i] + (1 - s.beta1()) * g;
                v[i] = s.beta2() * v[i] + (1 - s.beta2()) * g * g;
                double mHat = m[i] / (1 - Math.pow(s.beta1(), t));
                double vHat = v[i] / (1 - Math.pow(s.beta2(), t));
                w[i] -= s.learningRate() * mHat / (Math.sqrt(vHat) + s.epsilon());
            }
            history[t - 1] = w.clone();
        }
        return history;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static Parameter parameter(float[] start) {
        return new Parameter("layer.weight", new Weights(new int[] {start.length}, start.clone()),
                new float[start.length]);
    }

    private static void assertSteps(Adam.Settings settings) {
        Parameter p = parameter(START);
        Adam adam = new Adam(List.of(p), settings);
        double[][] expected = reference(settings, toDouble(START), GRADIENTS);
        for (int t = 0; t < GRADIENTS.length; t++) {
            System.arraycopy(GRADIENTS[t], 0, p.grad(), 0, START.length);
            adam.update();
            assertThat(adam.stepCount()).isEqualTo(t + 1);
            for (int i = 0; i < START.length; i++) {
                assertThat((double) p.weights().data()[i]).as(settings + " step " + (t + 1) + " element " + i)
                        .isCloseTo(expected[t][i], within(TOLERANCE));
            }
        }
    }

    @Test
    void dcganSettingsFollowAlgorithmOne() {
        assertSteps(Adam.Settings.gan(0.01));
    }

    @Test
    void epsilonIsAddedToTheBiasCorrectedRootOfV() {
        // eps of the order of sqrt(v) makes its placement visible: outside the root, after bias correction
        assertSteps(new Adam.Settings(0.01, 0.9, 0.99, 1e-2, 0));
    }

    @Test
    void weightDecayIsAddedToTheGradient() {
        // element 3 has zero gradient at steps 1 and 3: only the decay term moves it then
        assertSteps(new Adam.Settings(0.01, 0.5, 0.999, 1e-8, 0.1));
    }

    @Test
    void theFirstStepMovesEachWeightByAboutTheLearningRate() {
        // The signature of bias correction: at t = 1, m_hat / sqrt(v_hat) = g / |g|, whatever the betas.
        Parameter p = parameter(START);
        Adam adam = new Adam(List.of(p), new Adam.Settings(0.01, 0.9, 0.999, 1e-8, 0));
        System.arraycopy(GRADIENTS[0], 0, p.grad(), 0, START.length);
        adam.update();
        float[] w = p.weights().data();
        for (int i = 0; i < 3; i++) {
            assertThat((double) START[i] - w[i]).as("element " + i)
                    .isCloseTo(0.01 * Math.signum(GRADIENTS[0][i]), within(1e-6));
        }
        assertThat(w[3]).as("zero gradient, no decay: unchanged").isEqualTo(START[3]);
    }

    @Test
    void anExplicitLearningRateOverridesTheSettingsForThatStep() {
        Parameter p = parameter(START);
        Adam adam = new Adam(List.of(p), Adam.Settings.gan(0.1));
        System.arraycopy(GRADIENTS[0], 0, p.grad(), 0, START.length);
        adam.step(0.02);
        double[] expected = reference(new Adam.Settings(0.02, 0.5, 0.999, 1e-8, 0), toDouble(START), GRADIENTS)[0];
        for (int i = 0; i < START.length; i++) {
            assertThat((double) p.weights().data()[i]).isCloseTo(expected[i], within(TOLERANCE));
        }
    }

    @Test
    void restoredStateContinuesExactlyWhereTheOriginalWas() {
        // a resumed run must continue the bias correction at step t + 1, not restart it at 1
        Adam.Settings settings = new Adam.Settings(0.05, 0.5, 0.999, 1e-8, 0.01);
        Parameter original = parameter(START);
        Adam a = new Adam(List.of(original), settings);
        for (int t = 0; t < 2; t++) {
            System.arraycopy(GRADIENTS[t], 0, original.grad(), 0, START.length);
            a.update();
        }
        Parameter resumed = parameter(original.weights().data());
        Adam b = new Adam(List.of(resumed), settings);
        b.restore(a.stepCount(), new float[][] {a.firstMoments()[0].clone()},
                new float[][] {a.secondMoments()[0].clone()});
        System.arraycopy(GRADIENTS[2], 0, original.grad(), 0, START.length);
        System.arraycopy(GRADIENTS[2], 0, resumed.grad(), 0, START.length);
        a.update();
        b.update();
        assertThat(resumed.weights().data()).containsExactly(original.weights().data());
        assertThat(b.stepCount()).isEqualTo(3);
    }

    @Test
    void restoreRejectsStateOfAnotherShape() {
        Adam adam = new Adam(List.of(parameter(START)), Adam.Settings.gan(0.1));
        assertThatThrownBy(() -> adam.restore(1, new float[][] {new float[3]}, new float[][] {new float[4]}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wrong size");
        assertThatThrownBy(() -> adam.restore(1, new float[2][4], new float[2][4]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 1");
    }

    @Test
    void maskedWeightsStayExactlyZeroWhateverTheirGradient() {
        // Adam re-applies the mask after its update; without that, momentum and the gradient (and weight decay,
        // which is zero at w = 0 but not once w has moved) would revive pruned weights on the first step.
        Parameter p = parameter(START);
        float[] mask = {1f, 0f, 1f, 0f};
        p.weights().setMask(mask);
        Adam.Settings settings = new Adam.Settings(0.01, 0.5, 0.999, 1e-8, 0.1);
        Adam adam = new Adam(List.of(p), settings);
        // the unmasked elements follow Algorithm 1 from their own start; masked ones start at 0 and stay there
        double[] start = {START[0], 0, START[2], 0};
        double[][] expected = reference(settings, start, GRADIENTS);
        float[][] dense = {{0.5f, -1f, 2e-3f, 0.7f}, {-0.25f, -0.8f, 1e-3f, 0.3f}, {0.1f, 0.6f, -4e-3f, -0.2f}};
        for (int t = 0; t < dense.length; t++) {
            System.arraycopy(dense[t], 0, p.grad(), 0, START.length);
            adam.update();
            float[] w = p.weights().data();
            assertThat(w[1]).as("masked element 1 after step " + (t + 1)).isEqualTo(0f);
            assertThat(w[3]).as("masked element 3 after step " + (t + 1)).isEqualTo(0f);
            assertThat((double) w[0]).isCloseTo(expected[t][0], within(TOLERANCE));
            assertThat((double) w[2]).isCloseTo(expected[t][2], within(TOLERANCE));
        }
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThatThrownBy(() -> new Adam.Settings(0, 0.5, 0.999, 1e-8, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lr > 0");
        assertThatThrownBy(() -> new Adam.Settings(1e-3, 1, 0.999, 1e-8, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("betas in [0, 1)");
        assertThatThrownBy(() -> new Adam.Settings(1e-3, 0.5, 0.999, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eps > 0");
        assertThatThrownBy(() -> new Adam.Settings(1e-3, 0.5, 1, 1e-8, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("betas in [0, 1)");
        assertThatThrownBy(() -> new Adam.Settings(1e-3, 0.5, 0.999, 1e-8, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight decay >= 0");
        // the closed ends of the ranges: betas of 0 (plain RMS-scaled steps) and no decay are valid
        assertThat(new Adam.Settings(1e-3, 0, 0, 1e-8, 0).beta1()).isZero();
    }
}
