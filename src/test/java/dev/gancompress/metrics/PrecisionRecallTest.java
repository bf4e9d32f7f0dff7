package dev.gancompress.metrics;

import dev.gancompress.GanCompressException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PrecisionRecallTest {

    @Test
    void identicalSetsHavePerfectPrecisionAndRecall() {
        float[][] real = GaussianStatsTest.gaussianSamples(300, 24, 1, 0);
        PrecisionRecall.Result pr = PrecisionRecall.between(real, real);
        assertThat(pr.precision()).isEqualTo(1.0);
        assertThat(pr.recall()).isEqualTo(1.0);
    }

    @Test
    void coveringOneOfTwoModesIsPreciseButRecallsHalf() {
        float[][] modeA = GaussianStatsTest.gaussianSamples(400, 4, 2, -10);
        float[][] modeB = GaussianStatsTest.gaussianSamples(400, 4, 3, 10);
        float[][] real = new float[800][];
        System.arraycopy(modeA, 0, real, 0, 400);
        System.arraycopy(modeB, 0, real, 400, 400);
        float[][] generated = GaussianStatsTest.gaussianSamples(400, 4, 4, -10);
        PrecisionRecall.Result pr = PrecisionRecall.between(real, generated);
        assertThat(pr.precision()).isGreaterThan(0.85);
        // Only mode A's real samples can be covered; within it, coverage is as high as the precision.
        assertThat(pr.recall()).isBetween(0.4, 0.5);
    }

    @Test
    void blockedComputationMatchesBruteForce() {
        // Sizes that leave remainders in the 64 x 256 tiles and the 4 x 4 register block.
        int nReal = 301;
        int nGen = 263;
        int d = 13;
        float[][] real = GaussianStatsTest.gaussianSamples(nReal, d, 5, 0);
        float[][] generated = GaussianStatsTest.gaussianSamples(nGen, d, 6, 0.4);
        PrecisionRecall.Result pr = PrecisionRecall.between(real, generated, 3);
        assertThat(pr.precision()).isEqualTo(bruteCoverage(generated, real, 3));
        assertThat(pr.recall()).isEqualTo(bruteCoverage(real, generated, 3));
        assertThat(pr.precision()).isBetween(0.05, 0.999);
    }

    /** Direct double-precision distances; a few borderline samples could differ, so sizes keep it exact. */
    private static double bruteCoverage(float[][] queries, float[][] reference, int k) {
        double[] radii = new double[reference.length];
        for (int i = 0; i < reference.length; i++) {
            double[] dist = new double[reference.length];
            for (int j = 0; j < reference.length; j++) {
                dist[j] = sq(reference[i], reference[j]);
            }
            Arrays.sort(dist);
            radii[i] = dist[k];
        }
        int covered = 0;
        for (float[] q : queries) {
            for (int j = 0; j < reference.length; j++) {
                if (sq(q, reference[j]) <= radii[j]) {
                    covered++;
                    break;
                }
            }
        }
        return (double) covered / queries.length;
    }

    private static double sq(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double diff = (double) a[i] - b[i];
            s += diff * diff;
        }
        return s;
    }

    @Test
    void tooFewSamplesForKIsAnInputError() {
        float[][] three = GaussianStatsTest.gaussianSamples(3, 4, 1, 0);
        assertThatThrownBy(() -> PrecisionRecall.between(three, three, 3))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("more than k=3");
    }

    @Test
    void randomFlatInputAgreesWithRowInput() {
        Random r = new Random(9);
        int n = 70;
        int d = 6;
        float[] flat = new float[n * d];
        float[][] rows = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                flat[i * d + j] = rows[i][j] = (float) r.nextGaussian();
            }
        }
        float[][] gen = GaussianStatsTest.gaussianSamples(n, d, 3, 0.2);
        PrecisionRecall.Result a = PrecisionRecall.between(rows, gen, 3);
        PrecisionRecall.Result b = PrecisionRecall.between(flat, n, KernelDistance.flatten(gen, d, "gen"), n, d, 3);
        assertThat(a).isEqualTo(b);
    }
}
