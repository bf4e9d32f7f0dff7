package dev.gancompress.compress.quantize;

import dev.gancompress.compress.ConfigFields;

import java.util.List;

/**
 * Validated settings of {@link ActivationCalibration}; round-trips to JSON. A missing (null) field takes its default.
 *
 * @param bits               stored bits per activation: 8 (default and only value: uint8 with a zero point, what
 *                           ONNX Runtime's int8 kernels QLinearConv and QGemm read; weights take other widths in
 *                           ptq-weights)
 * @param calibrationSamples latent codes the ranges are measured on, 1 to 100000; default 256
 * @param calibration        "percentile" (default: the range keeps all but the (100 - percentile) % most extreme
 *                           values at each end, so a few outliers do not coarsen the grid for the rest) or "minmax"
 *                           (the full observed range)
 * @param percentile         for "percentile", in (50, 100]; default 99.99; absent for "minmax"
 * @param layers             node names (Linear, Conv2d, ConvTranspose2d) whose input and output activations to
 *                           quantise; default every such node
 */
public record ActivationQuantizationConfig(Integer bits, Integer calibrationSamples, String calibration,
                                           Double percentile, List<String> layers) {
    public static final List<Integer> BITS = List.of(8);
    public static final String MINMAX = "minmax";
    public static final String PERCENTILE = "percentile";
    public static final List<String> CALIBRATIONS = List.of(PERCENTILE, MINMAX);
    public static final double DEFAULT_PERCENTILE = 99.99;
    public static final int MAX_SAMPLES = 100_000;

    public ActivationQuantizationConfig {
        bits = bits == null ? 8 : bits;
        require(QuantizationConfig.BITS.contains(bits), "bits", "one of " + QuantizationConfig.BITS, bits);
        require(BITS.contains(bits), "bits", "8 for activations (uint8, what ONNX Runtime's int8 kernels read; "
                + "the other widths of " + QuantizationConfig.BITS + " are for weights, in ptq-weights)", bits);
        calibrationSamples = calibrationSamples == null ? 256 : calibrationSamples;
        require(calibrationSamples >= 1 && calibrationSamples <= MAX_SAMPLES, "calibrationSamples",
                "an integer from 1 to " + MAX_SAMPLES + " (latent codes to measure activation ranges on)",
                calibrationSamples);
        calibration = calibration == null ? PERCENTILE : calibration;
        require(CALIBRATIONS.contains(calibration), "calibration", "one of " + String.join(", ", CALIBRATIONS),
                "'" + calibration + "'");
        if (calibration.equals(PERCENTILE)) {
            percentile = percentile == null ? DEFAULT_PERCENTILE : percentile;
            require(percentile > 50 && percentile <= 100, "percentile", "in (50, 100]", percentile);
        } else {
            require(percentile == null, "percentile", "absent for minmax calibration", percentile);
        }
        layers = ConfigFields.layerNames(layers, "activation quantization");
    }

    /** int8 activations, percentile 99.99 on {@code samples} latent codes, every layer. */
    public static ActivationQuantizationConfig percentile(int samples) {
        return new ActivationQuantizationConfig(null, samples, PERCENTILE, null, null);
    }

    public static ActivationQuantizationConfig minMax(int samples) {
        return new ActivationQuantizationConfig(null, samples, MINMAX, null, null);
    }

    /** A one-line description for reports and metadata, e.g. "uint8 per-tensor, percentile 99.99 of 256 codes". */
    public String describe() {
        return "uint8 per-tensor, " + (calibration.equals(MINMAX) ? "min/max" : "percentile " + percentile)
                + " of " + calibrationSamples + " latent codes";
    }

    private static void require(boolean ok, String field, String expected, Object got) {
        ConfigFields.require(ok, "activation quantization", field, expected, got);
    }
}
