package dev.gancompress.nn;

import dev.gancompress.model.Shape;

/** A per-sample row-major reinterpretation, which in the channel-major layout is a permutation of elements. */
final class ReshapeKernel implements Kernel {
    private final Shape from;
    private final Shape to;
    private final boolean identity;

    ReshapeKernel(Shape from, Shape to) {
        this.from = from;
        this.to = to;
        // same leading dimension and same inner size: the channel-major layouts coincide
        this.identity = from.rank() >= 1 && to.rank() >= 1 && from.dim(0) == to.dim(0);
    }

    @Override
    public void forward(float[][] in, float[] out, int batch, boolean training) {
        if (identity) {
            System.arraycopy(in[0], 0, out, 0, out.length);
            return;
        }
        float[] x = in[0];
        int size = from.size();
        Parallel.forRange(batch, 1, (n0, n1) -> {
            for (int n = n0; n < n1; n++) {
                for (int e = 0; e < size; e++) {
                    out[Layout.index(to, batch, n, e)] = x[Layout.index(from, batch, n, e)];
                }
            }
        });
    }

    @Override
    public void backward(float[][] in, float[] out, float[] gradOut, float[][] gradIn, int batch, boolean paramGrads) {
        float[] dx = gradIn[0];
        if (dx == null) {
            return;
        }
        if (identity) {
            for (int i = 0; i < dx.length; i++) {
                dx[i] += gradOut[i];
            }
            return;
        }
        int size = from.size();
        Parallel.forRange(batch, 1, (n0, n1) -> {
            for (int n = n0; n < n1; n++) {
                for (int e = 0; e < size; e++) {
                    dx[Layout.index(from, batch, n, e)] += gradOut[Layout.index(to, batch, n, e)];
                }
            }
        });
    }
}
