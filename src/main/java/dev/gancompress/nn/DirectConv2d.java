package dev.gancompress.nn;

import dev.gancompress.model.Kernel2d;

/**
 * Stride-1 convolution for layers with very few output channels (the image layer of a generator). im2col
 * would copy the wide input kh*kw times for a GEMM of 1-3 rows, which is all memory traffic. Instead the GEMM
 * runs on the narrow side: per-tap products P[(o,i,j)][pos] = sum_c w[o][c][i][j] x[c][pos] (one GEMM with
 * Cout*kh*kw rows over the input as it lies), then out[o][y][x] = sum_(i,j) P[(o,i,j)][y+i-ph][x+j-pw], a
 * shifted sum of kh*kw planes per output channel. The backward pass mirrors it with shifted copies of the output
 * gradient. Every output element is reduced by one thread in a fixed order.
 */
final class DirectConv2d {
    private final int inChannels;
    private final int outChannels;
    private final Kernel2d k;
    private final int h;
    private final int w;
    private final int oh;
    private final int ow;
    private final int taps;
    private final float[] tapWeights;
    private final float[] tapWeightGrad;
    private float[] products;

    DirectConv2d(int inChannels, int outChannels, Kernel2d k, int h, int w, int oh, int ow) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.k = k;
        this.h = h;
        this.w = w;
        this.oh = oh;
        this.ow = ow;
        this.taps = outChannels * k.area();
        this.tapWeights = new float[taps * inChannels];
        this.tapWeightGrad = new float[taps * inChannels];
    }

    static boolean applies(int outChannels, Kernel2d k) {
        return outChannels <= 4 && k.strideH() == 1 && k.strideW() == 1;
    }

    void resize(int batch) {
        products = new float[taps * batch * h * w];
    }

    /** Wr[(o,i,j)][c] from w[o][c][i][j]. */
    private void gatherTapWeights(float[] weight) {
        int area = k.area();
        for (int o = 0; o < outChannels; o++) {
            for (int c = 0; c < inChannels; c++) {
                for (int t = 0; t < area; t++) {
                    tapWeights[(o * area + t) * inChannels + c] = weight[(o * inChannels + c) * area + t];
                }
            }
        }
    }

    void forward(float[] in, int batch, float[] weight, float[] out) {
        gatherTapWeights(weight);
        int plane = batch * h * w;
        Gemm.gemm(false, false, taps, plane, inChannels, tapWeights, 0, inChannels, in, 0, plane, products, 0, plane,
                false);
        java.util.Arrays.fill(out, 0, outChannels * batch * oh * ow, 0f);
        Parallel.forRange(outChannels * batch, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int o = p / batch;
                int n = p % batch;
                for (int i = 0; i < k.kh(); i++) {
                    for (int j = 0; j < k.kw(); j++) {
                        int r = (o * k.kh() + i) * k.kw() + j;
                        shiftedRows(products, (r * batch + n) * h * w, out, (o * batch + n) * oh * ow, i, j, true);
                    }
                }
            }
        });
    }

    /** Inference: the tap weights of a fixed weight tensor, packed once for the inference forward. */
    Gemm.PackedA packTaps(float[] weight) {
        gatherTapWeights(weight);
        return Gemm.pack(false, taps, inChannels, tapWeights, 0, inChannels);
    }

    /**
     * Inference forward on packed tap weights; each output plane gets the epilogue right after its shifted sum. The
     * work is claimed in chunks ({@link Parallel#forChunks}), so a descheduled worker does not stall the layer.
     */
    void forward(Gemm.PackedA packedTaps, float[] in, int batch, float[] out, Epilogue epilogue) {
        int plane = batch * h * w;
        Gemm.gemm(packedTaps, plane, in, 0, plane, products, 0, plane, null);
        Parallel.forChunks(outChannels * batch, 1, 4, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int o = p / batch;
                int n = p % batch;
                int base = (o * batch + n) * oh * ow;
                java.util.Arrays.fill(out, base, base + oh * ow, 0f);
                for (int i = 0; i < k.kh(); i++) {
                    for (int j = 0; j < k.kw(); j++) {
                        int r = (o * k.kh() + i) * k.kw() + j;
                        shiftedRows(products, (r * batch + n) * h * w, out, base, i, j, true);
                    }
                }
                epilogue.apply(out, base, oh * ow, o);
            }
        });
    }

    /**
     * For one tap (i, j): dst[y][x] (+)= src[y+i-ph][x+j-pw] over the output grid when {@code gather}, or
     * src-grid[y'][x'] = dst-grid[y'-i+ph][x'-j+pw] (a shifted copy of an output-grid plane) when not.
     */
    private void shiftedRows(float[] src, int srcBase, float[] dst, int dstBase, int i, int j, boolean gather) {
        int dy = i - k.padH();
        int dx = j - k.padW();
        int x0 = Math.max(0, -dx);
        int x1 = Math.min(ow, w - dx);
        if (gather) {
            for (int y = Math.max(0, -dy); y < Math.min(oh, h - dy); y++) {
                int s = srcBase + (y + dy) * w + dx;
                int d = dstBase + y * ow;
                for (int x = x0; x < x1; x++) {
                    dst[d + x] += src[s + x];
                }
            }
        } else {
            // src is the output-grid plane, dst the input-grid plane of the tap
            java.util.Arrays.fill(dst, dstBase, dstBase + h * w, 0f);
            for (int y = Math.max(0, -dy); y < Math.min(oh, h - dy); y++) {
                if (x1 > x0) {
                    System.arraycopy(src, srcBase + y * ow + x0, dst, dstBase + (y + dy) * w + x0 + dx, x1 - x0);
                }
            }
        }
    }

    void backward(float[] in, int batch, float[] weight, float[] gradOut, float[] gradIn, float[] gradWeight) {
        int plane = batch * h * w;
        // dP[(o,i,j)] = the output gradient shifted onto the input grid
        Parallel.forRange(taps * batch, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int r = p / batch;
                int n = p % batch;
                int o = r / k.area();
                int i = (r / k.kw()) % k.kh();
                int j = r % k.kw();
                shiftedRows(gradOut, (o * batch + n) * oh * ow, products, (r * batch + n) * h * w, i, j, false);
            }
        });
        if (gradWeight != null) {
            Gemm.gemm(false, true, taps, inChannels, plane, products, 0, plane, in, 0, plane, tapWeightGrad, 0,
                    inChannels, false);
            int area = k.area();
            for (int o = 0; o < outChannels; o++) {
                for (int c = 0; c < inChannels; c++) {
                    for (int t = 0; t < area; t++) {
                        gradWeight[(o * inChannels + c) * area + t] += tapWeightGrad[(o * area + t) * inChannels + c];
                    }
                }
            }
        }
        if (gradIn != null) {
            gatherTapWeights(weight);
            Gemm.gemm(true, false, inChannels, plane, taps, tapWeights, 0, inChannels, products, 0, plane, gradIn, 0,
                    plane, true);
        }
    }
}
