package dev.gancompress.compress.quantize;

import dev.gancompress.compress.ConfigFields;

import java.util.List;
import java.util.Map;

/**
 * Validated settings of {@link PostTrainingQuantization}; round-trips to JSON. A missing (null) field takes its
 * default, which may depend on {@code bits}.
 *
 * @param bits        stored bits per weight: 8 or 4 (integers), 2 (ternary), 1 (binary) or 16 (fp16/bf16);
 *                    default 8
 * @param scheme      how integer codes and scales are chosen: for 8 and 4 bits "symmetric" (default; scale
 *                    max|w| / (2^(b-1) - 1), zero point 0) or "asymmetric" (min/max range with a zero point); for 2
 *                    bits "ternary" (TWN); for 1 bit "binary" (scaled sign); for 16 bits "float"
 * @param granularity "per-channel" (default for integers: one scale per output channel) or "per-tensor"; 16-bit
 *                    floats have no scale, so "per-tensor" (their default) is the only value they take
 * @param floatFormat for 16 bits, "fp16" (default) or "bf16"; absent for the other widths
 * @param layers      node names whose "weight" tensor to quantise (default: every Linear, Conv2d, ConvTranspose2d
 *                    and Embedding); biases and normalisation parameters stay fp32
 */
public record QuantizationConfig(Integer bits, String scheme, String granularity, String floatFormat,
                                 List<String> layers) {
    public static final List<Integer> BITS = List.of(1, 2, 4, 8, 16);
    public static final String SYMMETRIC = "symmetric";
    public static final String ASYMMETRIC = "asymmetric";
    public static final String TERNARY = "ternary";
    public static final String BINARY = "binary";
    public static final String FLOAT = "float";
    public static final String PER_CHANNEL = "per-channel";
    public static final String PER_TENSOR = "per-tensor";
    public static final List<String> GRANULARITIES = List.of(PER_CHANNEL, PER_TENSOR);
    public static final List<String> FLOAT_FORMATS = List.of("fp16", "bf16");
    /** The schemes each width accepts, the first being its default. */
    private static final Map<Integer, List<String>> SCHEMES = Map.of(1, List.of(BINARY), 2, List.of(TERNARY),
            4, List.of(SYMMETRIC, ASYMMETRIC), 8, List.of(SYMMETRIC, ASYMMETRIC), 16, List.of(FLOAT));

    public QuantizationConfig {
        bits = bits == null ? 8 : bits;
        require(BITS.contains(bits), "bits", "one of " + BITS + " (8, 4: integers; 2: ternary; 1: binary; "
                + "16: fp16 or bf16)", bits);
        List<String> schemes = SCHEMES.get(bits);
        scheme = scheme == null ? schemes.get(0) : scheme;
        require(schemes.contains(scheme), "scheme", "one of " + String.join(", ", schemes) + " for " + bits
                + " bit" + (bits == 1 ? "" : "s"), quoted(scheme));
        if (bits == 16) {
            granularity = granularity == null ? PER_TENSOR : granularity;
            require(granularity.equals(PER_TENSOR), "granularity", "per-tensor or absent for 16-bit floats (they "
                    + "have no scales)", quoted(granularity));
            floatFormat = floatFormat == null ? FLOAT_FORMATS.get(0) : floatFormat;
            require(FLOAT_FORMATS.contains(floatFormat), "floatFormat", "one of " + String.join(", ", FLOAT_FORMATS),
                    quoted(floatFormat));
        } else {
            granularity = granularity == null ? PER_CHANNEL : granularity;
            require(GRANULARITIES.contains(granularity), "granularity", "one of " + String.join(", ", GRANULARITIES),
                    quoted(granularity));
            require(floatFormat == null, "floatFormat", "absent unless bits is 16", quoted(floatFormat));
        }
        layers = ConfigFields.layerNames(layers, "quantization");
    }

    /** Integers of {@code bits} (8 or 4), symmetric, per output channel, every layer. */
    public static QuantizationConfig integers(int bits) {
        return new QuantizationConfig(bits, null, null, null, null);
    }

    /** The default scheme of each width at the given granularity, for the given layers (empty: all). */
    public static QuantizationConfig of(int bits, String granularity, List<String> layers) {
        return new QuantizationConfig(bits, null, granularity, null, layers);
    }

    public boolean perChannel() {
        return granularity.equals(PER_CHANNEL);
    }

    /** A one-line description for reports and metadata, e.g. "int8 symmetric per-channel". */
    public String describe() {
        return switch (bits) {
            case 16 -> floatFormat;
            case 1, 2 -> scheme + " " + granularity;
            default -> "int" + bits + " " + scheme + " " + granularity;
        };
    }

    private static String quoted(String s) {
        return s == null ? "null" : "'" + s + "'";
    }

    private static void require(boolean ok, String field, String expected, Object got) {
        ConfigFields.require(ok, "quantization", field, expected, got);
    }
}
