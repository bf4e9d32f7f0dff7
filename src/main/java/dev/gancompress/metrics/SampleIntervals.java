package dev.gancompress.metrics;

import dev.gancompress.GanCompressException;
import dev.gancompress.nn.Gemm;
import dev.gancompress.nn.Parallel;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Confidence intervals of FID, KID, precision and recall for one generated sample set against a fixed reference
 * (see {@link QualityIntervals} for the method). A single evaluation of 10,000 samples moves FID by a few
 * percent between sampling seeds; without an interval a reader cannot tell that from a real difference.
 *
 * <p>Bootstrap (Efron and Tibshirani 1993, percentile method): each resample draws n generated rows with
 * replacement from a stream seeded by (seed, resample), so the interval is a pure function of its inputs.
 * KID's jackknife needs only the row sums of the three kernel matrices, computed blockwise with the engine's
 * GEMM, so it never holds an n x n matrix.
 */
public final class SampleIntervals {
    public static final int DEFAULT_RESAMPLES = 200;
    public static final double LEVEL = 0.95;
    /**
     * A real sample with more than this many generated samples covering it stays covered in any resample:
     * each is left out with probability (1 - 1/n)^n ~ e^-1, all of them with ~e^-64.
     */
    static final int COVERER_CAP = 64;
    private static final int ROWS = 256;

    private SampleIntervals() {
    }

    /** Features are row-major: real nReal x d, generated n x d; realStats are the real set's statistics. */
    public static QualityIntervals compute(float[] real, int nReal, GaussianStats realStats, float[] generated, int n,
                                           int d, int k, int resamples, long seed) {
        if (resamples < 10) {
            throw new GanCompressException("bootstrap resamples must be >= 10, got " + resamples);
        }
        if (real.length != (long) nReal * d || generated.length != (long) n * d) {
            throw new IllegalArgumentException("feature arrays do not match n x d (d=" + d + ")");
        }
        double[] realNorms = norms(real, nReal, d);
        double[] genNorms = norms(generated, n, d);
        double[] realRadii = PrecisionRecall.kthNeighbourRadii(real, realNorms, nReal, d, k);
        double[] genRadii = PrecisionRecall.kthNeighbourRadii(generated, genNorms, n, d, k);
        boolean[] insideReal = coveredMask(generated, genNorms, n, real, realNorms, realRadii, nReal, d);
        int[][] coverers = coverers(real, realNorms, nReal, generated, genNorms, genRadii, n, d, COVERER_CAP);

        double[] fid = new double[resamples];
        double[] precision = new double[resamples];
        double[] recall = new double[resamples];
        int[] counts = new int[n];
        float[] resampled = new float[n * d];
        for (int b = 0; b < resamples; b++) {
            SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + b * 0xC2B2AE3D27D4EB4FL + 7);
            Arrays.fill(counts, 0);
            for (int i = 0; i < n; i++) {
                int j = rnd.nextInt(n);
                counts[j]++;
                System.arraycopy(generated, j * d, resampled, i * d, d);
            }
            fid[b] = FrechetDistance.between(realStats, GaussianStats.of(resampled, n, d));
            long in = 0;
            for (int i = 0; i < n; i++) {
                if (insideReal[i]) {
                    in += counts[i];
                }
            }
            precision[b] = (double) in / n;
            long covered = 0;
            for (int[] c : coverers) {
                for (int g : c) {
                    if (counts[g] > 0) {
                        covered++;
                        break;
                    }
                }
            }
            recall[b] = (double) covered / nReal;
        }
        Jackknife kid = kidJackknife(real, nReal, generated, n, d);
        double z = 1.959963984540054;
        return new QualityIntervals(QualityIntervals.METHOD, resamples, LEVEL, seed, percentile(fid),
                kid.estimate(), new Interval(kid.estimate() - z * kid.standardError(),
                kid.estimate() + z * kid.standardError()), percentile(precision), percentile(recall));
    }

    /** The central 95% of the bootstrap distribution (linear interpolation between order statistics). */
    static Interval percentile(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double alpha = (1 - LEVEL) / 2;
        return new Interval(quantile(sorted, alpha), quantile(sorted, 1 - alpha));
    }

    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        double t = pos - lo;
        return sorted[lo] * (1 - t) + sorted[hi] * t;
    }

    /** Full-sample unbiased MMD^2 with the cubic kernel, and its delete-one jackknife standard error. */
    record Jackknife(double estimate, double standardError) {
    }

    static Jackknife kidJackknife(float[] x, int m, float[] y, int n, int d) {
        if (m < 3 || n < 3) {
            throw new GanCompressException("KID interval: need at least 3 real and 3 generated samples, got " + m
                    + " and " + n);
        }
        double[] rxx = new double[m];
        double[] ryy = new double[n];
        double[] rxy = new double[m];
        double[] cxy = new double[n];
        kernelRowSums(x, m, x, m, d, true, rxx, null);
        kernelRowSums(y, n, y, n, d, true, ryy, null);
        kernelRowSums(x, m, y, n, d, false, rxy, cxy);
        double sxx = sum(rxx);
        double syy = sum(ryy);
        double sxy = sum(rxy);
        double estimate = sxx / ((double) m * (m - 1)) + syy / ((double) n * (n - 1)) - 2 * sxy / ((double) m * n);
        // Leaving out x_i removes its row and column from the XX sum (2 r_xx[i]) and its row from XY.
        double[] leaveX = new double[m];
        for (int i = 0; i < m; i++) {
            leaveX[i] = (sxx - 2 * rxx[i]) / ((double) (m - 1) * (m - 2)) + syy / ((double) n * (n - 1))
                    - 2 * (sxy - rxy[i]) / ((double) (m - 1) * n);
        }
        double[] leaveY = new double[n];
        for (int j = 0; j < n; j++) {
            leaveY[j] = sxx / ((double) m * (m - 1)) + (syy - 2 * ryy[j]) / ((double) (n - 1) * (n - 2))
                    - 2 * (sxy - cxy[j]) / ((double) m * (n - 1));
        }
        double variance = jackknifeVariance(leaveX) + jackknifeVariance(leaveY);
        return new Jackknife(estimate, Math.sqrt(variance));
    }

    private static double jackknifeVariance(double[] leaveOneOut) {
        int n = leaveOneOut.length;
        double mean = sum(leaveOneOut) / n;
        double ss = 0;
        for (double v : leaveOneOut) {
            ss += (v - mean) * (v - mean);
        }
        return (n - 1.0) / n * ss;
    }

    /**
     * Row sums (and, when colSums is not null, column sums) of k(a_i, b_j) = (a_i.b_j / d + 1)^3, leaving out
     * the diagonal when a and b are the same set.
     */
    private static void kernelRowSums(float[] a, int na, float[] b, int nb, int d, boolean skipDiagonal,
                                      double[] rowSums, double[] colSums) {
        float[] dots = new float[ROWS * nb];
        double inv = 1.0 / d;
        int threads = Math.max(1, Parallel.threads());
        double[][] colPartial = colSums == null ? null : new double[threads][nb];
        for (int r0 = 0; r0 < na; r0 += ROWS) {
            int rows = Math.min(ROWS, na - r0);
            Gemm.gemm(false, true, rows, nb, d, a, r0 * d, d, b, 0, d, dots, 0, nb, false);
            int first = r0;
            int chunk = (rows + threads - 1) / threads;
            Parallel.forRange(threads, 1, (start, end) -> {
                for (int t = start; t < end; t++) {
                    int lo = t * chunk;
                    int hi = Math.min(rows, lo + chunk);
                    for (int r = lo; r < hi; r++) {
                        double s = 0;
                        int off = r * nb;
                        for (int c = 0; c < nb; c++) {
                            if (skipDiagonal && first + r == c) {
                                continue;
                            }
                            double base = dots[off + c] * inv + 1;
                            double kv = base * base * base;
                            s += kv;
                            if (colPartial != null) {
                                colPartial[t][c] += kv;
                            }
                        }
                        rowSums[first + r] = s;
                    }
                }
            });
        }
        if (colSums != null) {
            for (double[] partial : colPartial) {
                for (int c = 0; c < nb; c++) {
                    colSums[c] += partial[c];
                }
            }
        }
    }

    /** For each query, whether it lies within the radius of at least one reference sample. */
    static boolean[] coveredMask(float[] q, double[] qNorms, int nq, float[] ref, double[] refNorms,
                                 double[] refRadii, int nr, int d) {
        boolean[] covered = new boolean[nq];
        int[][] found = coverers(q, qNorms, nq, ref, refNorms, refRadii, nr, d, 1);
        for (int i = 0; i < nq; i++) {
            covered[i] = found[i].length > 0;
        }
        return covered;
    }

    /** For each query, up to {@code cap} reference samples whose ball contains it, in index order. */
    static int[][] coverers(float[] q, double[] qNorms, int nq, float[] ref, double[] refNorms, double[] refRadii,
                            int nr, int d, int cap) {
        int[][] result = new int[nq][];
        int block = 64;
        int cols = 256;
        int blocks = (nq + block - 1) / block;
        Parallel.forRange(blocks, 1, (start, end) -> {
            float[] tile = new float[block * cols];
            int[][] lists = new int[block][cap];
            int[] found = new int[block];
            for (int bi = start; bi < end; bi++) {
                int r0 = bi * block;
                int rows = Math.min(block, nq - r0);
                Arrays.fill(found, 0);
                int full = 0;
                for (int c0 = 0; c0 < nr && full < rows; c0 += cols) {
                    int nc = Math.min(cols, nr - c0);
                    InnerProducts.tile(q, r0, rows, ref, c0, nc, d, tile);
                    for (int r = 0; r < rows; r++) {
                        if (found[r] == cap) {
                            continue;
                        }
                        double na = qNorms[r0 + r];
                        for (int c = 0; c < nc && found[r] < cap; c++) {
                            double dist = Math.max(0.0, na + refNorms[c0 + c] - 2.0 * tile[r * nc + c]);
                            if (dist <= refRadii[c0 + c]) {
                                lists[r][found[r]++] = c0 + c;
                            }
                        }
                        if (found[r] == cap) {
                            full++;
                        }
                    }
                }
                for (int r = 0; r < rows; r++) {
                    result[r0 + r] = Arrays.copyOf(lists[r], found[r]);
                }
            }
        });
        return result;
    }

    private static double[] norms(float[] f, int n, int d) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = InnerProducts.dot(f, i * d, f, i * d, d);
        }
        return out;
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }
}
