package dev.gancompress.nn;

import dev.gancompress.model.InstanceNorm2d;

/** Instance normalisation: statistics per (channel, sample) plane, which is contiguous in [C][N][H*W]. */
final class InstanceNormKernel implements Kernel {
    private final InstanceNorm2d layer;
    private final int spatial;
    private final float[] gammaGrad;
    private final float[] betaGrad;
    private final WeightValues values;
    private float[] mean;
    private float[] invStd;

    InstanceNormKernel(InstanceNorm2d layer, int spatial, WeightValues values, float[] gammaGrad, float[] betaGrad) {
        this.layer = layer;
        this.values = values;
        this.spatial = spatial;
        this.gammaGrad = gammaGrad;
        this.betaGrad = betaGrad;
    }

    @Override
    public void resize(int batch) {
        mean = new float[layer.channels() * batch];
        invStd = new float[layer.channels() * batch];
    }

    @Override
    public void forward(float[][] in, float[] out, int batch, boolean training) {
        float[] x = in[0];
        float[] gamma = values.of(layer.gamma());
        float[] beta = values.of(layer.beta());
        Parallel.forRange(layer.channels(), 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                for (int n = 0; n < batch; n++) {
                    int plane = c * batch + n;
                    int base = plane * spatial;
                    double s = 0;
                    for (int i = 0; i < spatial; i++) {
                        s += x[base + i];
                    }
                    double dm = s / spatial;
                    double sq = 0;
                    for (int i = 0; i < spatial; i++) {
                        double d = x[base + i] - dm;
                        sq += d * d;
                    }
                    float mu = (float) dm;
                    float is = (float) (1.0 / Math.sqrt(sq / spatial + layer.eps()));
                    mean[plane] = mu;
                    invStd[plane] = is;
                    float scale = gamma[c] * is;
                    float shift = beta[c] - mu * scale;
                    for (int i = 0; i < spatial; i++) {
                        out[base + i] = x[base + i] * scale + shift;
                    }
                }
            }
        });
    }

    @Override
    public void backward(float[][] in, float[] out, float[] gradOut, float[][] gradIn, int batch, boolean paramGrads) {
        float[] x = in[0];
        float[] dx = gradIn[0];
        float[] gamma = values.of(layer.gamma());
        Parallel.forRange(layer.channels(), 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                double gSum = 0;
                double bSum = 0;
                for (int n = 0; n < batch; n++) {
                    int plane = c * batch + n;
                    int base = plane * spatial;
                    float mu = mean[plane];
                    float is = invStd[plane];
                    double sumDy = 0;
                    double sumDyXhat = 0;
                    for (int i = 0; i < spatial; i++) {
                        float dy = gradOut[base + i];
                        sumDy += dy;
                        sumDyXhat += dy * (x[base + i] - mu) * is;
                    }
                    gSum += sumDyXhat;
                    bSum += sumDy;
                    if (dx != null) {
                        float g = gamma[c] * is;
                        float meanDy = (float) (sumDy / spatial);
                        float meanDyXhat = (float) (sumDyXhat / spatial);
                        for (int i = 0; i < spatial; i++) {
                            float xhat = (x[base + i] - mu) * is;
                            dx[base + i] += g * (gradOut[base + i] - meanDy - xhat * meanDyXhat);
                        }
                    }
                }
                if (paramGrads) {
                    gammaGrad[c] += (float) gSum;
                    betaGrad[c] += (float) bSum;
                }
            }
        });
    }
}
