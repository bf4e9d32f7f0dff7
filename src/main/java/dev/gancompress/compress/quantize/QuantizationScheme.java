package dev.gancompress.compress.quantize;

import dev.gancompress.model.WeightStorage;
import dev.gancompress.model.Weights;

/**
 * How one tensor's storage is chosen from its values: each scheme fills one hook, {@link #storage}; the default
 * {@link #quantize} then attaches it and moves the values onto its grid (round to nearest, clamp). A channel with
 * no non-zero value gets scale 1, so every scale is positive and its codes are 0.
 */
enum QuantizationScheme {
    /** Scale max|w| / (2^(b-1) - 1) per channel, zero point 0, codes in the narrow range +-(2^(b-1) - 1). */
    SYMMETRIC {
        @Override
        WeightStorage storage(ChannelValues v, int axis, QuantizationConfig config) {
            int qmax = (1 << (config.bits() - 1)) - 1;
            double[] maxAbs = v.maxAbs();
            float[] scales = new float[v.channels()];
            for (int c = 0; c < scales.length; c++) {
                scales[c] = positive(maxAbs[c] / qmax);
            }
            return WeightStorage.IntN.symmetric(config.bits(), axis, scales);
        }
    },

    /**
     * The affine grid of Jacob et al. 2018 over [min(0, min w), max(0, max w)] per channel: 2^b - 1 steps, the zero
     * point the code of 0.0, so zero (and every pruned weight) stays exact.
     */
    ASYMMETRIC {
        @Override
        WeightStorage storage(ChannelValues v, int axis, QuantizationConfig config) {
            int qmin = -(1 << (config.bits() - 1));
            int qmax = (1 << (config.bits() - 1)) - 1;
            double[] lo = v.minWithZero();
            double[] hi = v.maxWithZero();
            float[] scales = new float[v.channels()];
            int[] zeroPoints = new int[v.channels()];
            for (int c = 0; c < scales.length; c++) {
                scales[c] = positive((hi[c] - lo[c]) / (qmax - qmin));
                zeroPoints[c] = (int) Math.max(qmin, Math.min(qmax, Math.rint(qmin - lo[c] / scales[c])));
            }
            return new WeightStorage.IntN(config.bits(), false, axis, scales, zeroPoints);
        }
    },

    /**
     * Ternary Weight Networks (Li, Zhang and Liu 2016): per channel the threshold delta = 0.7 mean|w| (their
     * approximation of the optimal one for Gaussian-like weights) and alpha = the mean |w| above it; w becomes
     * alpha sign(w) where |w| > delta, else 0. Stored as 2-bit narrow integers with scale alpha, whose rounding
     * reproduces these codes exactly (quantisation-aware training would round at alpha / 2 instead of delta).
     */
    TERNARY {
        static final double DELTA_FACTOR = 0.7;

        @Override
        WeightStorage storage(ChannelValues v, int axis, QuantizationConfig config) {
            double[] delta = delta(v);
            double[] alpha = v.meanAbsAbove(delta);
            float[] scales = new float[v.channels()];
            for (int c = 0; c < scales.length; c++) {
                scales[c] = positive(alpha[c]);
            }
            return WeightStorage.IntN.ternary(axis, scales);
        }

        @Override
        WeightStorage quantize(Weights w, int axis, QuantizationConfig config) {
            ChannelValues v = new ChannelValues(w, axis);
            double[] delta = delta(v);
            WeightStorage.IntN storage = (WeightStorage.IntN) storage(v, axis, config);
            float[] data = w.data();
            for (int i = 0; i < data.length; i++) {
                int c = v.channelOf(i);
                data[i] = !v.kept(i) || Math.abs(data[i]) <= delta[c] ? 0f
                        : Math.copySign(storage.scale(c), data[i]);
            }
            w.setStorage(storage);
            w.projectToStorage();
            return storage;
        }

        private double[] delta(ChannelValues v) {
            double[] delta = v.meanAbs();
            for (int c = 0; c < delta.length; c++) {
                delta[c] *= DELTA_FACTOR;
            }
            return delta;
        }
    },

    /**
     * Scaled sign (XNOR-Net, Rastegari et al. 2016): alpha = mean |w| per channel, the L2-optimal scale for fixed
     * signs; w becomes +alpha for w >= 0, -alpha otherwise.
     */
    BINARY {
        @Override
        WeightStorage storage(ChannelValues v, int axis, QuantizationConfig config) {
            double[] alpha = v.meanAbs();
            float[] scales = new float[v.channels()];
            for (int c = 0; c < scales.length; c++) {
                scales[c] = positive(alpha[c]);
            }
            return new WeightStorage.Binary(axis, scales);
        }
    },

    /** fp16 or bf16: round to nearest even, no scales. */
    FLOAT {
        @Override
        WeightStorage storage(ChannelValues v, int axis, QuantizationConfig config) {
            return config.floatFormat().equals("bf16") ? new WeightStorage.Bf16() : new WeightStorage.Fp16();
        }
    };

    static QuantizationScheme of(QuantizationConfig config) {
        return switch (config.scheme()) {
            case QuantizationConfig.SYMMETRIC -> SYMMETRIC;
            case QuantizationConfig.ASYMMETRIC -> ASYMMETRIC;
            case QuantizationConfig.TERNARY -> TERNARY;
            case QuantizationConfig.BINARY -> BINARY;
            case QuantizationConfig.FLOAT -> FLOAT;
            default -> throw new IllegalStateException("validated config has an unknown scheme " + config.scheme());
        };
    }

    /** The storage for these values, per channel of {@code axis} (-1: per tensor). */
    abstract WeightStorage storage(ChannelValues values, int axis, QuantizationConfig config);

    /** Attaches the storage and replaces the values by the ones it represents. */
    WeightStorage quantize(Weights w, int axis, QuantizationConfig config) {
        WeightStorage storage = storage(new ChannelValues(w, axis), axis, config);
        w.setStorage(storage);
        w.projectToStorage();
        return storage;
    }

    /** A scale from a statistic: the statistic in float when positive and finite, else 1 (an all-zero channel). */
    static float positive(double scale) {
        float s = (float) scale;
        return s > 0 && Float.isFinite(s) ? s : 1f;
    }
}
