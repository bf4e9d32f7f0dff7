package dev.gancompress.nn;

import dev.gancompress.model.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise nonlinearities; tanh and sigmoid differentiate through their output, ReLUs and Clip through the
 * input.
 */
final class ActivationKernel implements Kernel {
    private static final int GRAIN = 4096;
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private final Activation.Function function;
    private final float alpha;
    private final float beta;

    ActivationKernel(Activation layer) {
        this.function = layer.function();
        this.alpha = layer.alpha();
        this.beta = layer.beta();
    }

    @Override
    public void forward(float[][] in, float[] out, int batch, boolean training) {
        float[] x = in[0];
        Parallel.forRange(x.length, GRAIN, (s, e) -> {
            switch (function) {
                case RELU, LEAKY_RELU -> {
                    // the piecewise-linear ones are memory-bound: vectorised, branch-free
                    float slope = function == Activation.Function.RELU ? 0f : alpha;
                    int i = s;
                    for (int end = s + SPECIES.loopBound(e - s); i < end; i += SPECIES.length()) {
                        FloatVector v = FloatVector.fromArray(SPECIES, x, i);
                        v.blend(v.mul(slope), v.compare(VectorOperators.LT, 0f)).intoArray(out, i);
                    }
                    for (; i < e; i++) {
                        out[i] = x[i] > 0f ? x[i] : slope * x[i];
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
                case CLIP -> {
                    for (int i = s; i < e; i++) {
                        out[i] = Math.min(Math.max(x[i], alpha), beta);
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
                case RELU, LEAKY_RELU -> {
                    float slope = function == Activation.Function.RELU ? 0f : alpha;
                    int i = s;
                    for (int end = s + SPECIES.loopBound(e - s); i < end; i += SPECIES.length()) {
                        FloatVector g = FloatVector.fromArray(SPECIES, gradOut, i);
                        VectorMask<Float> negative = FloatVector.fromArray(SPECIES, x, i)
                                .compare(VectorOperators.LE, 0f);
                        FloatVector.fromArray(SPECIES, dx, i).add(g.blend(g.mul(slope), negative)).intoArray(dx, i);
                    }
                    for (; i < e; i++) {
                        dx[i] += x[i] > 0f ? gradOut[i] : slope * gradOut[i];
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
                case CLIP -> {
                    // PyTorch's hardtanh convention: no gradient at or beyond a bound.
                    for (int i = s; i < e; i++) {
                        if (x[i] > alpha && x[i] < beta) {
                            dx[i] += gradOut[i];
                        }
                    }
                }
            }
        });
    }
}
