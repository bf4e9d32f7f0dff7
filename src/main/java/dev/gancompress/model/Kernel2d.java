package dev.gancompress.model;

/**
 * Geometry of a 2-D convolution window. Rectangular kernels exist so that low-rank passes can split a
 * k x k convolution into k x 1 and 1 x k ones (Jaderberg et al. 2014). A dilation d spreads the kh taps
 * d rows apart (atrous convolution, Yu and Koltun 2016), so the window spans (kh - 1) d + 1 rows.
 */
public record Kernel2d(int kh, int kw, int strideH, int strideW, int padH, int padW, int dilationH, int dilationW) {
    public Kernel2d {
        if (kh < 1 || kw < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0 || dilationH < 1
                || dilationW < 1) {
            throw new IllegalArgumentException("invalid kernel geometry " + kh + "x" + kw + " stride " + strideH
                    + "x" + strideW + " pad " + padH + "x" + padW + " dilation " + dilationH + "x" + dilationW);
        }
    }

    /** An undilated window. */
    public Kernel2d(int kh, int kw, int strideH, int strideW, int padH, int padW) {
        this(kh, kw, strideH, strideW, padH, padW, 1, 1);
    }

    public static Kernel2d square(int k, int stride, int pad) {
        return new Kernel2d(k, k, stride, stride, pad, pad);
    }

    /** The same window with dilation (dh, dw). */
    public Kernel2d dilated(int dh, int dw) {
        return new Kernel2d(kh, kw, strideH, strideW, padH, padW, dh, dw);
    }

    public boolean isDilated() {
        return dilationH != 1 || dilationW != 1;
    }

    /** Rows the window spans: (kh - 1) dilationH + 1. */
    public int extentH() {
        return (kh - 1) * dilationH + 1;
    }

    public int extentW() {
        return (kw - 1) * dilationW + 1;
    }

    /** Conv2d output size: floor((in + 2p - ((k - 1) d + 1)) / s) + 1 (PyTorch and ONNX). */
    public int convOutH(int inH) {
        return Math.floorDiv(inH + 2 * padH - extentH(), strideH) + 1;
    }

    public int convOutW(int inW) {
        return Math.floorDiv(inW + 2 * padW - extentW(), strideW) + 1;
    }

    /** ConvTranspose2d output size: (in - 1) s - 2p + (k - 1) d + 1 + output_padding. */
    public int transposedOutH(int inH, int outputPadding) {
        return (inH - 1) * strideH - 2 * padH + extentH() + outputPadding;
    }

    public int transposedOutW(int inW, int outputPadding) {
        return (inW - 1) * strideW - 2 * padW + extentW() + outputPadding;
    }

    /** Taps per window (kh kw; dilation spreads them without adding any). */
    public int area() {
        return kh * kw;
    }

    @Override
    public String toString() {
        return kh + "x" + kw + " stride " + strideH + "x" + strideW + " pad " + padH + "x" + padW
                + (isDilated() ? " dilation " + dilationH + "x" + dilationW : "");
    }
}
