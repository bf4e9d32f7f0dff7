package dev.gancompress.nn;

import dev.gancompress.model.Pad2d;
import dev.gancompress.model.Shape;

/**
 * Spatial padding per (channel, sample) plane through {@link Pad2d#source}; backward adds each output gradient to
 * the input pixel it was read from (a mirrored pixel collects several).
 */
final class Pad2dKernel implements Kernel {
    private final Shape in;
    private final int[] rowSource;
    private final int[] colSource;
    private final int oh;
    private final int ow;

    Pad2dKernel(Pad2d pad, Shape in) {
        this.in = in;
        this.oh = in.height() + pad.top() + pad.bottom();
        this.ow = in.width() + pad.left() + pad.right();
        rowSource = new int[oh];
        colSource = new int[ow];
        for (int y = 0; y < oh; y++) {
            rowSource[y] = pad.source(y, in.height(), pad.top());
        }
        for (int x = 0; x < ow; x++) {
            colSource[x] = pad.source(x, in.width(), pad.left());
        }
    }

    @Override
    public void forward(float[][] inputs, float[] out, int batch, boolean training) {
        float[] x = inputs[0];
        int h = in.height();
        int w = in.width();
        Parallel.forRange(in.channels() * batch, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int src = p * h * w;
                int dst = p * oh * ow;
                for (int y = 0; y < oh; y++) {
                    int r = rowSource[y];
                    for (int c = 0; c < ow; c++) {
                        int s = colSource[c];
                        out[dst + y * ow + c] = r < 0 || s < 0 ? 0f : x[src + r * w + s];
                    }
                }
            }
        });
    }

    @Override
    public void backward(float[][] inputs, float[] out, float[] gradOut, float[][] gradIn, int batch,
                         boolean paramGrads) {
        float[] dx = gradIn[0];
        if (dx == null) {
            return;
        }
        int h = in.height();
        int w = in.width();
        Parallel.forRange(in.channels() * batch, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int src = p * h * w;
                int dst = p * oh * ow;
                for (int y = 0; y < oh; y++) {
                    int r = rowSource[y];
                    for (int c = 0; c < ow; c++) {
                        int s = colSource[c];
                        if (r >= 0 && s >= 0) {
                            dx[src + r * w + s] += gradOut[dst + y * ow + c];
                        }
                    }
                }
            }
        });
    }
}
