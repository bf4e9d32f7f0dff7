package dev.gancompress.data;

/**
 * Separable image resampling on float planes. Enlarging uses bilinear interpolation with half-pixel
 * centres (the convention of OpenCV INTER_LINEAR and PyTorch align_corners=false); shrinking averages
 * each output pixel's footprint (area / box filter, like OpenCV INTER_AREA), because bilinear alone
 * aliases when it skips source pixels. Each axis gets a sparse weight table, applied rows then columns.
 */
final class Resampling {
    /** For each output position: the first source index and the weights of consecutive sources. */
    private record Axis(int[] start, float[][] weights) {
    }

    private final int inH;
    private final int inW;
    private final int outH;
    private final int outW;
    private final Axis rows;
    private final Axis cols;

    Resampling(int inH, int inW, int outH, int outW) {
        this.inH = inH;
        this.inW = inW;
        this.outH = outH;
        this.outW = outW;
        this.rows = axis(inH, outH);
        this.cols = axis(inW, outW);
    }

    /** Floats needed by {@link #resize} as scratch per plane. */
    int scratchSize() {
        return outH * inW;
    }

    /**
     * Resizes {@code planes} planes of inH x inW from {@code src} (at srcOff) into outH x outW planes in
     * {@code dst} (at dstOff). {@code scratch} holds at least {@link #scratchSize()} floats.
     */
    void resize(float[] src, int srcOff, float[] dst, int dstOff, int planes, float[] scratch) {
        for (int p = 0; p < planes; p++) {
            int in = srcOff + p * inH * inW;
            int out = dstOff + p * outH * outW;
            // Vertical pass: outH x inW.
            for (int y = 0; y < outH; y++) {
                int s = rows.start[y];
                float[] w = rows.weights[y];
                for (int x = 0; x < inW; x++) {
                    float acc = 0f;
                    for (int k = 0; k < w.length; k++) {
                        acc += w[k] * src[in + (s + k) * inW + x];
                    }
                    scratch[y * inW + x] = acc;
                }
            }
            // Horizontal pass: outH x outW.
            for (int y = 0; y < outH; y++) {
                for (int x = 0; x < outW; x++) {
                    int s = cols.start[x];
                    float[] w = cols.weights[x];
                    float acc = 0f;
                    for (int k = 0; k < w.length; k++) {
                        acc += w[k] * scratch[y * inW + s + k];
                    }
                    dst[out + y * outW + x] = acc;
                }
            }
        }
    }

    private static Axis axis(int in, int out) {
        return out >= in ? bilinear(in, out) : area(in, out);
    }

    private static Axis bilinear(int in, int out) {
        int[] start = new int[out];
        float[][] weights = new float[out][];
        double scale = (double) in / out;
        for (int o = 0; o < out; o++) {
            double src = Math.min(Math.max((o + 0.5) * scale - 0.5, 0.0), in - 1);
            int i0 = (int) Math.floor(src);
            int i1 = Math.min(i0 + 1, in - 1);
            float frac = (float) (src - i0);
            start[o] = i0;
            weights[o] = i1 == i0 ? new float[] {1f} : new float[] {1f - frac, frac};
        }
        return new Axis(start, weights);
    }

    private static Axis area(int in, int out) {
        int[] start = new int[out];
        float[][] weights = new float[out][];
        double scale = (double) in / out;
        for (int o = 0; o < out; o++) {
            double lo = o * scale;
            double hi = Math.min((o + 1) * scale, in);
            int i0 = (int) Math.floor(lo);
            int i1 = Math.min((int) Math.ceil(hi), in);
            float[] w = new float[i1 - i0];
            for (int i = i0; i < i1; i++) {
                w[i - i0] = (float) ((Math.min(hi, i + 1) - Math.max(lo, i)) / scale);
            }
            start[o] = i0;
            weights[o] = w;
        }
        return new Axis(start, weights);
    }
}
