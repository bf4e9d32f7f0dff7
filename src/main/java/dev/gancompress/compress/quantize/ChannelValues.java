package dev.gancompress.compress.quantize;

import dev.gancompress.model.Weights;

/**
 * A weight tensor's values grouped by channel of one axis (all in one group for axis -1), with the statistics the
 * quantisation schemes choose scales from. Masked (pruned) entries are left out: they are stored as exact zeros
 * whatever the scale, so they must not pull it (a TWN threshold over a half-pruned layer would halve).
 */
final class ChannelValues {
    private final float[] values;
    private final float[] mask;
    private final int channels;
    private final int inner;

    ChannelValues(Weights w, int axis) {
        this.values = w.data();
        this.mask = w.mask();
        if (axis < 0) {
            channels = 1;
            inner = values.length;
        } else {
            channels = w.dim(axis);
            int n = 1;
            for (int d = axis + 1; d < w.rank(); d++) {
                n *= w.dim(d);
            }
            inner = n;
        }
    }

    int channels() {
        return channels;
    }

    int channelOf(int index) {
        return channels == 1 ? 0 : (index / inner) % channels;
    }

    boolean kept(int index) {
        return mask == null || mask[index] != 0f;
    }

    /** max |w| per channel (0 for a channel with no kept value). */
    double[] maxAbs() {
        double[] m = new double[channels];
        for (int i = 0; i < values.length; i++) {
            if (kept(i)) {
                int c = channelOf(i);
                m[c] = Math.max(m[c], Math.abs(values[i]));
            }
        }
        return m;
    }

    /** min(0, min w) per channel: the range an affine grid covers always holds 0, so zero is exact. */
    double[] minWithZero() {
        double[] m = new double[channels];
        for (int i = 0; i < values.length; i++) {
            if (kept(i)) {
                int c = channelOf(i);
                m[c] = Math.min(m[c], values[i]);
            }
        }
        return m;
    }

    /** max(0, max w) per channel. */
    double[] maxWithZero() {
        double[] m = new double[channels];
        for (int i = 0; i < values.length; i++) {
            if (kept(i)) {
                int c = channelOf(i);
                m[c] = Math.max(m[c], values[i]);
            }
        }
        return m;
    }

    /** Mean |w| per channel over the kept values with |w| > threshold (all of them for threshold -1); 0 if none. */
    double[] meanAbsAbove(double[] thresholds) {
        double[] sum = new double[channels];
        long[] count = new long[channels];
        for (int i = 0; i < values.length; i++) {
            if (kept(i)) {
                int c = channelOf(i);
                double a = Math.abs(values[i]);
                if (thresholds == null || a > thresholds[c]) {
                    sum[c] += a;
                    count[c]++;
                }
            }
        }
        for (int c = 0; c < channels; c++) {
            sum[c] = count[c] == 0 ? 0 : sum[c] / count[c];
        }
        return sum;
    }

    /** Mean |w| per channel over the kept values. */
    double[] meanAbs() {
        return meanAbsAbove(null);
    }
}
