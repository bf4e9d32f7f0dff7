package dev.gancompress.metrics;

import java.util.Locale;

/**
 * A two-sided confidence interval [low, high] around a point estimate. Two results differ "outside the
 * intervals" only when their intervals do not overlap: conservative, but it is what a reader can check by eye.
 */
public record Interval(double low, double high) {
    public Interval {
        if (low > high) {
            throw new IllegalArgumentException("interval low " + low + " > high " + high);
        }
    }

    public double halfWidth() {
        return (high - low) / 2;
    }

    public boolean overlaps(Interval other) {
        return other != null && low <= other.high && other.low <= high;
    }

    /** True when this interval lies entirely below the other (smaller is better for FID and KID). */
    public boolean entirelyBelow(Interval other) {
        return other != null && high < other.low;
    }

    /** "[low, high]" with the given format for both ends. */
    public String format(String numberFormat, double scale) {
        return String.format(Locale.ROOT, "[" + numberFormat + ", " + numberFormat + "]", low * scale, high * scale);
    }
}
