package dev.gancompress.model;

import java.util.Arrays;

/**
 * How the values of one weight tensor are stored: the one description that the engine (fake quantisation), the
 * cost model (bytes) and the ONNX exporter (QDQ initializers) read, so that a later technique composes with an
 * earlier one by changing this description rather than by knowing the earlier technique.
 *
 * <p>Every format is a pair of maps between a float and an integer <em>code</em>: {@link #encode} (round, clamp)
 * and {@link #decode}. The float a format represents is decode(encode(v)); {@link #fakeQuantize} computes it for a
 * whole tensor. {@link Weights#data()} holds float master values; after a quantisation pass they equal the
 * represented values, and while training (QAT) they may drift off the grid, which the engine handles by computing
 * with the fake-quantised values and passing gradients straight through to the master values (Bengio, Leonard and
 * Courville 2013, the straight-through estimator). decode(encode(decode(c))) = decode(c) for every code, so the
 * codes of a model imported from QDQ are regenerated bit-exactly from its dequantized values.
 *
 * <p>A pruning mask ({@link Weights#mask()}) composes with every format: a masked entry stores
 * {@link #zeroCode} and represents exactly 0.
 *
 * <p>Per-channel parameters run along {@link #axis()} of the tensor (ONNX DequantizeLinear's axis; -1 when one
 * set of parameters covers the whole tensor). A new format is a compile error in every {@link Visitor} (exporter,
 * importer, cost model), not a silent fall-through.
 */
public sealed interface WeightStorage permits WeightStorage.Fp32, WeightStorage.Float16,
        WeightStorage.IntN, WeightStorage.Binary, WeightStorage.Codebook {

    /** The tensor axis that per-channel parameters run along, or -1 for per-tensor (or no) parameters. */
    int axis();

    /** The number of per-channel parameter sets (1 when per-tensor): what the cost model counts side data for. */
    int channels();

    /** The integer code of {@code value} in channel {@code channel} (an fp16/bf16 bit pattern, an integer level). */
    int encode(float value, int channel);

    /** The float that {@code code} represents in channel {@code channel}. */
    float decode(int code, int channel);

    /** The code of an exact zero, stored for masked (pruned) entries. */
    int zeroCode(int channel);

    /** Stored bits per value, before any container rounding. */
    int bits();

    /** Short name for reports and ONNX metadata: fp32, fp16, bf16, int8, int4-narrow, ternary, binary, ... */
    String kind();

    <R> R accept(Visitor<R> visitor);

    /** One method per format: an exporter, importer or cost model that misses a new format does not compile. */
    interface Visitor<R> {
        R fp32(Fp32 storage);

        R fp16(Fp16 storage);

        R bf16(Bf16 storage);

        R integer(IntN storage);

        R binary(Binary storage);

        R codebook(Codebook storage);
    }

    static Fp32 fp32() {
        return Fp32.INSTANCE;
    }

    /**
     * This format with its per-channel parameters moved to {@code axis} and mapped by {@code scales} and
     * {@code zeroPoints} (a tensor rearranged: transposed, or repeated per sub-pixel); formats without per-channel
     * parameters are returned as they are.
     */
    default WeightStorage withChannelAxis(int axis, java.util.function.UnaryOperator<float[]> scales,
                                          java.util.function.UnaryOperator<int[]> zeroPoints) {
        return accept(new Visitor<WeightStorage>() {
            @Override
            public WeightStorage fp32(Fp32 s) {
                return s;
            }

            @Override
            public WeightStorage fp16(Fp16 s) {
                return s;
            }

            @Override
            public WeightStorage bf16(Bf16 s) {
                return s;
            }

            @Override
            public WeightStorage integer(IntN s) {
                return new IntN(s.bits(), s.narrowRange(), axis, scales.apply(s.scales()),
                        zeroPoints.apply(s.zeroPoints()));
            }

            @Override
            public WeightStorage binary(Binary s) {
                return new Binary(axis, scales.apply(s.scales()));
            }

            @Override
            public WeightStorage codebook(Codebook s) {
                return s; // one table for the whole tensor: no axis to move
            }
        });
    }

    /** Whether computing with this format changes values (everything but fp32). */
    default boolean isLossy() {
        return !(this instanceof Fp32);
    }

    /**
     * Throws IllegalArgumentException unless this format fits a tensor of {@code shape}: the axis exists and the
     * per-channel parameters number as many as its extent.
     */
    default void checkFits(int[] shape) {
        if (axis() < 0) {
            if (channels() != 1) {
                throw new IllegalArgumentException(kind() + " storage without an axis needs 1 parameter set, has "
                        + channels());
            }
            return;
        }
        if (axis() >= shape.length) {
            throw new IllegalArgumentException(kind() + " storage per channel of axis " + axis()
                    + " does not fit a tensor of shape " + Arrays.toString(shape));
        }
        if (shape[axis()] != channels()) {
            throw new IllegalArgumentException(kind() + " storage has " + channels() + " channels, but axis " + axis()
                    + " of shape " + Arrays.toString(shape) + " has " + shape[axis()]);
        }
    }

    /** The codes of a tensor (masked entries: {@link #zeroCode}), in its row-major order. */
    default int[] encode(float[] values, float[] mask, int[] shape) {
        int[] codes = new int[values.length];
        ChannelBlocks blocks = ChannelBlocks.of(this, shape, values.length);
        for (int outer = 0, i = 0; outer < blocks.outer(); outer++) {
            for (int c = 0; c < blocks.channels(); c++) {
                for (int k = 0; k < blocks.inner(); k++, i++) {
                    codes[i] = mask != null && mask[i] == 0f ? zeroCode(c) : encode(values[i], c);
                }
            }
        }
        return codes;
    }

    /** The values that {@code codes} represent, into {@code out}. */
    default void decode(int[] codes, int[] shape, float[] out) {
        ChannelBlocks blocks = ChannelBlocks.of(this, shape, codes.length);
        for (int outer = 0, i = 0; outer < blocks.outer(); outer++) {
            for (int c = 0; c < blocks.channels(); c++) {
                for (int k = 0; k < blocks.inner(); k++, i++) {
                    out[i] = decode(codes[i], c);
                }
            }
        }
    }

    /**
     * decode(encode(v)) for every value, masked entries 0, into {@code out} (which may be {@code values}): the
     * values a layer computes with.
     */
    default void fakeQuantize(float[] values, float[] mask, int[] shape, float[] out) {
        ChannelBlocks blocks = ChannelBlocks.of(this, shape, values.length);
        for (int outer = 0, i = 0; outer < blocks.outer(); outer++) {
            for (int c = 0; c < blocks.channels(); c++) {
                for (int k = 0; k < blocks.inner(); k++, i++) {
                    out[i] = mask != null && mask[i] == 0f ? 0f : decode(encode(values[i], c), c);
                }
            }
        }
    }

    /** Plain float32: the code is the bit pattern; nothing is lost. */
    final class Fp32 implements WeightStorage {
        static final Fp32 INSTANCE = new Fp32();

        private Fp32() {
        }

        @Override
        public int axis() {
            return -1;
        }

        @Override
        public int channels() {
            return 1;
        }

        @Override
        public int encode(float value, int channel) {
            return Float.floatToRawIntBits(value);
        }

        @Override
        public float decode(int code, int channel) {
            return Float.intBitsToFloat(code);
        }

        @Override
        public int zeroCode(int channel) {
            return 0;
        }

        @Override
        public int bits() {
            return 32;
        }

        @Override
        public String kind() {
            return "fp32";
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.fp32(this);
        }

        @Override
        public String toString() {
            return kind();
        }
    }

    /** IEEE 754 binary16, round to nearest even; overflow to infinity as a cast does. */
    /** The two 16-bit float formats: one code per value, no channels, no zero point. */
    sealed interface Float16 extends WeightStorage permits Fp16, Bf16 {
        @Override
        default int axis() {
            return -1;
        }

        @Override
        default int channels() {
            return 1;
        }

        @Override
        default int zeroCode(int channel) {
            return 0;
        }

        @Override
        default int bits() {
            return 16;
        }
    }

    record Fp16() implements Float16 {


        @Override
        public int encode(float value, int channel) {
            return toHalf(value);
        }

        @Override
        public float decode(int code, int channel) {
            return fromHalf(code);
        }



        @Override
        public String kind() {
            return "fp16";
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.fp16(this);
        }

        /** The binary16 bit pattern (0..65535) nearest to {@code f}, ties to even. */
        public static int toHalf(float f) {
            int bits = Float.floatToRawIntBits(f);
            int sign = (bits >>> 16) & 0x8000;
            int exp = (bits >>> 23) & 0xFF;
            int mant = bits & 0x7FFFFF;
            if (exp == 0xFF) {
                return sign | 0x7C00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0);
            }
            int e = exp - 127 + 15;
            if (e >= 0x1F) {
                return sign | 0x7C00;
            }
            if (e <= 0) {
                if (e < -10) {
                    return sign;
                }
                int m = mant | 0x800000;
                int shift = 14 - e;
                int half = m >>> shift;
                int rem = m & ((1 << shift) - 1);
                int mid = 1 << (shift - 1);
                if (rem > mid || (rem == mid && (half & 1) != 0)) {
                    half++;
                }
                return sign | half;
            }
            int half = (e << 10) | (mant >>> 13);
            int rem = mant & 0x1FFF;
            if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
                half++; // a carry into the exponent is the correct rounding, up to infinity
            }
            return sign | half;
        }

        /** The float a binary16 bit pattern represents (exact). */
        public static float fromHalf(int h) {
            int sign = (h & 0x8000) << 16;
            int exp = (h >>> 10) & 0x1F;
            int mant = h & 0x3FF;
            if (exp == 0x1F) {
                return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
            }
            if (exp == 0) {
                float v = mant * 0x1p-24f;
                return sign != 0 ? -v : v;
            }
            return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
        }
    }

    /** bfloat16: the top half of a float32, round to nearest even (Kalamkar et al. 2019). */
    record Bf16() implements Float16 {


        @Override
        public int encode(float value, int channel) {
            return toBf16(value);
        }

        @Override
        public float decode(int code, int channel) {
            return Float.intBitsToFloat((code & 0xFFFF) << 16);
        }



        @Override
        public String kind() {
            return "bf16";
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.bf16(this);
        }

        /** The bfloat16 bit pattern (0..65535) nearest to {@code f}, ties to even; NaN stays a (quiet) NaN. */
        public static int toBf16(float f) {
            int bits = Float.floatToRawIntBits(f);
            if (Float.isNaN(f)) {
                return ((bits >>> 16) | 0x40) & 0xFFFF;
            }
            return ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16) & 0xFFFF;
        }
    }

    /**
     * Affine integer quantisation (Jacob et al. 2018): code q in [qmin, qmax] represents (q - zeroPoint) x scale,
     * one (scale, zero point) per channel of {@code axis} or one per tensor (axis -1). Encoding rounds half to even,
     * as ONNX QuantizeLinear does, and clamps. The signed range is [-2^(b-1), 2^(b-1) - 1]; a narrow range drops
     * -2^(b-1) so that a symmetric grid is symmetric about zero (so 2-bit narrow is ternary {-1, 0, 1}, Li, Zhang
     * and Liu 2016).
     *
     * @param bits        2 to 8 (wider integers buy nothing for weights that fp16 would not)
     * @param narrowRange whether qmin is -(2^(b-1) - 1) rather than -2^(b-1)
     * @param axis        per-channel axis, or -1 for one scale and zero point for the whole tensor
     * @param scales      positive finite steps, one per channel
     * @param zeroPoints  codes of 0.0, one per channel, in [qmin, qmax]; all 0 for symmetric quantisation
     */
    record IntN(int bits, boolean narrowRange, int axis, float[] scales, int[] zeroPoints) implements WeightStorage {
        public IntN {
            if (bits < 2 || bits > 8) {
                throw new IllegalArgumentException("integer storage needs 2 to 8 bits, got " + bits);
            }
            if (axis < -1) {
                throw new IllegalArgumentException("integer storage axis must be >= 0 or -1 (per tensor), got " + axis);
            }
            scales = scales.clone();
            zeroPoints = zeroPoints.clone();
            if (scales.length < 1 || scales.length != zeroPoints.length || (axis < 0 && scales.length != 1)) {
                throw new IllegalArgumentException("integer storage needs one scale and one zero point per channel "
                        + "(one for per tensor), got " + scales.length + " and " + zeroPoints.length);
            }
            int lo = narrowRange ? -(1 << (bits - 1)) + 1 : -(1 << (bits - 1));
            int hi = (1 << (bits - 1)) - 1;
            for (int c = 0; c < scales.length; c++) {
                if (!(scales[c] > 0) || !Float.isFinite(scales[c])) {
                    throw new IllegalArgumentException("integer storage scale " + c + " must be positive and finite, "
                            + "got " + scales[c]);
                }
                if (zeroPoints[c] < lo || zeroPoints[c] > hi) {
                    throw new IllegalArgumentException("integer storage zero point " + c + " = " + zeroPoints[c]
                            + " is outside the code range [" + lo + ", " + hi + "]");
                }
            }
        }

        /** Symmetric: zero points 0, narrow range. */
        public static IntN symmetric(int bits, int axis, float[] scales) {
            return new IntN(bits, true, axis, scales, new int[scales.length]);
        }

        /** TWN's ternary weights: codes {-1, 0, 1} times a scale per channel (2-bit narrow, symmetric). */
        public static IntN ternary(int axis, float[] scales) {
            return symmetric(2, axis, scales);
        }

        public int qmin() {
            return narrowRange ? -(1 << (bits - 1)) + 1 : -(1 << (bits - 1));
        }

        public int qmax() {
            return (1 << (bits - 1)) - 1;
        }

        public boolean symmetric() {
            for (int z : zeroPoints) {
                if (z != 0) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public float[] scales() {
            return scales.clone();
        }

        @Override
        public int[] zeroPoints() {
            return zeroPoints.clone();
        }

        public float scale(int channel) {
            return scales[channel];
        }

        public int zeroPoint(int channel) {
            return zeroPoints[channel];
        }

        @Override
        public int channels() {
            return scales.length;
        }

        @Override
        public int encode(float value, int channel) {
            double q = Math.rint((double) value / scales[channel]) + zeroPoints[channel];
            return (int) Math.max(qmin(), Math.min(qmax(), q));
        }

        /** (q - zero point) x scale in float arithmetic, as ONNX Runtime's DequantizeLinear computes it. */
        @Override
        public float decode(int code, int channel) {
            return (float) (code - zeroPoints[channel]) * scales[channel];
        }

        @Override
        public int zeroCode(int channel) {
            return zeroPoints[channel];
        }

        @Override
        public String kind() {
            if (bits == 2 && narrowRange && symmetric()) {
                return "ternary";
            }
            return "int" + bits + (narrowRange ? "-narrow" : "");
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.integer(this);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof IntN n && bits == n.bits && narrowRange == n.narrowRange && axis == n.axis
                    && Arrays.equals(scales, n.scales) && Arrays.equals(zeroPoints, n.zeroPoints);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * (31 * bits + axis) + Arrays.hashCode(scales)) + Arrays.hashCode(zeroPoints)
                    + (narrowRange ? 1 : 0);
        }

        @Override
        public String toString() {
            return kind() + (axis < 0 ? " per tensor" : " per channel of axis " + axis) + " (" + scales.length
                    + " scale" + (scales.length == 1 ? "" : "s") + (symmetric() ? ", symmetric)" : ", zero points)");
        }
    }

    /**
     * Scaled sign, one bit per value: +scale for v >= 0, -scale otherwise, one scale per channel (XNOR-Net's alpha,
     * Rastegari et al. 2016; low-bit GAN generators as in QGAN, Wang et al. 2019). Codes are +1 and -1; code 0
     * (exact zero) is only stored for masked entries.
     */
    record Binary(int axis, float[] scales) implements WeightStorage {
        public Binary {
            if (axis < -1) {
                throw new IllegalArgumentException("binary storage axis must be >= 0 or -1 (per tensor), got " + axis);
            }
            scales = scales.clone();
            if (scales.length < 1 || (axis < 0 && scales.length != 1)) {
                throw new IllegalArgumentException("binary storage needs one scale per channel (one per tensor), got "
                        + scales.length);
            }
            for (int c = 0; c < scales.length; c++) {
                if (!(scales[c] > 0) || !Float.isFinite(scales[c])) {
                    throw new IllegalArgumentException("binary storage scale " + c + " must be positive and finite, "
                            + "got " + scales[c]);
                }
            }
        }

        @Override
        public float[] scales() {
            return scales.clone();
        }

        public float scale(int channel) {
            return scales[channel];
        }

        @Override
        public int channels() {
            return scales.length;
        }

        @Override
        public int encode(float value, int channel) {
            return value >= 0f ? 1 : -1;
        }

        @Override
        public float decode(int code, int channel) {
            return code * scales[channel];
        }

        @Override
        public int zeroCode(int channel) {
            return 0;
        }

        @Override
        public int bits() {
            return 1;
        }

        @Override
        public String kind() {
            return "binary";
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.binary(this);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Binary b && axis == b.axis && Arrays.equals(scales, b.scales);
        }

        @Override
        public int hashCode() {
            return 31 * axis + Arrays.hashCode(scales);
        }

        @Override
        public String toString() {
            return "binary" + (axis < 0 ? " per tensor" : " per channel of axis " + axis);
        }
    }

    /**
     * Weight sharing (Han, Mao and Dally 2016, "Deep Compression", section 3): one table of float centroids per
     * tensor; the code of a value is the index of its nearest centroid (ties to the lower index), so a tensor costs
     * ceil(log2 k) bits per value plus the table. Centroids are finite and strictly ascending. A tensor with a pruning
     * mask needs an exact 0 centroid ({@link #zeroCode}), which {@code compress.encode.WeightSharing} adds.
     */
    record Codebook(float[] centroids) implements WeightStorage {
        /** At most 2^16 centroids: indices of 16 bits at most, as the .gcz container and reports assume. */
        public static final int MAX_CENTROIDS = 1 << 16;

        public Codebook {
            centroids = centroids.clone();
            if (centroids.length < 1 || centroids.length > MAX_CENTROIDS) {
                throw new IllegalArgumentException("codebook storage needs 1 to " + MAX_CENTROIDS
                        + " centroids, got " + centroids.length);
            }
            for (int i = 0; i < centroids.length; i++) {
                if (!Float.isFinite(centroids[i]) || (i > 0 && !(centroids[i - 1] < centroids[i]))) {
                    throw new IllegalArgumentException("codebook centroids must be finite and strictly ascending, "
                            + "got " + Arrays.toString(centroids));
                }
            }
            for (int i = 0; i < centroids.length; i++) {
                if (Float.floatToRawIntBits(centroids[i]) == 0x80000000) {
                    centroids[i] = 0f; // -0 and +0 are one centroid; a masked entry stores +0
                }
            }
        }

        @Override
        public float[] centroids() {
            return centroids.clone();
        }

        public int size() {
            return centroids.length;
        }

        public float centroid(int index) {
            return centroids[index];
        }

        @Override
        public int axis() {
            return -1;
        }

        @Override
        public int channels() {
            return 1;
        }

        @Override
        public int encode(float value, int channel) {
            int lo = 0;
            int hi = centroids.length - 1;
            while (lo < hi) { // the first centroid >= value
                int mid = (lo + hi) >>> 1;
                if (centroids[mid] < value) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            if (lo > 0 && (double) value - centroids[lo - 1] <= (double) centroids[lo] - value) {
                return lo - 1;
            }
            return lo;
        }

        @Override
        public float decode(int code, int channel) {
            return centroids[code];
        }

        /** The index of the exact 0 centroid. */
        @Override
        public int zeroCode(int channel) {
            int z = zeroIndex();
            if (z < 0) {
                throw new IllegalStateException("a codebook without a 0 centroid cannot store pruned (masked) "
                        + "entries: " + Arrays.toString(centroids));
            }
            return z;
        }

        /** The index of the exact 0 centroid, or -1. */
        public int zeroIndex() {
            for (int i = 0; i < centroids.length; i++) {
                if (centroids[i] == 0f) {
                    return i;
                }
            }
            return -1;
        }

        /** ceil(log2 k), at least 1. */
        @Override
        public int bits() {
            return Math.max(1, 32 - Integer.numberOfLeadingZeros(centroids.length - 1));
        }

        @Override
        public String kind() {
            return "codebook";
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.codebook(this);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Codebook c && Arrays.equals(centroids, c.centroids);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(centroids);
        }

        @Override
        public String toString() {
            return "codebook of " + centroids.length + " centroids (" + bits() + "-bit indices)";
        }
    }
}
