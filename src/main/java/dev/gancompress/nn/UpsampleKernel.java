package dev.gancompress.nn;

import dev.gancompress.model.Shape;

/** Nearest-neighbour upsampling per (channel, sample) plane; backward sums each s x s block. */
final class UpsampleKernel implements Kernel {
    private final int scale;
    private final Shape inShape;

    UpsampleKernel(int scale, Shape inShape) {
        this.scale = scale;
        this.inShape = inShape;
    }

    @Override
    public void forward(float[][] in, float[] out, int batch, boolean training) {
        float[] x = in[0];
        int h = inShape.height();
        int w = inShape.width();
        int ow = w * scale;
        int planes = inShape.channels() * batch;
        Parallel.forRange(planes, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int src = p * h * w;
                int dst = p * h * w * scale * scale;
                for (int y = 0; y < h * scale; y++) {
                    int row = src + (y / scale) * w;
                    int o = dst + y * ow;
                    for (int xo = 0; xo < ow; xo++) {
                        out[o + xo] = x[row + xo / scale];
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
        int h = inShape.height();
        int w = inShape.width();
        int ow = w * scale;
        int planes = inShape.channels() * batch;
        Parallel.forRange(planes, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int src = p * h * w * scale * scale;
                int dst = p * h * w;
                for (int y = 0; y < h; y++) {
                    for (int xi = 0; xi < w; xi++) {
                        float s = 0f;
                        for (int dy = 0; dy < scale; dy++) {
                            int o = src + (y * scale + dy) * ow + xi * scale;
                            for (int dxo = 0; dxo < scale; dxo++) {
                                s += gradOut[o + dxo];
                            }
                        }
                        dx[dst + y * w + xi] += s;
                    }
                }
            }
        });
    }
}
