package dev.gancompress.metrics;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class KernelDistanceTest {

    @Test
    void blockedEstimatorEqualsTheDirectDoubleSum() {
        // m = 37 is not a multiple of the 32-row block nor of the 4 x 4 register tile.
        int m = 37;
        int d = 5;
        Random r = new Random(1);
        double[] x = new double[m * d];
        double[] y = new double[m * d];
        for (int i = 0; i < m * d; i++) {
            x[i] = r.nextGaussian();
            y[i] = r.nextGaussian() + 0.3;
        }
        double xx = 0;
        double yy = 0;
        double xy = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                if (i != j) {
                    xx += k(x, i, x, j, d);
                    yy += k(y, i, y, j, d);
                }
                xy += k(x, i, y, j, d);
            }
        }
        double expected = (xx + yy) / (m * (m - 1.0)) - 2 * xy / ((double) m * m);
        assertThat(KernelDistance.unbiasedMmd2(x, y, m, d)).isCloseTo(expected, within(1e-12 * Math.abs(xx)));
    }

    private static double k(double[] a, int i, double[] b, int j, int d) {
        double dot = 0;
        for (int p = 0; p < d; p++) {
            dot += a[i * d + p] * b[j * d + p];
        }
        return Math.pow(dot / d + 1, 3);
    }

    @Test
    void sameDistributionGivesKidIndistinguishableFromZero() {
        float[][] real = GaussianStatsTest.gaussianSamples(2000, 16, 11, 0);
        float[][] generated = GaussianStatsTest.gaussianSamples(2000, 16, 12, 0);
        int subsets = 50;
        KernelDistance.Result kid = KernelDistance.between(real, generated, subsets, 100, 3);
        double stdError = kid.std() / Math.sqrt(subsets);
        assertThat(kid.std()).isPositive();
        assertThat(Math.abs(kid.mean())).isLessThan(3 * stdError);
    }

    @Test
    void shiftedDistributionGivesClearlyPositiveKid() {
        float[][] real = GaussianStatsTest.gaussianSamples(2000, 16, 11, 0);
        float[][] generated = GaussianStatsTest.gaussianSamples(2000, 16, 12, 0.5);
        int subsets = 50;
        KernelDistance.Result kid = KernelDistance.between(real, generated, subsets, 100, 3);
        assertThat(kid.mean()).isGreaterThan(10 * kid.std() / Math.sqrt(subsets));
        KernelDistance.Result further = KernelDistance.between(real,
                GaussianStatsTest.gaussianSamples(2000, 16, 12, 1.0), subsets, 100, 3);
        assertThat(further.mean()).isGreaterThan(kid.mean());
    }

    @Test
    void sameSeedSameResultAndSubsetSizeIsCappedByN() {
        float[][] real = GaussianStatsTest.gaussianSamples(60, 8, 1, 0);
        float[][] generated = GaussianStatsTest.gaussianSamples(50, 8, 2, 0.2);
        KernelDistance.Result a = KernelDistance.between(real, generated, 4, 1000, 42);
        KernelDistance.Result b = KernelDistance.between(real, generated, 4, 1000, 42);
        assertThat(a).isEqualTo(b);
        assertThat(Double.isFinite(a.mean())).isTrue();
    }
}
