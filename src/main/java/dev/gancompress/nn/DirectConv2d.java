package dev.gancompress.nn;

import dev.gancompress.model.Kernel2d;

/**
 * Direct stride-1 convolution for layers with very few output channels (the RGB or grey output layer of a
 * generator). im2col would write kh*kw copies of the whole input for a GEMM with 1-3 rows, which is all memory
 * traffic; here each MAC is a row-wise multiply-add on the input as it lies, parallel over samples (forward) or
 * input channels (backward), each output element reduced by one thread in a fixed order.
 */
final class DirectConv2d {
    private DirectConv2d() {
    }

    static boolean applies(int outChannels, Kernel2d k) {
        return outChannels <= 4 && k.strideH() == 1 && k.strideW() == 1;
    }

    /** out[o][n][y][x] = sum_{c,i,j} w[o][c][i][j] in[c][n][y+i-ph][x+j-pw] (bias added by the caller). */
    static void forward(float[] in, int channels, int batch, int h, int w, float[] weight, int outChannels, Kernel2d k,
                        int oh, int ow, float[] out) {
        Parallel.forRange(batch, 1, (n0, n1) -> {
            for (int o = 0; o < outChannels; o++) {
                for (int n = n0; n < n1; n++) {
                    int outBase = (o * batch + n) * oh * ow;
                    java.util.Arrays.fill(out, outBase, outBase + oh * ow, 0f);
                    for (int c = 0; c < channels; c++) {
                        int inBase = (c * batch + n) * h * w;
                        for (int i = 0; i < k.kh(); i++) {
                            for (int j = 0; j < k.kw(); j++) {
                                float wv = weight[((o * channels + c) * k.kh() + i) * k.kw() + j];
                                int x0 = Math.max(0, k.padW() - j);
                                int x1 = Math.min(ow, w + k.padW() - j);
                                for (int y = 0; y < oh; y++) {
                                    int iy = y + i - k.padH();
                                    if (iy < 0 || iy >= h || x1 <= x0) {
                                        continue;
                                    }
                                    int src = inBase + iy * w + j - k.padW();
                                    int dst = outBase + y * ow;
                                    for (int x = x0; x < x1; x++) {
                                        out[dst + x] += wv * in[src + x];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    /** gradIn += conv^T(gradOut), and gradWeight += correlation(gradOut, in); parallel over input channels. */
    static void backward(float[] in, int channels, int batch, int h, int w, float[] weight, int outChannels,
                         Kernel2d k, int oh, int ow, float[] gradOut, float[] gradIn, float[] gradWeight) {
        Parallel.forRange(channels, 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                for (int o = 0; o < outChannels; o++) {
                    for (int i = 0; i < k.kh(); i++) {
                        for (int j = 0; j < k.kw(); j++) {
                            int wi = ((o * channels + c) * k.kh() + i) * k.kw() + j;
                            float wv = weight[wi];
                            int x0 = Math.max(0, k.padW() - j);
                            int x1 = Math.min(ow, w + k.padW() - j);
                            double dw = 0;
                            for (int n = 0; n < batch; n++) {
                                int inBase = (c * batch + n) * h * w;
                                int outBase = (o * batch + n) * oh * ow;
                                for (int y = 0; y < oh; y++) {
                                    int iy = y + i - k.padH();
                                    if (iy < 0 || iy >= h || x1 <= x0) {
                                        continue;
                                    }
                                    int src = inBase + iy * w + j - k.padW();
                                    int g = outBase + y * ow;
                                    float rowSum = 0f;
                                    for (int x = x0; x < x1; x++) {
                                        rowSum += gradOut[g + x] * in[src + x];
                                    }
                                    dw += rowSum;
                                    if (gradIn != null) {
                                        for (int x = x0; x < x1; x++) {
                                            gradIn[src + x] += wv * gradOut[g + x];
                                        }
                                    }
                                }
                            }
                            if (gradWeight != null) {
                                gradWeight[wi] += (float) dw;
                            }
                        }
                    }
                }
            }
        });
    }
}
