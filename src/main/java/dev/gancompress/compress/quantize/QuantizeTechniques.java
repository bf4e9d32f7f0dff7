package dev.gancompress.compress.quantize;

import dev.gancompress.compress.CompressionProvider;
import dev.gancompress.compress.ShortForm;
import dev.gancompress.compress.Technique;

import java.util.List;
import java.util.Map;

/** The quantisation family: BN folding, weight PTQ, activation calibration, QAT, mixed precision. */
public final class QuantizeTechniques implements CompressionProvider {
    @Override
    public String family() {
        return "quantize";
    }

    @Override
    public List<Technique<?>> techniques() {
        return List.of(
                Technique.of(PostTrainingQuantization.NAME, QuantizationConfig.class, PostTrainingQuantization::new),
                Technique.of(BatchNormFolding.NAME, BatchNormFolding.Config.class, BatchNormFolding::new),
                Technique.of(QuantizationAwareTraining.NAME, QuantizationAwareTraining.Config.class,
                        QuantizationAwareTraining::new),
                Technique.of(MixedPrecision.NAME, MixedPrecision.Config.class, MixedPrecision::new),
                Technique.of(ActivationCalibration.NAME, ActivationQuantizationConfig.class,
                        ActivationCalibration::new));
    }

    @Override
    public List<ShortForm> shortForms() {
        return List.of(
                new ShortForm("quantize", "int8", PostTrainingQuantization.NAME, null, Map.of("bits", 8),
                        "int8 weights, per-channel symmetric, post-training"),
                new ShortForm("quantize", "int4", PostTrainingQuantization.NAME, null, Map.of("bits", 4),
                        "int4 weights, post-training"),
                new ShortForm("quantize", "fp16", PostTrainingQuantization.NAME, null, Map.of("bits", 16),
                        "fp16 weights"),
                new ShortForm("quantize", "fold-bn", BatchNormFolding.NAME, null, Map.of(),
                        "fold BatchNorm into the preceding convolution"),
                new ShortForm("quantize", "act8", ActivationCalibration.NAME, null, Map.of("bits", 8),
                        "int8 activations, calibrated on teacher samples"),
                new ShortForm("qat", "int8", QuantizationAwareTraining.NAME, null, Map.of("bits", 8),
                        "int8 weights, trained through the grid in the stage's fine-tune"),
                new ShortForm("qat", "int4", QuantizationAwareTraining.NAME, null, Map.of("bits", 4),
                        "int4 weights, trained through the grid in the stage's fine-tune"),
                new ShortForm("quantize", "mixed", MixedPrecision.NAME, "budget", Map.of(),
                        "per-layer bit widths within this fraction of the fp32 weight bytes"));
    }
}
