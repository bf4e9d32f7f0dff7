package dev.gancompress.metrics;

import dev.gancompress.GanCompressException;
import dev.gancompress.nn.Gemm;
import dev.gancompress.nn.Parallel;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Confidence intervals of FID, KID, precision and recall for one generated sample set against a real reference
 * set (see {@link QualityIntervals}). A single evaluation of 10,000 samples moves FID by a few percent between
 * sampling seeds; without an interval a reader cannot tell that from a real difference.
 *
 * <p>Delete-a-group jackknife (Quenouille-Tukey; Efron and Tibshirani 1993, ch. 11) over both sample sets: the
 * samples of each set are split into G groups by a seeded random permutation (never by index modulo G: a
 * conditional generator's labels cycle with the index, so such groups would each hold a few classes and leaving one
 * out would swing the metric), the metric is recomputed with one group left
 * out, and the variances from the two sets add (they are independent samples). The interval is the estimate
 * +- 1.96 standard errors. Why not the bootstrap: a resample with replacement holds only ~63% distinct samples,
 * which inflates FID's finite-sample bias and shrinks the union of k-NN balls behind recall, so bootstrap
 * intervals were shifted away from the estimate (measured: recall 0.544 with a bootstrap interval of
 * [0.414, 0.461]); leaving out 1/G of the samples perturbs them by ~1/G only. KID uses the exact delete-one
 * jackknife of the full-sample unbiased estimate, which needs only row sums of the kernel matrices.
 * The k-NN radii of precision/recall are those of the full sets (leaving a group out changes few of them).
 */
public final class SampleIntervals {
    public static final int DEFAULT_GROUPS = 20;
    public static final double LEVEL = 0.95;
    static final double Z = 1.959963984540054;
    /**
     * A sample with more than this many covering samples stays covered whichever group is left out: the cap
     * would need all of them in one group of 1/G of the set.
     */
    static final int COVERER_CAP = 64;
    /** Fixed, so that an interval is a pure function of the features. */
    private static final long GROUP_SEED = 0x5EED_6A0L;
    private static final int ROWS = 256;

    private SampleIntervals() {
    }

    /** Features are row-major: real nReal x d, generated n x d; realStats are the real set's statistics. */
    public static QualityIntervals compute(float[] real, int nReal, GaussianStats realStats, float[] generated, int n,
                                           int d, int k, int groups) {
        return compute(real, nReal, realStats, generated, n, GaussianStats.of(generated, n, d), d, k, groups);
    }

    /** The same, reusing the generated set's statistics the caller already computed for its FID. */
    public static QualityIntervals compute(float[] real, int nReal, GaussianStats realStats, float[] generated, int n,
                                           GaussianStats genStats, int d, int k, int groups) {
        if (groups < 2 || groups > Math.min(nReal, n)) {
            throw new GanCompressException("jackknife groups must be in [2, min(real, generated)], got " + groups
                    + " for " + nReal + " real and " + n + " generated samples");
        }
        if (real.length != (long) nReal * d || generated.length != (long) n * d) {
            throw new IllegalArgumentException("feature arrays do not match n x d (d=" + d + ")");
        }
        double[] realNorms = norms(real, nReal, d);
        double[] genNorms = norms(generated, n, d);
        double[] realRadii = PrecisionRecall.kthNeighbourRadii(real, realNorms, nReal, d, k);
        double[] genRadii = PrecisionRecall.kthNeighbourRadii(generated, genNorms, n, d, k);
        // precision: generated samples inside the real manifold; recall: real samples inside the generated one
        int[][] realCoverersOfGenerated = coverers(generated, genNorms, n, real, realNorms, realRadii, nReal, d,
                COVERER_CAP);
        int[][] genCoverersOfReal = coverers(real, realNorms, nReal, generated, genNorms, genRadii, n, d, COVERER_CAP);

        double[] fidLeaveGen = new double[groups];
        double[] fidLeaveReal = new double[groups];
        double[] precisionLeaveGen = new double[groups];
        double[] precisionLeaveReal = new double[groups];
        double[] recallLeaveGen = new double[groups];
        double[] recallLeaveReal = new double[groups];
        int[] genGroup = groupsOf(n, groups, GROUP_SEED);
        int[] realGroup = groupsOf(nReal, groups, GROUP_SEED + 1);
        for (int g = 0; g < groups; g++) {
            fidLeaveGen[g] = FrechetDistance.between(realStats, GaussianStats.of(without(generated, d, genGroup, g),
                    n - count(genGroup, g), d));
            fidLeaveReal[g] = FrechetDistance.between(GaussianStats.of(without(real, d, realGroup, g),
                    nReal - count(realGroup, g), d), genStats);
            precisionLeaveGen[g] = coveredShare(realCoverersOfGenerated, genGroup, g, realGroup, -1);
            precisionLeaveReal[g] = coveredShare(realCoverersOfGenerated, genGroup, -1, realGroup, g);
            recallLeaveGen[g] = coveredShare(genCoverersOfReal, realGroup, -1, genGroup, g);
            recallLeaveReal[g] = coveredShare(genCoverersOfReal, realGroup, g, genGroup, -1);
        }
        double fid = FrechetDistance.between(realStats, genStats);
        double precision = coveredShare(realCoverersOfGenerated, genGroup, -1, realGroup, -1);
        double recall = coveredShare(genCoverersOfReal, realGroup, -1, genGroup, -1);
        Jackknife kid = kidJackknife(real, nReal, generated, n, d);
        return new QualityIntervals(QualityIntervals.METHOD, groups, LEVEL,
                around(fid, fidLeaveGen, fidLeaveReal), kid.estimate(),
                new Interval(kid.estimate() - Z * kid.standardError(), kid.estimate() + Z * kid.standardError()),
                around(precision, precisionLeaveGen, precisionLeaveReal),
                around(recall, recallLeaveGen, recallLeaveReal));
    }

    /** estimate +- z * sqrt(grouped-jackknife variance from both sets). */
    static Interval around(double estimate, double[] leaveA, double[] leaveB) {
        double se = Math.sqrt(jackknifeVariance(leaveA) + jackknifeVariance(leaveB));
        return new Interval(estimate - Z * se, estimate + Z * se);
    }

    /**
     * Share of queries (leaving out query group {@code skipQueries}) with at least one coverer outside reference
     * group {@code skipRefs}; -1 leaves nothing out. A full coverer list counts as covered (see COVERER_CAP).
     */
    static double coveredShare(int[][] coverers, int[] queryGroup, int skipQueries, int[] refGroup, int skipRefs) {
        long covered = 0;
        long total = 0;
        for (int i = 0; i < coverers.length; i++) {
            if (queryGroup[i] == skipQueries) {
                continue;
            }
            total++;
            int[] c = coverers[i];
            if (c.length == COVERER_CAP) {
                covered++;
                continue;
            }
            for (int r : c) {
                if (refGroup[r] != skipRefs) {
                    covered++;
                    break;
                }
            }
        }
        return (double) covered / total;
    }

    /** Group of each of n samples: positions of a seeded shuffle, dealt round-robin (sizes differ by at most 1). */
    static int[] groupsOf(int n, int groups, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] group = new int[n];
        for (int pos = 0; pos < n; pos++) {
            group[order[pos]] = pos % groups;
        }
        return group;
    }

    private static int count(int[] group, int g) {
        int c = 0;
        for (int x : group) {
            c += x == g ? 1 : 0;
        }
        return c;
    }

    private static float[] without(float[] f, int d, int[] group, int g) {
        int n = group.length;
        float[] out = new float[(n - count(group, g)) * d];
        int o = 0;
        for (int i = 0; i < n; i++) {
            if (group[i] != g) {
                System.arraycopy(f, i * d, out, o, d);
                o += d;
            }
        }
        return out;
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

    /** Jackknife variance (n - 1)/n * sum (theta_i - mean)^2 of n leave-one(-group)-out estimates. */
    static double jackknifeVariance(double[] leaveOneOut) {
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
