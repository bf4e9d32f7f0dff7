package dev.gancompress.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The Pareto front of points with several objectives, all minimised (FID, bytes, MACs, latency): the points that no
 * other point dominates. Point a dominates b when a is no worse in every objective and better in at least one, so two
 * identical points are both on the front. O(n^2 d), which is nothing for the tens or hundreds of models of a sweep.
 */
public final class ParetoFront {
    private ParetoFront() {
    }

    /** Whether {@code a} dominates {@code b}: no objective larger, at least one smaller. */
    public static boolean dominates(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("points with " + a.length + " and " + b.length + " objectives");
        }
        boolean better = false;
        for (int i = 0; i < a.length; i++) {
            if (a[i] > b[i]) {
                return false;
            }
            better |= a[i] < b[i];
        }
        return better;
    }

    /**
     * Indices of the non-dominated points, in input order. A point with a NaN objective is never on the front and
     * never dominates (an unmeasured model wins nothing).
     */
    public static List<Integer> indices(List<double[]> points) {
        List<Integer> front = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            double[] p = points.get(i);
            if (hasNaN(p)) {
                continue;
            }
            boolean dominated = false;
            for (int j = 0; j < points.size() && !dominated; j++) {
                dominated = j != i && !hasNaN(points.get(j)) && dominates(points.get(j), p);
            }
            if (!dominated) {
                front.add(i);
            }
        }
        return front;
    }

    private static boolean hasNaN(double[] p) {
        for (double v : p) {
            if (Double.isNaN(v)) {
                return true;
            }
        }
        return false;
    }
}
