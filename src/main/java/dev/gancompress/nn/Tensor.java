package dev.gancompress.nn;

import java.util.Arrays;

/**
 * A dense float tensor in the public layout: batch first, then the sample shape (NCHW for images, [N, F] for
 * features, [N] for labels given as class indices). The engine uses its own channel-major layout internally
 * and converts at the boundary.
 */
public record Tensor(int[] shape, float[] data) {
    public Tensor {
        shape = shape.clone();
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " needs " + n
                    + " values, got " + data.length);
        }
    }

    public static Tensor zeros(int... shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        return new Tensor(shape, new float[Math.toIntExact(n)]);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int batch() {
        return shape[0];
    }

    public int dim(int i) {
        return shape[i];
    }

    /** Elements per sample. */
    public int sampleSize() {
        return shape[0] == 0 ? 0 : data.length / shape[0];
    }

    public Tensor copy() {
        return new Tensor(shape, data.clone());
    }

    public double maxAbsDifference(Tensor other) {
        if (!Arrays.equals(shape, other.shape)) {
            throw new IllegalArgumentException("shapes differ: " + Arrays.toString(shape) + " vs "
                    + Arrays.toString(other.shape));
        }
        double m = 0;
        for (int i = 0; i < data.length; i++) {
            m = Math.max(m, Math.abs((double) data[i] - other.data[i]));
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
