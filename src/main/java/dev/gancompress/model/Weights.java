package dev.gancompress.model;

import java.util.Arrays;

/**
 * A float32 weight tensor owned by one layer. The data array is shared with the engine, which trains it in
 * place; the shape never changes (a pass that changes a shape makes new Weights).
 *
 * <p>A pruning mask, when present, has the same length as the data and holds 0 or 1; the engine multiplies
 * gradients by it after every step and keeps masked entries at exactly zero.
 */
public final class Weights {
    private final int[] shape;
    private final float[] data;
    private float[] mask;

    public Weights(int[] shape, float[] data) {
        this.shape = shape.clone();
        long n = count(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("weights of shape " + Arrays.toString(shape) + " need " + n
                    + " values, got " + data.length);
        }
        this.data = data;
    }

    public static Weights zeros(int... shape) {
        return new Weights(shape, new float[Math.toIntExact(count(shape))]);
    }

    public static Weights filled(float value, int... shape) {
        float[] d = new float[Math.toIntExact(count(shape))];
        Arrays.fill(d, value);
        return new Weights(shape, d);
    }

    public static long count(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n *= s;
        }
        return n;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int dim(int i) {
        return shape[i];
    }

    public int rank() {
        return shape.length;
    }

    public int size() {
        return data.length;
    }

    /** The live data array: the engine writes it during training. */
    public float[] data() {
        return data;
    }

    public float[] mask() {
        return mask;
    }

    /** Attaches a 0/1 mask and applies it to the data at once, so the invariant "masked = 0" holds from here. */
    public void setMask(float[] newMask) {
        if (newMask != null) {
            if (newMask.length != data.length) {
                throw new IllegalArgumentException("mask length " + newMask.length + " != weights " + data.length);
            }
            for (int i = 0; i < data.length; i++) {
                if (newMask[i] == 0f) {
                    data[i] = 0f;
                }
            }
        }
        this.mask = newMask;
    }

    public long nonZeroCount() {
        long n = 0;
        for (float v : data) {
            if (v != 0f) {
                n++;
            }
        }
        return n;
    }

    public Weights copy() {
        Weights w = new Weights(shape, data.clone());
        if (mask != null) {
            w.mask = mask.clone();
        }
        return w;
    }

    @Override
    public String toString() {
        return "Weights" + Arrays.toString(shape);
    }
}
