package dev.gancompress.nn;

import dev.gancompress.model.Resize2d;
import dev.gancompress.model.Shape;

/**
 * {@link Resize2d} per (channel, sample) plane: separable, so one {@link Resize2d.Taps} per axis, built once. An
 * output pixel blends rows (low, high) and columns (low, high) with weights (1 - wy, wy) x (1 - wx, wx); nearest has
 * a zero high weight, and takes a plain gather. Backward sends each output gradient to the same (up to) four input
 * pixels with the same weights; planes are disjoint, so threads never add into one input pixel.
 */
final class Resize2dKernel implements Kernel {
    private final Shape in;
    private final Shape out;
    private final boolean nearest;
    private final Resize2d.Taps rows;
    private final Resize2d.Taps cols;

    Resize2dKernel(Resize2d layer, Shape in, Shape out) {
        this.in = in;
        this.out = out;
        this.nearest = layer.interpolation() == Resize2d.Interpolation.NEAREST;
        this.rows = layer.rows(in.height());
        this.cols = layer.columns(in.width());
    }

    @Override
    public void forward(float[][] inputs, float[] y, int batch, boolean training) {
        float[] x = inputs[0];
        int w = in.width();
        int planeIn = in.height() * w;
        int oh = out.height();
        int ow = out.width();
        Parallel.forRange(in.channels() * batch, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int src = p * planeIn;
                int dst = p * oh * ow;
                for (int oy = 0; oy < oh; oy++) {
                    int r0 = src + rows.low()[oy] * w;
                    int o = dst + oy * ow;
                    if (nearest) {
                        for (int ox = 0; ox < ow; ox++) {
                            y[o + ox] = x[r0 + cols.low()[ox]];
                        }
                        continue;
                    }
                    int r1 = src + rows.high()[oy] * w;
                    float wy = rows.highWeight()[oy];
                    for (int ox = 0; ox < ow; ox++) {
                        int c0 = cols.low()[ox];
                        int c1 = cols.high()[ox];
                        float wx = cols.highWeight()[ox];
                        float top = x[r0 + c0] + wx * (x[r0 + c1] - x[r0 + c0]);
                        float bottom = x[r1 + c0] + wx * (x[r1 + c1] - x[r1 + c0]);
                        y[o + ox] = top + wy * (bottom - top);
                    }
                }
            }
        });
    }

    @Override
    public void backward(float[][] inputs, float[] y, float[] gradOut, float[][] gradIn, int batch,
                         boolean paramGrads) {
        float[] dx = gradIn[0];
        if (dx == null) {
            return;
        }
        int w = in.width();
        int planeIn = in.height() * w;
        int oh = out.height();
        int ow = out.width();
        Parallel.forRange(in.channels() * batch, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int src = p * planeIn;
                int dst = p * oh * ow;
                for (int oy = 0; oy < oh; oy++) {
                    int r0 = src + rows.low()[oy] * w;
                    int r1 = src + rows.high()[oy] * w;
                    float wy = rows.highWeight()[oy];
                    int o = dst + oy * ow;
                    for (int ox = 0; ox < ow; ox++) {
                        float g = gradOut[o + ox];
                        int c0 = cols.low()[ox];
                        if (nearest) {
                            dx[r0 + c0] += g;
                            continue;
                        }
                        int c1 = cols.high()[ox];
                        float wx = cols.highWeight()[ox];
                        float top = g * (1 - wy);
                        float bottom = g * wy;
                        dx[r0 + c0] += top * (1 - wx);
                        dx[r0 + c1] += top * wx;
                        dx[r1 + c0] += bottom * (1 - wx);
                        dx[r1 + c1] += bottom * wx;
                    }
                }
            }
        });
    }
}
