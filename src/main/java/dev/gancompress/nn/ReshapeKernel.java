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
        permute(in[0], from, out, to, batch, false);
    }

    /**
     * dst[to-layout] (+)= src[from-layout], one sample at a time through a contiguous per-sample buffer: gather
     * the sample's [D][R] runs, then scatter them in the other grouping. No divisions per element.
     */
    private static void permute(float[] src, Shape srcShape, float[] dst, Shape dstShape, int batch, boolean add) {
        int size = srcShape.size();
        int srcD = srcShape.rank() == 0 ? 1 : srcShape.dim(0);
        int srcR = size / srcD;
        int dstD = dstShape.dim(0);
        int dstR = size / dstD;
        Parallel.forRange(batch, 1, (n0, n1) -> {
            float[] sample = new float[size];
            for (int n = n0; n < n1; n++) {
                for (int d = 0; d < srcD; d++) {
                    System.arraycopy(src, (d * batch + n) * srcR, sample, d * srcR, srcR);
                }
                for (int d = 0; d < dstD; d++) {
                    int o = (d * batch + n) * dstR;
                    if (add) {
                        for (int r = 0; r < dstR; r++) {
                            dst[o + r] += sample[d * dstR + r];
                        }
                    } else {
                        System.arraycopy(sample, d * dstR, dst, o, dstR);
                    }
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
        permute(gradOut, to, dx, from, batch, true);
    }
}
