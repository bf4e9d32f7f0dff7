package dev.gancompress.nn;

import dev.gancompress.model.Activation;

/** Element-wise nonlinearities; tanh and sigmoid differentiate through their output, ReLUs through the input. */
final class ActivationKernel implements Kernel {
    private static final int GRAIN = 4096;
    private final Activation.Function function;
    private final float alpha;

    ActivationKernel(Activation layer) {
        this.function = layer.function();
        this.alpha = layer.alpha();
    }

    @Override
    public void forward(float[][] in, float[] out, int batch, boolean training) {
        float[] x = in[0];
        Parallel.forRange(x.length, GRAIN, (s, e) -> {
            switch (function) {
                case RELU -> {
                    for (int i = s; i < e; i++) {
                        out[i] = Math.max(x[i], 0f);
                    }
                }
                case LEAKY_RELU -> {
                    for (int i = s; i < e; i++) {
                        out[i] = x[i] > 0f ? x[i] : alpha * x[i];
                    }
                }
                case TANH -> {
                    for (int i = s; i < e; i++) {
                        out[i] = (float) Math.tanh(x[i]);
                    }
                }
                case SIGMOID -> {
                    for (int i = s; i < e; i++) {
                        out[i] = (float) (1.0 / (1.0 + Math.exp(-x[i])));
                    }
                }
            }
        });
    }

    @Override
    public void backward(float[][] in, float[] out, float[] gradOut, float[][] gradIn, int batch, boolean paramGrads) {
        float[] dx = gradIn[0];
        if (dx == null) {
            return;
        }
        float[] x = in[0];
        Parallel.forRange(x.length, GRAIN, (s, e) -> {
            switch (function) {
                case RELU -> {
                    for (int i = s; i < e; i++) {
                        if (x[i] > 0f) {
                            dx[i] += gradOut[i];
                        }
                    }
                }
                case LEAKY_RELU -> {
                    for (int i = s; i < e; i++) {
                        dx[i] += x[i] > 0f ? gradOut[i] : alpha * gradOut[i];
                    }
                }
                case TANH -> {
                    for (int i = s; i < e; i++) {
                        dx[i] += gradOut[i] * (1f - out[i] * out[i]);
                    }
                }
                case SIGMOID -> {
                    for (int i = s; i < e; i++) {
                        dx[i] += gradOut[i] * out[i] * (1f - out[i]);
                    }
                }
            }
        });
    }
}
