package dev.gancompress.compress.encode;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.gancompress.GanCompressException;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * The three ways Han, Mao and Dally (2016, section 3.2, Figure 4) start k-means for weight sharing. Linear covers the
 * whole range, so the rare large weights, which matter most, keep their own centroids; they found it best. Density
 * and random (Forgy) put centroids where the weights are dense, i.e. near zero.
 */
public enum CentroidInit {
    /** Evenly spaced between the smallest and the largest weight. */
    LINEAR,
    /** At the (j + 1/2)/k quantiles: evenly spaced on the weights' cumulative distribution. */
    DENSITY,
    /** Forgy: k of the weights, drawn at random without replacement (seeded). */
    RANDOM;

    @JsonCreator
    public static CentroidInit parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new GanCompressException("weight-sharing configuration: field 'init' must be one of linear, "
                    + "density, random, got '" + text + "'");
        }
    }

    @JsonValue
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** k starting centroids for {@code sorted} (ascending, at least k distinct values), ascending. */
    double[] initial(double[] sorted, int k, Random rnd) {
        int n = sorted.length;
        double[] c = new double[k];
        switch (this) {
            case LINEAR -> {
                for (int j = 0; j < k; j++) {
                    c[j] = k == 1 ? (sorted[0] + sorted[n - 1]) / 2
                            : sorted[0] + (sorted[n - 1] - sorted[0]) * j / (k - 1);
                }
            }
            case DENSITY -> {
                for (int j = 0; j < k; j++) {
                    c[j] = sorted[(int) Math.min(n - 1, Math.floor((j + 0.5) * n / k))];
                }
            }
            case RANDOM -> {
                int[] pick = rnd.ints(0, n).distinct().limit(k).toArray();
                for (int j = 0; j < k; j++) {
                    c[j] = sorted[pick[j]];
                }
            }
            default -> throw new IllegalStateException(name());
        }
        Arrays.sort(c);
        return c;
    }
}
