package dev.gancompress.metrics;

import dev.gancompress.GanCompressException;
import dev.gancompress.nn.Parallel;

import java.util.SplittableRandom;

/**
 * Kernel Inception Distance (Binkowski et al. 2018, "Demystifying MMD GANs"): the unbiased estimate of the
 * squared maximum mean discrepancy with the cubic polynomial kernel k(x, y) = (x.y / d + 1)^3, averaged over
 * random subsets. Unlike FID it has an unbiased estimator, so it can be compared across sample sizes and its
 * expectation is zero when both sets come from one distribution (small negative values are normal).
 * Defaults and the population standard deviation over subsets follow torch-fidelity.
 */
public final class KernelDistance {
    public static final int DEFAULT_SUBSETS = 100;
    public static final int DEFAULT_SUBSET_SIZE = 1000;
    private static final int BLOCK = 32;

    /** Mean and standard deviation of the MMD^2 estimates over the subsets. */
    public record Result(double mean, double std) {
    }

    private KernelDistance() {
    }

    public static Result between(float[][] real, float[][] generated, long seed) {
        return between(real, generated, DEFAULT_SUBSETS, DEFAULT_SUBSET_SIZE, seed);
    }

    public static Result between(float[][] real, float[][] generated, int subsets, int subsetSize, long seed) {
        int d = real.length == 0 ? 0 : real[0].length;
        return between(flatten(real, d, "real"), real.length, flatten(generated, d, "generated"), generated.length,
                d, subsets, subsetSize, seed);
    }

    /**
     * Features are row-major: real is nReal x d, generated nGenerated x d. Each subset draws
     * min(subsetSize, nReal, nGenerated) samples without replacement from each set.
     */
    public static Result between(float[] real, int nReal, float[] generated, int nGenerated, int d,
                                 int subsets, int subsetSize, long seed) {
        if (subsets < 1 || subsetSize < 2) {
            throw new GanCompressException("KID: subsets must be >= 1 and subset size >= 2, got " + subsets
                    + " and " + subsetSize);
        }
        if (d < 1 || real.length != (long) nReal * d || generated.length != (long) nGenerated * d) {
            throw new IllegalArgumentException("KID: feature arrays do not match n x d (d=" + d + ")");
        }
        int m = Math.min(subsetSize, Math.min(nReal, nGenerated));
        if (m < 2) {
            throw new GanCompressException("KID: need at least 2 real and 2 generated samples, got " + nReal
                    + " and " + nGenerated);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[] realOrder = identity(nReal);
        int[] generatedOrder = identity(nGenerated);
        double[] x = new double[m * d];
        double[] y = new double[m * d];
        double[] estimates = new double[subsets];
        for (int s = 0; s < subsets; s++) {
            gather(real, realOrder, m, d, random, x);
            gather(generated, generatedOrder, m, d, random, y);
            estimates[s] = unbiasedMmd2(x, y, m, d);
        }
        double mean = 0;
        for (double e : estimates) {
            mean += e;
        }
        mean /= subsets;
        double var = 0;
        for (double e : estimates) {
            var += (e - mean) * (e - mean);
        }
        return new Result(mean, Math.sqrt(var / subsets));
    }

    /**
     * MMD_u^2 = sum_{i != j} [k(x_i, x_j) + k(y_i, y_j)] / (m (m - 1)) - 2 sum_{i, j} k(x_i, y_j) / m^2.
     */
    static double unbiasedMmd2(double[] x, double[] y, int m, int d) {
        int blocks = (m + BLOCK - 1) / BLOCK;
        double[] xx = new double[blocks];
        double[] yy = new double[blocks];
        double[] xy = new double[blocks];
        Parallel.forRange(blocks, 1, (start, end) -> {
            double[] tile = new double[BLOCK * BLOCK];
            for (int bi = start; bi < end; bi++) {
                int r0 = bi * BLOCK;
                int rows = Math.min(BLOCK, m - r0);
                for (int c0 = 0; c0 < m; c0 += BLOCK) {
                    int cols = Math.min(BLOCK, m - c0);
                    InnerProducts.tile(x, r0, rows, x, c0, cols, d, tile);
                    xx[bi] += kernelSum(tile, rows, cols, r0, c0, d, true);
                    InnerProducts.tile(y, r0, rows, y, c0, cols, d, tile);
                    yy[bi] += kernelSum(tile, rows, cols, r0, c0, d, true);
                    InnerProducts.tile(x, r0, rows, y, c0, cols, d, tile);
                    xy[bi] += kernelSum(tile, rows, cols, r0, c0, d, false);
                }
            }
        });
        double sumXX = 0;
        double sumYY = 0;
        double sumXY = 0;
        for (int b = 0; b < blocks; b++) {
            sumXX += xx[b];
            sumYY += yy[b];
            sumXY += xy[b];
        }
        return (sumXX + sumYY) / ((double) m * (m - 1)) - 2 * sumXY / ((double) m * m);
    }

    private static double kernelSum(double[] dots, int rows, int cols, int r0, int c0, int d, boolean skipDiagonal) {
        double inv = 1.0 / d;
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (skipDiagonal && r0 + r == c0 + c) {
                    continue;
                }
                double base = dots[r * cols + c] * inv + 1;
                sum += base * base * base;
            }
        }
        return sum;
    }

    /** Draws m distinct rows (partial Fisher-Yates; uniform whatever the current order) into out as doubles. */
    private static void gather(float[] features, int[] order, int m, int d, SplittableRandom random, double[] out) {
        int n = order.length;
        for (int i = 0; i < m; i++) {
            int j = i + random.nextInt(n - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
            int src = order[i] * d;
            int dst = i * d;
            for (int k = 0; k < d; k++) {
                out[dst + k] = features[src + k];
            }
        }
    }

    private static int[] identity(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }

    static float[] flatten(float[][] rows, int d, String what) {
        float[] flat = new float[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != d) {
                throw new GanCompressException(what + " features: sample " + i + " has " + rows[i].length
                        + " dimensions, expected " + d);
            }
            System.arraycopy(rows[i], 0, flat, i * d, d);
        }
        return flat;
    }
}
