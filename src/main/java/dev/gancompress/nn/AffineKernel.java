package dev.gancompress.nn;

import dev.gancompress.model.Affine;
import dev.gancompress.model.Shape;

/**
 * y = scale * x + shift per channel on the channel-major layout, where a channel is one contiguous run of
 * batch * H * W values (batch values for a vector). Computed as a multiply then an add, each rounded, as ONNX
 * Runtime computes the exported Mul and Add. Backward: dx = scale * dy (scale and shift are constants).
 */
final class AffineKernel implements Kernel {
    private final Affine affine;
    private final int channels;
    private final int plane;

    AffineKernel(Affine affine, Shape in) {
        this.affine = affine;
        this.channels = in.rank() == 0 ? 1 : in.dim(0);
        this.plane = in.size() / channels;
    }

    @Override
    public void forward(float[][] in, float[] out, int batch, boolean training) {
        float[] x = in[0];
        int run = plane * batch;
        Parallel.forRange(channels, 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                float s = affine.scaleAt(c);
                float b = affine.shiftAt(c);
                for (int i = c * run, end = i + run; i < end; i++) {
                    out[i] = s * x[i] + b;
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
        int run = plane * batch;
        Parallel.forRange(channels, 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                float s = affine.scaleAt(c);
                for (int i = c * run, end = i + run; i < end; i++) {
                    dx[i] += s * gradOut[i];
                }
            }
        });
    }
}
