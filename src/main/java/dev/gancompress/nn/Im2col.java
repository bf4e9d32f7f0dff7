package dev.gancompress.nn;

import dev.gancompress.model.Kernel2d;

/**
 * Unfolds image patches into GEMM columns and folds them back, on the channel-major layout.
 * The image is [C][N][imgH*imgW]; the columns are [C*kh*kw][N*colH*colW], where (colH, colW) are the
 * positions of the sliding window: a Conv2d's output grid, or a ConvTranspose2d's input grid, for which col2im
 * is the forward pass (a transposed convolution is the data-gradient of a convolution). Tap (i, j) of a dilated
 * window reads the image at offset (i dilationH, j dilationW) from the window's corner.
 */
final class Im2col {
    private Im2col() {
    }

    static void unfold(float[] img, int channels, int batch, int imgH, int imgW, Kernel2d k, int colH, int colW,
                       float[] col) {
        int rows = channels * k.area();
        int colsPerImage = colH * colW;
        int cols = batch * colsPerImage;
        Parallel.forRange(rows, 1, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int c = r / k.area();
                // dilation spreads the taps: tap (i, j) reads offset (i dh, j dw) of the window
                int ki = (r / k.kw()) % k.kh() * k.dilationH();
                int kj = r % k.kw() * k.dilationW();
                int rowBase = r * cols;
                for (int n = 0; n < batch; n++) {
                    int imgBase = (c * batch + n) * imgH * imgW;
                    int colBase = rowBase + n * colsPerImage;
                    for (int oh = 0; oh < colH; oh++) {
                        int ih = oh * k.strideH() - k.padH() + ki;
                        int dst = colBase + oh * colW;
                        if (ih < 0 || ih >= imgH) {
                            java.util.Arrays.fill(col, dst, dst + colW, 0f);
                            continue;
                        }
                        int src = imgBase + ih * imgW;
                        if (k.strideW() == 1) {
                            // valid window columns are [ow0, ow1); the rest read padding
                            int ow0 = Math.min(colW, Math.max(0, k.padW() - kj));
                            int ow1 = Math.max(ow0, Math.min(colW, imgW + k.padW() - kj));
                            java.util.Arrays.fill(col, dst, dst + ow0, 0f);
                            if (ow1 > ow0) {
                                System.arraycopy(img, src + ow0 - k.padW() + kj, col, dst + ow0, ow1 - ow0);
                            }
                            java.util.Arrays.fill(col, dst + ow1, dst + colW, 0f);
                        } else {
                            int sw = k.strideW();
                            int ow0 = firstValid(k.padW() - kj, sw, colW);
                            int ow1 = endValid(imgW - 1 + k.padW() - kj, sw, colW);
                            java.util.Arrays.fill(col, dst, dst + ow0, 0f);
                            for (int ow = ow0, iw = ow0 * sw - k.padW() + kj; ow < ow1; ow++, iw += sw) {
                                col[dst + ow] = img[src + iw];
                            }
                            java.util.Arrays.fill(col, dst + Math.max(ow0, ow1), dst + colW, 0f);
                        }
                    }
                }
            }
        });
    }

    /** img += fold(col). Parallel over channels: each channel owns its image plane, so no races. */
    static void foldAdd(float[] col, int channels, int batch, int imgH, int imgW, Kernel2d k, int colH, int colW,
                        float[] img) {
        int colsPerImage = colH * colW;
        int cols = batch * colsPerImage;
        Parallel.forRange(channels, 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                for (int ti = 0; ti < k.kh(); ti++) {
                    for (int tj = 0; tj < k.kw(); tj++) {
                        int r = (c * k.kh() + ti) * k.kw() + tj;
                        int ki = ti * k.dilationH();
                        int kj = tj * k.dilationW();
                        int rowBase = r * cols;
                        for (int n = 0; n < batch; n++) {
                            int imgBase = (c * batch + n) * imgH * imgW;
                            int colBase = rowBase + n * colsPerImage;
                            for (int oh = 0; oh < colH; oh++) {
                                int ih = oh * k.strideH() - k.padH() + ki;
                                if (ih < 0 || ih >= imgH) {
                                    continue;
                                }
                                int src = colBase + oh * colW;
                                int dst = imgBase + ih * imgW;
                                int sw = k.strideW();
                                int ow1 = endValid(imgW - 1 + k.padW() - kj, sw, colW);
                                for (int ow = firstValid(k.padW() - kj, sw, colW), iw = ow * sw - k.padW() + kj;
                                     ow < ow1; ow++, iw += sw) {
                                    img[dst + iw] += col[src + ow];
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    /** The first window position ow with ow * stride >= offset (clamped to [0, limit]). */
    private static int firstValid(int offset, int stride, int limit) {
        if (offset <= 0) {
            return 0;
        }
        return Math.min(limit, (offset + stride - 1) / stride);
    }

    /** One past the last window position ow with ow * stride <= last (clamped to [0, limit]). */
    private static int endValid(int last, int stride, int limit) {
        if (last < 0) {
            return 0;
        }
        return Math.min(limit, last / stride + 1);
    }
}
