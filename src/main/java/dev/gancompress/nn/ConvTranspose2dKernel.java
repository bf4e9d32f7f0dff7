package dev.gancompress.nn;

import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Shape;

/**
 * Transposed convolution as the data-gradient of a convolution: col[Cout*kh*kw][N*H*W] = W^T x[Cin][N*H*W],
 * then fold col into the output grid. Its backward is a forward convolution: unfold the output gradient.
 */
final class ConvTranspose2dKernel implements Kernel {
    private final ConvTranspose2d layer;
    private final Shape inShape;
    private final Shape outShape;
    private final float[] weightGrad;
    private final float[] biasGrad;
    private final WeightValues values;
    private float[] col;

    ConvTranspose2dKernel(ConvTranspose2d layer, Shape inShape, Shape outShape, WeightValues values,
                          float[] weightGrad, float[] biasGrad) {
        this.layer = layer;
        this.values = values;
        this.inShape = inShape;
        this.outShape = outShape;
        this.weightGrad = weightGrad;
        this.biasGrad = biasGrad;
    }

    private int rows() {
        return layer.out() * layer.kernel().area();
    }

    @Override
    public void resize(int batch) {
        col = new float[rows() * batch * inShape.height() * inShape.width()];
    }

    @Override
    public void forward(float[][] in, float[] out, int batch, boolean training) {
        int cols = batch * inShape.height() * inShape.width();
        int rows = rows();
        Gemm.gemm(true, false, rows, cols, layer.in(), values.of(layer.weight()), 0, rows, in[0], 0, cols,
                col, 0, cols, false);
        java.util.Arrays.fill(out, 0f);
        Im2col.foldAdd(col, layer.out(), batch, outShape.height(), outShape.width(), layer.kernel(),
                inShape.height(), inShape.width(), out);
        if (layer.bias() != null) {
            ChannelOps.addBias(out, values.of(layer.bias()), layer.out(), batch * outShape.height() * outShape.width());
        }
    }

    @Override
    public void backward(float[][] in, float[] out, float[] gradOut, float[][] gradIn, int batch, boolean paramGrads) {
        int cols = batch * inShape.height() * inShape.width();
        int rows = rows();
        if (!paramGrads && gradIn[0] == null) {
            return;
        }
        Im2col.unfold(gradOut, layer.out(), batch, outShape.height(), outShape.width(), layer.kernel(),
                inShape.height(), inShape.width(), col);
        if (paramGrads) {
            Gemm.gemm(false, true, layer.in(), rows, cols, in[0], 0, cols, col, 0, cols, weightGrad, 0, rows, true);
            if (biasGrad != null) {
                ChannelOps.accumulateRowSums(gradOut, layer.out(), batch * outShape.height() * outShape.width(),
                        biasGrad);
            }
        }
        if (gradIn[0] != null) {
            Gemm.gemm(false, false, layer.in(), cols, rows, values.of(layer.weight()), 0, rows, col, 0, cols,
                    gradIn[0], 0, cols, true);
        }
    }
}
