package dev.gancompress.nn;

import dev.gancompress.model.Activation;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Shape;

/**
 * Inference form of Conv2d [-> BatchNorm] [-> activation]: the BatchNorm scale folded into the weight rows, the
 * weights packed once for the GEMM, bias, shift and activation applied in the GEMM epilogue. The columns are
 * those of {@link Conv2dKernel} (the input itself for a pointwise convolution); a layer with very few output
 * channels runs as {@link DirectConv2d}, followed by the epilogue on each output plane while the product is
 * fresh.
 */
final class FusedConv2d implements Kernel {
    private final int inChannels;
    private final int outChannels;
    private final Kernel2d k;
    private final Shape inShape;
    private final Shape outShape;
    private final Gemm.PackedA packed;
    private final Epilogue epilogue;
    private final boolean pointwise;
    private final DirectConv2d direct;
    private float[] col;

    /** @param weight W' [out][in*kh*kw], BatchNorm scale folded in; bias the fused bias or null */
    FusedConv2d(int inChannels, int outChannels, Kernel2d k, Shape inShape, Shape outShape, float[] weight,
                float[] bias, Activation act) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.k = k;
        this.inShape = inShape;
        this.outShape = outShape;
        this.epilogue = new Epilogue(bias, act);
        this.pointwise = k.kh() == 1 && k.kw() == 1 && k.strideH() == 1 && k.strideW() == 1
                && k.padH() == 0 && k.padW() == 0;
        this.direct = !pointwise && DirectConv2d.applies(outChannels, k)
                ? new DirectConv2d(inChannels, outChannels, k, inShape.height(), inShape.width(), outShape.height(),
                outShape.width()) : null;
        this.packed = direct == null ? Gemm.pack(false, outChannels, inChannels * k.area(), weight, 0,
                inChannels * k.area()) : direct.packTaps(weight);
    }

    @Override
    public void resize(int batch) {
        if (direct != null) {
            direct.resize(batch);
        } else if (!pointwise) {
            col = new float[inChannels * k.area() * batch * outShape.height() * outShape.width()];
        }
    }

    @Override
    public void forward(float[][] in, float[] out, int batch, boolean training) {
        int cols = batch * outShape.height() * outShape.width();
        if (direct != null) {
            direct.forward(packed, in[0], batch, out, epilogue);
            return;
        }
        float[] b = in[0];
        if (!pointwise) {
            Im2col.unfold(in[0], inChannels, batch, inShape.height(), inShape.width(), k, outShape.height(),
                    outShape.width(), col);
            b = col;
        }
        Gemm.gemm(packed, cols, b, 0, cols, out, 0, cols, epilogue);
    }

    @Override
    public void backward(float[][] in, float[] out, float[] gradOut, float[][] gradIn, int batch, boolean paramGrads) {
        throw new UnsupportedOperationException("inference-only kernel: train with Network");
    }
}
