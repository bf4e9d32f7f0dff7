package dev.gancompress.model;

import java.util.Arrays;

/**
 * A float32 weight tensor owned by one layer. The data array is shared with the engine, which trains it in
 * place; the shape never changes (a pass that changes a shape makes new Weights).
 *
 * <p>A pruning mask, when present, has the same length as the data and holds 0 or 1. The optimiser
 * ({@code nn.Adam#step}) re-applies it after every update, so masked entries stay exactly zero; their gradients
 * are not masked and their Adam moments keep accumulating, which is harmless while masks only grow (a mask that
 * re-opens an entry would resume it with stale moments).
 *
 * <p>The {@link WeightStorage} says how the values are stored (fp32 unless a quantisation pass says otherwise).
 * The data are the float master values; the values a layer computes with, the bytes the cost model counts and the
 * codes the exporter writes all come from the storage applied to them ({@link #effectiveValues}, {@link #codes}).
 */
public final class Weights {
    private final int[] shape;
    private final float[] data;
    private float[] mask;
    private WeightStorage storage = WeightStorage.fp32();

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

    public WeightStorage storage() {
        return storage;
    }

    /**
     * Attaches a storage description; the master values are kept as they are (a quantisation pass that wants them
     * on the grid calls {@link #projectToStorage()} too).
     *
     * @throws IllegalArgumentException when the description does not fit this tensor's shape
     */
    public void setStorage(WeightStorage newStorage) {
        if (newStorage == null) {
            throw new IllegalArgumentException("storage must not be null; fp32 is WeightStorage.fp32()");
        }
        newStorage.checkFits(shape);
        this.storage = newStorage;
    }

    /** Replaces the master values by the values the storage represents (masked entries 0). */
    public void projectToStorage() {
        if (storage.isLossy()) {
            storage.fakeQuantize(data, mask, shape, data);
        }
    }

    /** The values a layer computes with: the storage applied to the master values, in a new array. */
    public float[] effectiveValues() {
        float[] out = new float[data.length];
        storage.fakeQuantize(data, mask, shape, out);
        return out;
    }

    /** The stored codes of the master values (masked entries: the storage's zero code). */
    public int[] codes() {
        return storage.encode(data, mask, shape);
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
        w.storage = storage;
        return w;
    }

    @Override
    public String toString() {
        return "Weights" + Arrays.toString(shape) + (storage.isLossy() ? " " + storage.kind() : "");
    }
}
