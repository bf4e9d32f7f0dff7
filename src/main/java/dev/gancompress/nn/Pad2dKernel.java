package dev.gancompress.nn;

import dev.gancompress.model.Pad2d;
import dev.gancompress.model.Shape;

/**
 * Spatial padding per (channel, sample) plane through {@link Pad2d#source}: one map from each output pixel to the
 * input pixel it reads (-1 for a constant zero), built once. Forward gathers through the map, backward scatters
 * each output gradient back through it (a mirrored pixel collects several).
 */
final class Pad2dKernel implements Kernel {
    private final Shape in;
    private final int[] source;

    Pad2dKernel(Pad2d pad, Shape in) {
        this.in = in;
        int oh = in.height() + pad.top() + pad.bottom();
        int ow = in.width() + pad.left() + pad.right();
        source = new int[oh * ow];
        for (int y = 0; y < oh; y++) {
            int r = pad.source(y, in.height(), pad.top());
            for (int x = 0; x < ow; x++) {
                int c = pad.source(x, in.width(), pad.left());
                source[y * ow + x] = r < 0 || c < 0 ? -1 : r * in.width() + c;
            }
        }
    }

    @Override
    public void forward(float[][] inputs, float[] out, int batch, boolean training) {
        float[] x = inputs[0];
        int planeIn = in.height() * in.width();
        int planeOut = source.length;
        Parallel.forRange(in.channels() * batch, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int src = p * planeIn;
                int dst = p * planeOut;
                for (int i = 0; i < planeOut; i++) {
                    int s = source[i];
                    out[dst + i] = s < 0 ? 0f : x[src + s];
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
        int planeIn = in.height() * in.width();
        int planeOut = source.length;
        // planes are disjoint, so threads never add into the same input pixel
        Parallel.forRange(in.channels() * batch, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int src = p * planeIn;
                int dst = p * planeOut;
                for (int i = 0; i < planeOut; i++) {
                    int s = source[i];
                    if (s >= 0) {
                        dx[src + s] += gradOut[dst + i];
                    }
                }
            }
        });
    }
}
