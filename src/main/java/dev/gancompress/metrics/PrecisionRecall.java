package dev.gancompress.metrics;

import dev.gancompress.GanCompressException;
import dev.gancompress.nn.Parallel;

import java.util.Arrays;

/**
 * Improved precision and recall (Kynkaanniemi et al. 2019, "Improved Precision and Recall Metric for
 * Assessing Generative Models"). Each set's manifold is approximated by the union of balls centred at its
 * samples with radius the distance to the k-th nearest neighbour in the same set. Precision is the fraction
 * of generated samples inside the real manifold (fidelity), recall the fraction of real samples inside the
 * generated manifold (coverage); FID mixes the two, these separate them.
 *
 * <p>Squared distances come from ||a||^2 + ||b||^2 - 2 a.b over tiles of float inner products, so memory
 * stays O(n k + threads * tile) instead of the n x n distance matrix of the reference implementation.
 */
public final class PrecisionRecall {
    public static final int DEFAULT_K = 3;
    private static final int ROW_BLOCK = 64;
    private static final int COL_BLOCK = 256;

    public record Result(double precision, double recall) {
    }

    private PrecisionRecall() {
    }

    public static Result between(float[][] real, float[][] generated) {
        return between(real, generated, DEFAULT_K);
    }

    public static Result between(float[][] real, float[][] generated, int k) {
        int d = real.length == 0 ? 0 : real[0].length;
        return between(KernelDistance.flatten(real, d, "real"), real.length,
                KernelDistance.flatten(generated, d, "generated"), generated.length, d, k);
    }

    /** Features are row-major: real is nReal x d, generated nGenerated x d. */
    public static Result between(float[] real, int nReal, float[] generated, int nGenerated, int d, int k) {
        if (k < 1) {
            throw new GanCompressException("precision/recall: k must be >= 1, got " + k);
        }
        if (nReal <= k || nGenerated <= k) {
            throw new GanCompressException("precision/recall: need more than k=" + k + " samples in each set, got "
                    + nReal + " real and " + nGenerated + " generated");
        }
        if (d < 1 || real.length != (long) nReal * d || generated.length != (long) nGenerated * d) {
            throw new IllegalArgumentException("precision/recall: feature arrays do not match n x d (d=" + d + ")");
        }
        double[] realNorms = squaredNorms(real, nReal, d);
        double[] generatedNorms = squaredNorms(generated, nGenerated, d);
        double[] realRadii = kthNeighbourRadii(real, realNorms, nReal, d, k);
        double[] generatedRadii = kthNeighbourRadii(generated, generatedNorms, nGenerated, d, k);
        double precision = coveredFraction(generated, generatedNorms, nGenerated, real, realNorms, realRadii, nReal, d);
        double recall = coveredFraction(real, realNorms, nReal, generated, generatedNorms, generatedRadii, nGenerated, d);
        return new Result(precision, recall);
    }

    /**
     * Squared distance from each sample to its k-th nearest neighbour in the same set. The sample itself is
     * among the candidates (distance ~0), so the k-th neighbour is entry k of the sorted k + 1 smallest,
     * as in the reference implementation.
     */
    static double[] kthNeighbourRadii(float[] f, double[] norms, int n, int d, int k) {
        double[] radii = new double[n];
        int blocks = (n + ROW_BLOCK - 1) / ROW_BLOCK;
        Parallel.forRange(blocks, 1, (start, end) -> {
            float[] tile = new float[ROW_BLOCK * COL_BLOCK];
            double[][] best = new double[ROW_BLOCK][k + 1];
            for (int b = start; b < end; b++) {
                int r0 = b * ROW_BLOCK;
                int rows = Math.min(ROW_BLOCK, n - r0);
                for (double[] row : best) {
                    Arrays.fill(row, Double.POSITIVE_INFINITY);
                }
                for (int c0 = 0; c0 < n; c0 += COL_BLOCK) {
                    int cols = Math.min(COL_BLOCK, n - c0);
                    InnerProducts.tile(f, r0, rows, f, c0, cols, d, tile);
                    for (int r = 0; r < rows; r++) {
                        double[] top = best[r];
                        double na = norms[r0 + r];
                        for (int c = 0; c < cols; c++) {
                            double dist = squaredDistance(na, norms[c0 + c], tile[r * cols + c]);
                            if (dist < top[k]) {
                                insertSorted(top, dist);
                            }
                        }
                    }
                }
                for (int r = 0; r < rows; r++) {
                    radii[r0 + r] = best[r][k];
                }
            }
        });
        return radii;
    }

    /** Fraction of queries within the radius of at least one reference sample. */
    static double coveredFraction(float[] q, double[] qNorms, int nq, float[] ref, double[] refNorms,
                                  double[] refRadii, int nr, int d) {
        int blocks = (nq + ROW_BLOCK - 1) / ROW_BLOCK;
        int[] coveredPerBlock = new int[blocks];
        Parallel.forRange(blocks, 1, (start, end) -> {
            float[] tile = new float[ROW_BLOCK * COL_BLOCK];
            boolean[] covered = new boolean[ROW_BLOCK];
            for (int b = start; b < end; b++) {
                int r0 = b * ROW_BLOCK;
                int rows = Math.min(ROW_BLOCK, nq - r0);
                Arrays.fill(covered, false);
                int count = 0;
                // Stop scanning references once every query of the block is inside: high-precision sets
                // (the interesting case) cost far less than the full cross product.
                for (int c0 = 0; c0 < nr && count < rows; c0 += COL_BLOCK) {
                    int cols = Math.min(COL_BLOCK, nr - c0);
                    InnerProducts.tile(q, r0, rows, ref, c0, cols, d, tile);
                    for (int r = 0; r < rows; r++) {
                        if (covered[r]) {
                            continue;
                        }
                        double na = qNorms[r0 + r];
                        for (int c = 0; c < cols; c++) {
                            if (squaredDistance(na, refNorms[c0 + c], tile[r * cols + c]) <= refRadii[c0 + c]) {
                                covered[r] = true;
                                count++;
                                break;
                            }
                        }
                    }
                }
                coveredPerBlock[b] = count;
            }
        });
        long total = 0;
        for (int c : coveredPerBlock) {
            total += c;
        }
        return (double) total / nq;
    }

    private static double squaredDistance(double normA, double normB, float dot) {
        return Math.max(0.0, normA + normB - 2.0 * dot);
    }

    /** Inserts v into the ascending array, dropping the largest entry. */
    private static void insertSorted(double[] top, double v) {
        int i = top.length - 1;
        while (i > 0 && top[i - 1] > v) {
            top[i] = top[i - 1];
            i--;
        }
        top[i] = v;
    }

    private static double[] squaredNorms(float[] f, int n, int d) {
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) {
            // The same float dot as the tiles, so a sample's distance to itself or a copy is exactly 0.
            norms[i] = InnerProducts.dot(f, i * d, f, i * d, d);
        }
        return norms;
    }
}
