package dev.gancompress.compress.distill;

import java.util.Arrays;

/**
 * The unbiased estimate of the squared maximum mean discrepancy between samples x (m rows) and y (n rows) of
 * d-dimensional features (Gretton et al. 2012, eq. 3):
 * <pre>
 * MMD^2 = 1/(m(m-1)) sum_{i!=j} k(x_i, x_j) + 1/(n(n-1)) sum_{i!=j} k(y_i, y_j) - 2/(mn) sum_{i,j} k(x_i, y_j)
 * </pre>
 * and its exact gradient with respect to x (y is the fixed target):
 * dMMD^2/dx_i = 2/(m(m-1)) sum_{j!=i} d1k(x_i, x_j) - 2/(mn) sum_j d1k(x_i, y_j), with d1k the derivative in the
 * kernel's first argument. As a generator loss this is the GMMN objective (Li et al. 2015; Dziugaite et al. 2015)
 * applied to features, as distribution-matching distillation does. The estimate can be slightly negative.
 */
public final class MaximumMeanDiscrepancy {
    private static final int POLY_DEGREE = 3;

    private MaximumMeanDiscrepancy() {
    }

    /**
     * Returns MMD^2 and adds {@code weight} x its gradient in x to {@code gradX} (may be null).
     *
     * @param bandwidth the Gaussian width s (ignored by POLYNOMIAL)
     */
    public static double unbiased(float[] x, int m, float[] y, int n, int d, MmdKernel kernel, double bandwidth,
                                  float[] gradX, float weight) {
        if (m < 2 || n < 2 || x.length != m * d || y.length != n * d) {
            throw new IllegalArgumentException("MMD needs at least 2 samples on each side with " + d
                    + " features each, got " + m + " and " + n + " rows for " + x.length + " and " + y.length
                    + " values");
        }
        if (kernel == MmdKernel.GAUSSIAN && !(bandwidth > 0)) {
            throw new IllegalArgumentException("Gaussian MMD needs a bandwidth > 0, got " + bandwidth);
        }
        double xx = 0;
        double yy = 0;
        double xy = 0;
        double[] g = gradX == null ? null : new double[m * d];
        double cxx = 1.0 / ((double) m * (m - 1));
        double cxy = 1.0 / ((double) m * n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                if (i != j) {
                    xx += kernelAndGradient(x, i, x, j, d, kernel, bandwidth, g, 2 * cxx);
                }
            }
            for (int j = 0; j < n; j++) {
                xy += kernelAndGradient(x, i, y, j, d, kernel, bandwidth, g, -2 * cxy);
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    yy += kernelAndGradient(y, i, y, j, d, kernel, bandwidth, null, 0);
                }
            }
        }
        if (gradX != null) {
            for (int k = 0; k < g.length; k++) {
                gradX[k] += (float) (weight * g[k]);
            }
        }
        return cxx * xx + yy / ((double) n * (n - 1)) - 2 * cxy * xy;
    }

    /** k(a_i, b_j); adds {@code factor} x d1k(a_i, b_j) to row i of {@code grad} when grad is not null. */
    private static double kernelAndGradient(float[] a, int i, float[] b, int j, int d, MmdKernel kernel,
                                            double bandwidth, double[] grad, double factor) {
        int ai = i * d;
        int bj = j * d;
        if (kernel == MmdKernel.GAUSSIAN) {
            double dist2 = 0;
            for (int k = 0; k < d; k++) {
                double diff = a[ai + k] - b[bj + k];
                dist2 += diff * diff;
            }
            double s2 = bandwidth * bandwidth;
            double value = Math.exp(-dist2 / (2 * s2));
            if (grad != null) {
                double c = -factor * value / s2;
                for (int k = 0; k < d; k++) {
                    grad[ai + k] += c * (a[ai + k] - b[bj + k]);
                }
            }
            return value;
        }
        double dot = 0;
        for (int k = 0; k < d; k++) {
            dot += (double) a[ai + k] * b[bj + k];
        }
        double base = dot / d + 1;
        double value = Math.pow(base, POLY_DEGREE);
        if (grad != null) {
            double c = factor * POLY_DEGREE * Math.pow(base, POLY_DEGREE - 1) / d;
            for (int k = 0; k < d; k++) {
                grad[ai + k] += c * b[bj + k];
            }
        }
        return value;
    }

    /** The median Euclidean distance between distinct rows of y (1 if they all coincide): the median heuristic. */
    public static double medianDistance(float[] y, int n, int d) {
        double[] dist = new double[n * (n - 1) / 2];
        int p = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) {
                    double diff = y[i * d + k] - y[j * d + k];
                    s += diff * diff;
                }
                dist[p++] = Math.sqrt(s);
            }
        }
        if (dist.length == 0) {
            return 1;
        }
        Arrays.sort(dist);
        double median = dist.length % 2 == 1 ? dist[dist.length / 2]
                : 0.5 * (dist[dist.length / 2 - 1] + dist[dist.length / 2]);
        return median > 0 ? median : 1;
    }
}
