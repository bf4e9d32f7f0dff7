package dev.gancompress.model;

/**
 * Geometry of a 2-D convolution window. Rectangular kernels exist so that low-rank passes can split a
 * k x k convolution into k x 1 and 1 x k ones (Jaderberg et al. 2014). A dilation d spreads the kh taps
 * d rows apart (atrous convolution, Yu and Koltun 2016), so the window spans (kh - 1) d + 1 rows.
 *
 * <p>{@code padH}/{@code padW} pad the top and left; {@code padEndH}/{@code padEndW} the bottom and right. They are
 * equal except where an imported model pads asymmetrically (TensorFlow's "same" at stride 2 pads one more row at the
 * end, which tf2onnx writes as pads [0, 0, 1, 1] or auto_pad SAME_UPPER). The window's first tap sits at
 * y s - padH, so only the output size sees the end padding.
 */
public record Kernel2d(int kh, int kw, int strideH, int strideW, int padH, int padW, int dilationH, int dilationW,
                       int padEndH, int padEndW) {
    public Kernel2d {
        if (kh < 1 || kw < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0 || dilationH < 1
                || dilationW < 1 || padEndH < 0 || padEndW < 0) {
            throw new IllegalArgumentException("invalid kernel geometry " + kh + "x" + kw + " stride " + strideH
                    + "x" + strideW + " pad " + padH + "x" + padW + " (end " + padEndH + "x" + padEndW + ") dilation "
                    + dilationH + "x" + dilationW);
        }
    }

    /** An undilated window with symmetric padding. */
    public Kernel2d(int kh, int kw, int strideH, int strideW, int padH, int padW) {
        this(kh, kw, strideH, strideW, padH, padW, 1, 1, padH, padW);
    }

    /** A window with symmetric padding. */
    public Kernel2d(int kh, int kw, int strideH, int strideW, int padH, int padW, int dilationH, int dilationW) {
        this(kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, padH, padW);
    }

    public static Kernel2d square(int k, int stride, int pad) {
        return new Kernel2d(k, k, stride, stride, pad, pad);
    }

    /** The same window with dilation (dh, dw). */
    public Kernel2d dilated(int dh, int dw) {
        return new Kernel2d(kh, kw, strideH, strideW, padH, padW, dh, dw, padEndH, padEndW);
    }

    /** The same window padded (top, left, bottom, right). */
    public Kernel2d padded(int top, int left, int bottom, int right) {
        return new Kernel2d(kh, kw, strideH, strideW, top, left, dilationH, dilationW, bottom, right);
    }

    public boolean isDilated() {
        return dilationH != 1 || dilationW != 1;
    }

    /** Whether the end pads equal the begin pads (what PyTorch's nn.Conv2d can express). */
    public boolean isSymmetric() {
        return padEndH == padH && padEndW == padW;
    }

    /** Rows the window spans: (kh - 1) dilationH + 1. */
    public int extentH() {
        return (kh - 1) * dilationH + 1;
    }

    public int extentW() {
        return (kw - 1) * dilationW + 1;
    }

    /** Conv2d output size: floor((in + padTop + padBottom - ((k - 1) d + 1)) / s) + 1 (PyTorch and ONNX). */
    public int convOutH(int inH) {
        return Math.floorDiv(inH + padH + padEndH - extentH(), strideH) + 1;
    }

    public int convOutW(int inW) {
        return Math.floorDiv(inW + padW + padEndW - extentW(), strideW) + 1;
    }

    /** ConvTranspose2d output size: (in - 1) s - padTop - padBottom + (k - 1) d + 1 + output_padding. */
    public int transposedOutH(int inH, int outputPadding) {
        return (inH - 1) * strideH - padH - padEndH + extentH() + outputPadding;
    }

    public int transposedOutW(int inW, int outputPadding) {
        return (inW - 1) * strideW - padW - padEndW + extentW() + outputPadding;
    }

    /** Taps per window (kh kw; dilation spreads them without adding any). */
    public int area() {
        return kh * kw;
    }

    @Override
    public String toString() {
        return kh + "x" + kw + " stride " + strideH + "x" + strideW + " pad " + padH + "x" + padW
                + (isSymmetric() ? "" : " (end " + padEndH + "x" + padEndW + ")")
                + (isDilated() ? " dilation " + dilationH + "x" + dilationW : "");
    }
}
