package dev.gancompress.nn;

import dev.gancompress.model.BatchNorm2d;

/**
 * Batch normalisation on [C][N*H*W]: each channel is one contiguous run, reduced in double by one thread.
 * Backward in training mode is the full derivative through the batch statistics:
 * dx = gamma * invstd / M * (M dy - sum dy - xhat sum(dy xhat)).
 */
final class BatchNormKernel implements Kernel {
    private final BatchNorm2d layer;
    private final int spatial;
    private final float[] gammaGrad;
    private final float[] betaGrad;
    private final WeightValues values;
    private final float[] mean;
    private final float[] invStd;
    private boolean lastTraining;

    BatchNormKernel(BatchNorm2d layer, int spatial, WeightValues values, float[] gammaGrad, float[] betaGrad) {
        this.layer = layer;
        this.values = values;
        this.spatial = spatial;
        this.gammaGrad = gammaGrad;
        this.betaGrad = betaGrad;
        this.mean = new float[layer.channels()];
        this.invStd = new float[layer.channels()];
    }

    @Override
    public void forward(float[][] in, float[] out, int batch, boolean training) {
        float[] x = in[0];
        int m = batch * spatial;
        float[] gamma = values.of(layer.gamma());
        float[] beta = values.of(layer.beta());
        // training updates the running statistics' master values; evaluation reads them as stored
        float[] runMean = training ? layer.runningMean().data() : values.of(layer.runningMean());
        float[] runVar = training ? layer.runningVar().data() : values.of(layer.runningVar());
        float momentum = layer.momentum();
        lastTraining = training;
        Parallel.forRange(layer.channels(), 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                int base = c * m;
                float mu;
                float var;
                if (training) {
                    double s = 0;
                    for (int i = 0; i < m; i++) {
                        s += x[base + i];
                    }
                    double dm = s / m;
                    double sq = 0;
                    for (int i = 0; i < m; i++) {
                        double d = x[base + i] - dm;
                        sq += d * d;
                    }
                    mu = (float) dm;
                    var = (float) (sq / m);
                    float unbiased = m > 1 ? (float) (sq / (m - 1)) : var;
                    runMean[c] = (1 - momentum) * runMean[c] + momentum * mu;
                    runVar[c] = (1 - momentum) * runVar[c] + momentum * unbiased;
                } else {
                    mu = runMean[c];
                    var = runVar[c];
                }
                float is = (float) (1.0 / Math.sqrt(var + layer.eps()));
                mean[c] = mu;
                invStd[c] = is;
                float scale = gamma[c] * is;
                float shift = beta[c] - mu * scale;
                for (int i = 0; i < m; i++) {
                    out[base + i] = x[base + i] * scale + shift;
                }
            }
        });
    }

    @Override
    public void backward(float[][] in, float[] out, float[] gradOut, float[][] gradIn, int batch, boolean paramGrads) {
        float[] x = in[0];
        float[] dx = gradIn[0];
        int m = batch * spatial;
        float[] gamma = values.of(layer.gamma());
        Parallel.forRange(layer.channels(), 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                int base = c * m;
                float mu = mean[c];
                float is = invStd[c];
                double sumDy = 0;
                double sumDyXhat = 0;
                for (int i = 0; i < m; i++) {
                    float dy = gradOut[base + i];
                    sumDy += dy;
                    sumDyXhat += dy * (x[base + i] - mu) * is;
                }
                if (paramGrads) {
                    gammaGrad[c] += (float) sumDyXhat;
                    betaGrad[c] += (float) sumDy;
                }
                if (dx == null) {
                    continue;
                }
                float g = gamma[c] * is;
                if (lastTraining) {
                    float meanDy = (float) (sumDy / m);
                    float meanDyXhat = (float) (sumDyXhat / m);
                    for (int i = 0; i < m; i++) {
                        float xhat = (x[base + i] - mu) * is;
                        dx[base + i] += g * (gradOut[base + i] - meanDy - xhat * meanDyXhat);
                    }
                } else {
                    for (int i = 0; i < m; i++) {
                        dx[base + i] += g * gradOut[base + i];
                    }
                }
            }
        });
    }
}
