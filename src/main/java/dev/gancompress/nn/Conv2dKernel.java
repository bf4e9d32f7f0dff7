package dev.gancompress.nn;

import dev.gancompress.model.Conv2d;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Shape;

/**
 * Convolution as one GEMM over the whole batch: out[Cout][N*Ho*Wo] = W[Cout][Cin*kh*kw] col[Cin*kh*kw][N*Ho*Wo].
 * A 1x1, stride-1, unpadded convolution skips the unfold (its columns are the input itself). With g groups the
 * unfold is the same (channel-major, so group j's input channels are one block of rows of col) and the GEMM
 * splits into g block-diagonal ones: out rows of group j = W_j[Cout/g][Cin/g*kh*kw] col rows of group j.
 */
final class Conv2dKernel implements Kernel {
    private final Conv2d layer;
    private final Shape inShape;
    private final Shape outShape;
    private final float[] weightGrad;
    private final float[] biasGrad;
    private final WeightValues values;
    private final boolean pointwise;
    private final DirectConv2d direct;
    private float[] col;
    private float[] colGrad;

    Conv2dKernel(Conv2d layer, Shape inShape, Shape outShape, WeightValues values, float[] weightGrad,
                 float[] biasGrad) {
        this.layer = layer;
        this.values = values;
        this.inShape = inShape;
        this.outShape = outShape;
        this.weightGrad = weightGrad;
        this.biasGrad = biasGrad;
        Kernel2d k = layer.kernel();
        this.pointwise = k.kh() == 1 && k.kw() == 1 && k.strideH() == 1 && k.strideW() == 1
                && k.padH() == 0 && k.padW() == 0;
        this.direct = !pointwise && !layer.isGrouped() && !k.isDilated() && DirectConv2d.applies(layer.out(), k)
                ? new DirectConv2d(layer.in(), layer.out(), k, inShape.height(), inShape.width(), outShape.height(),
                outShape.width()) : null;
    }

    private int rows() {
        return layer.in() * layer.kernel().area();
    }

    /** Rows of col (and columns of W) per group. */
    private int groupRows() {
        return layer.inPerGroup() * layer.kernel().area();
    }

    @Override
    public void resize(int batch) {
        if (direct != null) {
            direct.resize(batch);
        } else if (!pointwise) {
            col = new float[rows() * batch * outShape.height() * outShape.width()];
            colGrad = null;
        }
    }

    private float[] columns(float[] x, int batch) {
        if (pointwise) {
            return x;
        }
        Im2col.unfold(x, layer.in(), batch, inShape.height(), inShape.width(), layer.kernel(),
                outShape.height(), outShape.width(), col);
        return col;
    }

    @Override
    public void forward(float[][] in, float[] out, int batch, boolean training) {
        int cols = batch * outShape.height() * outShape.width();
        if (direct != null) {
            direct.forward(in[0], batch, values.of(layer.weight()), out);
            if (layer.bias() != null) {
                ChannelOps.addBias(out, values.of(layer.bias()), layer.out(), cols);
            }
            return;
        }
        float[] c = columns(in[0], batch);
        float[] w = values.of(layer.weight());
        int gr = groupRows();
        int go = layer.outPerGroup();
        for (int g = 0; g < layer.groups(); g++) {
            Gemm.gemm(false, false, go, cols, gr, w, g * go * gr, gr, c, g * gr * cols, cols,
                    out, g * go * cols, cols, false);
        }
        if (layer.bias() != null) {
            ChannelOps.addBias(out, values.of(layer.bias()), layer.out(), cols);
        }
    }

    private float[] colGrad() {
        if (colGrad == null) {
            colGrad = new float[col.length];
        }
        return colGrad;
    }

    @Override
    public void backward(float[][] in, float[] out, float[] gradOut, float[][] gradIn, int batch, boolean paramGrads) {
        int cols = batch * outShape.height() * outShape.width();
        int gr = groupRows();
        int go = layer.outPerGroup();
        if (direct != null) {
            direct.backward(in[0], batch, values.of(layer.weight()), gradOut, gradIn[0],
                    paramGrads ? weightGrad : null);
            if (paramGrads && biasGrad != null) {
                ChannelOps.accumulateRowSums(gradOut, layer.out(), cols, biasGrad);
            }
            return;
        }
        if (paramGrads) {
            // the columns are still those of the forward pass (or the input itself when pointwise)
            float[] c = pointwise ? in[0] : col;
            for (int g = 0; g < layer.groups(); g++) {
                Gemm.gemm(false, true, go, gr, cols, gradOut, g * go * cols, cols, c, g * gr * cols, cols,
                        weightGrad, g * go * gr, gr, true);
            }
            if (biasGrad != null) {
                ChannelOps.accumulateRowSums(gradOut, layer.out(), cols, biasGrad);
            }
        }
        if (gradIn[0] != null) {
            float[] w = values.of(layer.weight());
            // pointwise: the columns are the input, so their gradient accumulates into it directly
            float[] target = pointwise ? gradIn[0] : colGrad();
            for (int g = 0; g < layer.groups(); g++) {
                Gemm.gemm(true, false, gr, cols, go, w, g * go * gr, gr, gradOut, g * go * cols, cols,
                        target, g * gr * cols, cols, pointwise);
            }
            if (pointwise) {
                return;
            }
            Im2col.foldAdd(colGrad, layer.in(), batch, inShape.height(), inShape.width(), layer.kernel(),
                    outShape.height(), outShape.width(), gradIn[0]);
        }
    }
}
