package dev.gancompress.nn;

import dev.gancompress.model.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * What inference does to a freshly computed output channel before anyone reads it: add the channel's bias (with a
 * folded BatchNorm's shift in it), then apply the activation. Run on a tile or a plane while it is still in L1, it
 * replaces the separate bias, BatchNorm and activation passes over the whole tensor, each of which streams it from
 * memory and back. The arithmetic is that of {@link ChannelOps#addBias} then {@link ActivationKernel}: the same
 * fp32 operations in the same order, so a fused layer differs from the unfused one only by the folding of the
 * BatchNorm scale into the weights (a few ulps).
 *
 * <p>tanh and sigmoid go through the Vector API's lanewise TANH/EXP (JDK 17 intrinsifies them with Intel's SVML
 * on x86: within a few ulps of {@link Math#tanh}, checked in {@code FusedInferenceTest}).
 */
final class Epilogue {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    /** Bias per output row, or null. */
    private final float[] bias;
    /** The activation, or null for none. */
    private final Activation.Function function;
    private final float alpha;
    private final float beta;

    Epilogue(float[] bias, Activation activation) {
        this.bias = bias;
        this.function = activation == null ? null : activation.function();
        this.alpha = activation == null ? 0f : activation.alpha();
        this.beta = activation == null ? 0f : activation.beta();
    }

    /** True when {@link #apply} changes nothing. */
    boolean isIdentity() {
        return bias == null && function == null;
    }

    /** x[off .. off+len) of output row {@code row}: += bias[row], then the activation, in place. */
    void apply(float[] x, int off, int len, int row) {
        float b = bias == null ? 0f : bias[row];
        boolean addBias = bias != null;
        int end = off + len;
        int i = off;
        if (function == null) {
            if (!addBias) {
                return;
            }
            for (int vEnd = off + SPECIES.loopBound(len); i < vEnd; i += SPECIES.length()) {
                FloatVector.fromArray(SPECIES, x, i).add(b).intoArray(x, i);
            }
            for (; i < end; i++) {
                x[i] += b;
            }
            return;
        }
        switch (function) {
            case RELU, LEAKY_RELU -> {
                float slope = function == Activation.Function.RELU ? 0f : alpha;
                for (int vEnd = off + SPECIES.loopBound(len); i < vEnd; i += SPECIES.length()) {
                    FloatVector v = FloatVector.fromArray(SPECIES, x, i).add(b);
                    v.blend(v.mul(slope), v.compare(VectorOperators.LT, 0f)).intoArray(x, i);
                }
                for (; i < end; i++) {
                    float v = x[i] + b;
                    x[i] = v > 0f ? v : slope * v;
                }
            }
            case CLIP -> {
                for (int vEnd = off + SPECIES.loopBound(len); i < vEnd; i += SPECIES.length()) {
                    FloatVector.fromArray(SPECIES, x, i).add(b).max(alpha).min(beta).intoArray(x, i);
                }
                for (; i < end; i++) {
                    x[i] = Math.min(Math.max(x[i] + b, alpha), beta);
                }
            }
            case TANH -> {
                for (int vEnd = off + SPECIES.loopBound(len); i < vEnd; i += SPECIES.length()) {
                    FloatVector.fromArray(SPECIES, x, i).add(b).lanewise(VectorOperators.TANH).intoArray(x, i);
                }
                for (; i < end; i++) {
                    x[i] = (float) Math.tanh(x[i] + b);
                }
            }
            case SIGMOID -> {
                FloatVector one = FloatVector.broadcast(SPECIES, 1f);
                for (int vEnd = off + SPECIES.loopBound(len); i < vEnd; i += SPECIES.length()) {
                    FloatVector e = FloatVector.fromArray(SPECIES, x, i).add(b).neg().lanewise(VectorOperators.EXP);
                    one.div(e.add(1f)).intoArray(x, i);
                }
                for (; i < end; i++) {
                    x[i] = (float) (1.0 / (1.0 + Math.exp(-(x[i] + b))));
                }
            }
        }
    }
}
