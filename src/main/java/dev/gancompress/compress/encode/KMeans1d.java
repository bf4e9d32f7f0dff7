package dev.gancompress.compress.encode;

import java.util.Arrays;
import java.util.Random;

/**
 * Lloyd's k-means on scalars (the weights of one layer). In one dimension the clusters of sorted centroids are
 * contiguous ranges of the sorted values, split at the midpoints between neighbouring centroids, so an iteration is
 * k binary searches and k means from prefix sums: O(k log n) after one sort. A value on a midpoint goes to the
 * lower centroid, as {@link dev.gancompress.model.WeightStorage.Codebook#encode} assigns it. Empty clusters keep
 * their centroid.
 */
final class KMeans1d {
    private KMeans1d() {
    }

    /**
     * At most {@code k} centroids of {@code values}, strictly ascending floats (equal centroids merged); the distinct
     * values themselves when there are no more than k.
     */
    static float[] cluster(float[] values, int k, CentroidInit init, Random rnd, int iterations) {
        double[] sorted = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            sorted[i] = values[i];
        }
        Arrays.sort(sorted);
        double[] distinct = Arrays.stream(sorted).distinct().toArray();
        if (distinct.length <= k) {
            return toFloats(distinct);
        }
        double[] prefix = new double[sorted.length + 1];
        for (int i = 0; i < sorted.length; i++) {
            prefix[i + 1] = prefix[i] + sorted[i];
        }
        double[] c = init.initial(sorted, k, rnd);
        for (int it = 0; it < iterations; it++) {
            double[] next = new double[k];
            int lo = 0;
            for (int j = 0; j < k; j++) {
                int hi = j == k - 1 ? sorted.length : upperBound(sorted, (c[j] + c[j + 1]) / 2, lo);
                next[j] = hi > lo ? (prefix[hi] - prefix[lo]) / (hi - lo) : c[j];
                lo = hi;
            }
            Arrays.sort(next);
            boolean same = Arrays.equals(next, c);
            c = next;
            if (same) {
                break;
            }
        }
        return toFloats(c);
    }

    /** The first index at or after {@code from} whose value is above {@code bound}. */
    private static int upperBound(double[] sorted, double bound, int from) {
        int lo = from;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= bound) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Rounded to float, -0 as 0, duplicates merged, ascending. */
    static float[] toFloats(double[] c) {
        float[] f = new float[c.length];
        for (int i = 0; i < c.length; i++) {
            f[i] = (float) c[i] == 0f ? 0f : (float) c[i];
        }
        Arrays.sort(f);
        int n = 0;
        for (int i = 0; i < f.length; i++) {
            if (n == 0 || f[i] != f[n - 1]) {
                f[n++] = f[i];
            }
        }
        return Arrays.copyOf(f, n);
    }
}
