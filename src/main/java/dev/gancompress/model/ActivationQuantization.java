package dev.gancompress.model;

/**
 * How one activation (a graph input or a node's output) is quantised: unsigned 8-bit codes q in [0, 255]
 * representing (q - zeroPoint) x scale, one scale and zero point for the whole tensor. This is the asymmetric
 * uint8 grid of Jacob et al. (2018) that ONNX QuantizeLinear/DequantizeLinear compute and that ONNX Runtime's x86
 * int8 kernels (QLinearConv, QGemm: uint8 activations, int8 weights) take; per-tensor because the kernels requantise
 * a whole output with one multiplier. The engine applies it as fake quantisation in the forward pass (and passes
 * gradients straight through); the exporter writes it as a QuantizeLinear/DequantizeLinear pair. Lives in
 * {@link Model#quantizedActivations()}, the one place every reader looks.
 *
 * @param scale     positive, finite step
 * @param zeroPoint the code of 0.0, in [0, 255], so that 0 (ReLU's floor, zero padding) is exact
 */
public record ActivationQuantization(float scale, int zeroPoint) {
    public static final int QMIN = 0;
    public static final int QMAX = 255;

    public ActivationQuantization {
        if (!(scale > 0) || !Float.isFinite(scale)) {
            throw new IllegalArgumentException("activation scale must be positive and finite, got " + scale);
        }
        if (zeroPoint < QMIN || zeroPoint > QMAX) {
            throw new IllegalArgumentException("activation zero point must be in [0, 255], got " + zeroPoint);
        }
    }

    /**
     * The grid that covers [min, max] widened to contain 0 (so that zero is a code): scale (max - min) / 255, zero
     * point round(-min / scale). A range of zero width gets the smallest normal step, so constants stay exact.
     */
    public static ActivationQuantization ofRange(float min, float max) {
        if (!Float.isFinite(min) || !Float.isFinite(max) || min > max) {
            throw new IllegalArgumentException("activation range must be finite with min <= max, got [" + min
                    + ", " + max + "]");
        }
        float lo = Math.min(min, 0f);
        float hi = Math.max(max, 0f);
        float scale = (hi - lo) / QMAX;
        if (!(scale > 0)) {
            return new ActivationQuantization(Float.MIN_NORMAL, 0);
        }
        int zeroPoint = (int) Math.max(QMIN, Math.min(QMAX, Math.rint(-lo / scale)));
        return new ActivationQuantization(scale, zeroPoint);
    }

    /** QuantizeLinear: round half to even of value / scale (in float, as ONNX Runtime divides), shift, saturate. */
    public int encode(float value) {
        float q = (float) Math.rint(value / scale) + zeroPoint;
        return (int) Math.max(QMIN, Math.min(QMAX, q));
    }

    /** DequantizeLinear: (code - zero point) x scale in float. */
    public float decode(int code) {
        return (code - zeroPoint) * scale;
    }

    /** decode(encode(v)) in place over {@code values[from, from + length)}. */
    public void fakeQuantize(float[] values, int from, int length) {
        for (int i = from, end = from + length; i < end; i++) {
            values[i] = decode(encode(values[i]));
        }
    }

    /** The smallest and largest values the grid represents. */
    public float min() {
        return decode(QMIN);
    }

    public float max() {
        return decode(QMAX);
    }
}
