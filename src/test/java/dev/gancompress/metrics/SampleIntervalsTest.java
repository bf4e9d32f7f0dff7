package dev.gancompress.metrics;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The intervals must be calibrated, not just present: over independent repetitions of the same experiment, a 95%
 * interval from one repetition should contain the average estimate most of the time, and its width should match
 * the spread of the estimates across repetitions.
 */
class SampleIntervalsTest {
    private static final int D = 8;

    private static float[] gaussian(int n, double shift, double scale, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] f = new float[n * D];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) (shift + scale * nextGaussian(rnd));
        }
        return f;
    }

    private static double nextGaussian(SplittableRandom rnd) {
        double u = 1 - rnd.nextDouble();
        double v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    @Test
    void intervalsAreCalibratedAcrossIndependentRepetitions() {
        int reps = 24;
        int n = 400;
        double[] fid = new double[reps];
        double[] kid = new double[reps];
        double[] recall = new double[reps];
        QualityIntervals[] intervals = new QualityIntervals[reps];
        for (int r = 0; r < reps; r++) {
            float[] real = gaussian(n, 0, 1, 1000 + r);
            float[] gen = gaussian(n, 0.3, 1.2, 2000 + r);
            GaussianStats realStats = GaussianStats.of(real, n, D);
            intervals[r] = SampleIntervals.compute(real, n, realStats, gen, n, D, 3, 20);
            fid[r] = FrechetDistance.between(realStats, GaussianStats.of(gen, n, D));
            kid[r] = intervals[r].kidEstimate();
            recall[r] = PrecisionRecall.between(real, n, gen, n, D, 3).recall();
        }
        double fidMean = mean(fid);
        double kidMean = mean(kid);
        double recallMean = mean(recall);
        int fidCovered = 0;
        int kidCovered = 0;
        int recallCovered = 0;
        double fidHalfWidth = 0;
        for (QualityIntervals iv : intervals) {
            fidCovered += contains(iv.fid(), fidMean) ? 1 : 0;
            kidCovered += contains(iv.kid(), kidMean) ? 1 : 0;
            recallCovered += contains(iv.recall(), recallMean) ? 1 : 0;
            fidHalfWidth += iv.fid().halfWidth() / reps;
        }
        // 95% nominal; with 24 repetitions anything from ~80% is consistent, below half means the SE is wrong
        assertThat(fidCovered).isGreaterThanOrEqualTo(18);
        assertThat(kidCovered).isGreaterThanOrEqualTo(18);
        assertThat(recallCovered).isGreaterThanOrEqualTo(18);
        // the average half-width is ~1.96 standard deviations of the estimates across repetitions
        double fidSd = sd(fid);
        assertThat(fidHalfWidth / (1.96 * fidSd)).isBetween(0.6, 1.7);
        // and not absurdly wide: an interval as wide as the estimate itself says nothing
        assertThat(fidHalfWidth).isLessThan(0.5 * fidMean);
    }

    @Test
    void intervalsContainTheirEstimatesAndShrinkWithMoreSamples() {
        QualityIntervals small = compute(200);
        QualityIntervals large = compute(1600);
        assertThat(large.fid().halfWidth()).isLessThan(small.fid().halfWidth() * 0.7);
        assertThat(large.kid().halfWidth()).isLessThan(small.kid().halfWidth() * 0.7);
        assertThat(large.recall().halfWidth()).isLessThan(small.recall().halfWidth());
        assertThat(contains(large.kid(), large.kidEstimate())).isTrue();
    }

    private static QualityIntervals compute(int n) {
        float[] real = gaussian(n, 0, 1, 5);
        float[] gen = gaussian(n, 0.3, 1.2, 6);
        return SampleIntervals.compute(real, n, GaussianStats.of(real, n, D), gen, n, D, 3, 20);
    }

    @Test
    void fullSampleKidEqualsTheUnbiasedEstimatorOnAllPairs() {
        int n = 300;
        float[] real = gaussian(n, 0, 1, 11);
        float[] gen = gaussian(n, 0.5, 1, 12);
        double[] x = new double[n * D];
        double[] y = new double[n * D];
        for (int i = 0; i < x.length; i++) {
            x[i] = real[i];
            y[i] = gen[i];
        }
        double reference = KernelDistance.unbiasedMmd2(x, y, n, D);
        SampleIntervals.Jackknife j = SampleIntervals.kidJackknife(real, n, gen, n, D);
        assertThat(j.estimate()).isCloseTo(reference, within(1e-4 * Math.abs(reference) + 1e-9));
        assertThat(j.standardError()).isPositive();
    }

    @Test
    void jackknifeVarianceOfAMeanIsItsSquaredStandardError() {
        // for the sample mean, delete-one jackknife variance equals s^2 / n exactly
        double[] v = {1, 4, 2, 8, 5, 7};
        int n = v.length;
        double mean = mean(v);
        double[] leaveOne = new double[n];
        for (int i = 0; i < n; i++) {
            leaveOne[i] = (mean * n - v[i]) / (n - 1);
        }
        double s2 = 0;
        for (double x : v) {
            s2 += (x - mean) * (x - mean);
        }
        s2 /= n - 1;
        assertThat(SampleIntervals.jackknifeVariance(leaveOne)).isCloseTo(s2 / n, within(1e-12));
    }

    @Test
    void coveredShareLeavesOutTheRightGroups() {
        int cap = SampleIntervals.COVERER_CAP;
        int[][] coverers = {{0}, {1}, {2, 3}, {}, new int[cap]};
        int[] alternate = {0, 1, 0, 1, 0};
        // references 0 and 2 are group 0, 1 and 3 group 1; queries 0, 2, 4 group 0
        assertThat(SampleIntervals.coveredShare(coverers, alternate, -1, alternate, -1)).isEqualTo(4.0 / 5);
        assertThat(SampleIntervals.coveredShare(coverers, alternate, -1, alternate, 0)).isEqualTo(3.0 / 5);
        assertThat(SampleIntervals.coveredShare(coverers, alternate, -1, alternate, 1)).isEqualTo(3.0 / 5);
        assertThat(SampleIntervals.coveredShare(coverers, alternate, 0, alternate, -1)).isEqualTo(1.0 / 2);
    }

    @Test
    void samplesOrderedByClassGetTheSameIntervalAsShuffledOnes() {
        // a conditional generator's labels cycle with the sample index; groups must not follow that cycle
        int n = 1000;
        int classes = 10;
        SplittableRandom rnd = new SplittableRandom(21);
        double[][] centres = new double[classes][D];
        for (double[] c : centres) {
            for (int j = 0; j < D; j++) {
                c[j] = 3 * nextGaussian(rnd);
            }
        }
        float[] real = new float[n * D];
        float[] cycled = new float[n * D];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < D; j++) {
                real[i * D + j] = (float) (centres[rnd.nextInt(classes)][j] + nextGaussian(rnd));
                cycled[i * D + j] = (float) (1.1 * centres[i % classes][j] + nextGaussian(rnd));
            }
        }
        float[] shuffled = cycled.clone();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        for (int i = 0; i < n; i++) {
            System.arraycopy(cycled, i * D, shuffled, perm[i] * D, D);
        }
        GaussianStats stats = GaussianStats.of(real, n, D);
        QualityIntervals a = SampleIntervals.compute(real, n, stats, cycled, n, D, 3, 20);
        QualityIntervals b = SampleIntervals.compute(real, n, stats, shuffled, n, D, 3, 20);
        assertThat(a.fid().halfWidth() / b.fid().halfWidth()).isBetween(0.6, 1.6);
        assertThat(a.recall().halfWidth() / b.recall().halfWidth()).isBetween(0.5, 2.0);
    }

    private static boolean contains(Interval iv, double v) {
        return iv.low() <= v && v <= iv.high();
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double sd(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }
}
