package dev.gancompress.model;

/**
 * Geometry of a 2-D convolution window. Rectangular kernels exist so that low-rank passes can split a
 * k x k convolution into k x 1 and 1 x k ones (Jaderberg et al. 2014).
 */
public record Kernel2d(int kh, int kw, int strideH, int strideW, int padH, int padW) {
    public Kernel2d {
        if (kh < 1 || kw < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("invalid kernel geometry " + kh + "x" + kw + " stride " + strideH
                    + "x" + strideW + " pad " + padH + "x" + padW);
        }
    }

    public static Kernel2d square(int k, int stride, int pad) {
        return new Kernel2d(k, k, stride, stride, pad, pad);
    }

    /** Conv2d output size: floor((in + 2p - k) / s) + 1 (PyTorch and ONNX, no dilation). */
    public int convOutH(int inH) {
        return (inH + 2 * padH - kh) / strideH + 1;
    }

    public int convOutW(int inW) {
        return (inW + 2 * padW - kw) / strideW + 1;
    }

    /** ConvTranspose2d output size: (in - 1) s - 2p + k + output_padding. */
    public int transposedOutH(int inH, int outputPadding) {
        return (inH - 1) * strideH - 2 * padH + kh + outputPadding;
    }

    public int transposedOutW(int inW, int outputPadding) {
        return (inW - 1) * strideW - 2 * padW + kw + outputPadding;
    }

    public int area() {
        return kh * kw;
    }
}
