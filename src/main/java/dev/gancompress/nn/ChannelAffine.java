package dev.gancompress.nn;

import dev.gancompress.model.BatchNorm2d;

/**
 * An evaluation-mode BatchNorm as the per-channel affine map y = x * scale[c] + shift[c], with scale and shift
 * computed exactly as {@link BatchNormKernel} computes them from the stored statistics (the storage of each
 * parameter applied first, through {@link WeightValues}). Folded into the preceding layer's weights and bias it
 * costs nothing at inference (Jacob et al. 2018, section 3.2); the folding changes only the rounding.
 */
record ChannelAffine(float[] scale, float[] shift) {
    static ChannelAffine of(BatchNorm2d bn, WeightValues values) {
        float[] gamma = values.of(bn.gamma());
        float[] beta = values.of(bn.beta());
        float[] mean = values.of(bn.runningMean());
        float[] var = values.of(bn.runningVar());
        float[] scale = new float[bn.channels()];
        float[] shift = new float[bn.channels()];
        for (int c = 0; c < scale.length; c++) {
            float is = (float) (1.0 / Math.sqrt(var[c] + bn.eps()));
            scale[c] = gamma[c] * is;
            shift[c] = beta[c] - mean[c] * scale[c];
        }
        return new ChannelAffine(scale, shift);
    }

    /**
     * The fused bias of output channel c: (b + BN) = b * scale + shift, or b alone without a BatchNorm.
     * {@code perChannel} output rows share one BatchNorm channel (a Linear reshaped to [C, H, W]).
     * Returns null when there is neither a bias nor a BatchNorm.
     */
    static float[] fusedBias(float[] bias, ChannelAffine bn, int rows, int perChannel) {
        if (bn == null) {
            return bias == null ? null : bias.clone();
        }
        float[] b = new float[rows];
        for (int r = 0; r < rows; r++) {
            int c = r / perChannel;
            b[r] = bias == null ? bn.shift[c] : bias[r] * bn.scale[c] + bn.shift[c];
        }
        return b;
    }
}
