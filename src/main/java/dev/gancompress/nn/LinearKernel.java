package dev.gancompress.nn;

import dev.gancompress.model.Linear;

/** y[Fout][N] = W[Fout][Fin] x[Fin][N] + b. */
final class LinearKernel implements Kernel {
    private final Linear layer;
    private final float[] weightGrad;
    private final float[] biasGrad;

    LinearKernel(Linear layer, float[] weightGrad, float[] biasGrad) {
        this.layer = layer;
        this.weightGrad = weightGrad;
        this.biasGrad = biasGrad;
    }

    @Override
    public void forward(float[][] in, float[] out, int batch, boolean training) {
        Gemm.gemm(false, false, layer.out(), batch, layer.in(), layer.weight().data(), 0, layer.in(),
                in[0], 0, batch, out, 0, batch, false);
        if (layer.bias() != null) {
            ChannelOps.addBias(out, layer.bias().data(), layer.out(), batch);
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
            Gemm.gemm(true, false, layer.in(), batch, layer.out(), layer.weight().data(), 0, layer.in(),
                    gradOut, 0, batch, gradIn[0], 0, batch, true);
        }
    }
}
