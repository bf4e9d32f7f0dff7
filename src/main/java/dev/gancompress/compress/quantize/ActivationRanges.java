package dev.gancompress.compress.quantize;

import java.util.Arrays;

/**
 * The observed range of one activation over the calibration set, in two passes over the same inputs: the first
 * finds min and max, the second fills a histogram of {@link #BINS} bins on [min, max] from which percentiles are read.
 * A histogram keeps memory at a few kilobytes per tensor where keeping the values would take hundreds of megabytes
 * (256 codes x 50,000 activations for the teacher's last layer); its resolution, (max - min) / 4096, is 16 times finer
 * than the uint8 step it feeds.
 */
final class ActivationRanges {
    static final int BINS = 4096;

    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;
    private long[] histogram;
    private long count;

    /** First pass: widen the range over {@code values}. */
    void observeRange(float[] values) {
        for (float v : values) {
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
        }
    }

    /** Second pass: count {@code values} into the histogram on the range of the first. */
    void observeHistogram(float[] values) {
        if (histogram == null) {
            histogram = new long[BINS];
        }
        double width = (max - min) / (double) BINS;
        for (float v : values) {
            int bin = width > 0 ? (int) Math.min(BINS - 1, Math.max(0, (v - min) / width)) : 0;
            histogram[bin]++;
        }
        count += values.length;
    }

    float min() {
        return min;
    }

    float max() {
        return max;
    }

    /**
     * The range keeping {@code percentile} % of the values at each end: the lower edge below which at most
     * (100 - percentile) % fall, the upper edge above which at most that share lies. Needs the second pass.
     */
    float[] percentileRange(double percentile) {
        if (histogram == null || count == 0) {
            throw new IllegalStateException("percentile needs the histogram pass");
        }
        long tail = (long) Math.floor(count * (100 - percentile) / 100);
        double width = (max - min) / (double) BINS;
        long below = 0;
        int lo = 0;
        while (lo < BINS - 1 && below + histogram[lo] <= tail) {
            below += histogram[lo++];
        }
        long above = 0;
        int hi = BINS - 1;
        while (hi > lo && above + histogram[hi] <= tail) {
            above += histogram[hi--];
        }
        return new float[] {(float) (min + lo * width), (float) (min + (hi + 1) * width)};
    }

    @Override
    public String toString() {
        return "[" + min + ", " + max + "]" + (histogram == null ? "" : " " + Arrays.stream(histogram).sum());
    }
}
