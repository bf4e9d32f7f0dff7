package dev.gancompress.nn;

import dev.gancompress.model.Linear;

/** y[Fout][N] = W[Fout][Fin] x[Fin][N] + b. */
final class LinearKernel implements Kernel {
    private final Linear layer;
    private final float[] weightGrad;
    private final float[] biasGrad;
    private final WeightValues values;

    LinearKernel(Linear layer, WeightValues values, float[] weightGrad, float[] biasGrad) {
        this.layer = layer;
        this.values = values;
        this.weightGrad = weightGrad;
        this.biasGrad = biasGrad;
    }

    @Override
    public void forward(float[][] in, float[] out, int batch, boolean training) {
        Gemm.gemm(false, false, layer.out(), batch, layer.in(), values.of(layer.weight()), 0, layer.in(),
                in[0], 0, batch, out, 0, batch, false);
        if (layer.bias() != null) {
            ChannelOps.addBias(out, values.of(layer.bias()), layer.out(), batch);
        }
    }

    @Override
    public void backward(float[][] in, float[] out, float[] gradOut, float[][] gradIn, int batch, boolean paramGrads) {
        if (paramGrads) {
            Gemm.gemm(false, true, layer.out(), layer.in(), batch, gradOut, 0, batch, in[0], 0, batch,
                    weightGrad, 0, layer.in(), true);
            if (biasGrad != null) {
                ChannelOps.accumulateRowSums(gradOut, layer.out(), batch, biasGrad);
            }
        }
        if (gradIn[0] != null) {
            Gemm.gemm(true, false, layer.in(), batch, layer.out(), values.of(layer.weight()), 0, layer.in(),
                    gradOut, 0, batch, gradIn[0], 0, batch, true);
        }
    }
}
