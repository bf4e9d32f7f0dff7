package dev.gancompress.compress.distill;

import dev.gancompress.GanCompressException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validated settings of {@link Distillation}; round-trips to JSON. A missing (null) field takes its default,
 * so a recipe may give only what it changes.
 *
 * @param widthMultiplier       student channels / teacher channels of every scalable layer, in (0, 1];
 *                              default 0.5 unless a student file is given
 * @param layerWidthMultipliers per-layer overrides by node name of the producing layer, each in (0, 1]
 * @param studentFile           an ONNX student instead of a width multiplier; its output shape must equal the
 *                              teacher's
 * @param init                  RANDOM or TEACHER_SELECTION for a width multiplier (default RANDOM); RANDOM or
 *                              AS_GIVEN for a student file (default AS_GIVEN)
 * @param outputWeight          weight of {@link OutputDistillation} (default 1; 0 disables it)
 * @param outputLoss            L1 (default) or L2
 * @param featureWeight         weight of {@link FeatureDistillation} (default 1; 0 disables it)
 * @param featureLayers         node names matched between student and teacher (default, left null: the
 *                              teacher architecture's layers, {@link FeatureDistillation#defaultLayers})
 * @param adapterLearningRate   Adam learning rate of the 1x1 feature adapters (default 1e-3)
 * @param perceptualWeight      weight of {@link PerceptualDistillation} on the evaluator's features (default 0)
 * @param perceptualLayer       the evaluator node whose value is compared (default: the evaluator's output)
 * @param adversarialWeight     weight of the trainer's adversarial term against the teacher's discriminator
 *                              (default 1; 0 trains on distillation alone)
 * @param freezeDiscriminator   keep the teacher's discriminator fixed (true) or fine-tune it along (default false)
 */
public record DistillationConfig(Double widthMultiplier, Map<String, Double> layerWidthMultipliers,
                                 String studentFile, StudentInit init, Double outputWeight, OutputLoss outputLoss,
                                 Double featureWeight, List<String> featureLayers, Double adapterLearningRate,
                                 Double perceptualWeight, String perceptualLayer, Double adversarialWeight,
                                 Boolean freezeDiscriminator) {
    public DistillationConfig {
        layerWidthMultipliers = layerWidthMultipliers == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(layerWidthMultipliers));
        if (studentFile != null) {
            require(widthMultiplier == null && layerWidthMultipliers.isEmpty(), "widthMultiplier",
                    "absent when a studentFile is given (the student's architecture is the file's)", widthMultiplier);
            init = init == null ? StudentInit.AS_GIVEN : init;
            require(init != StudentInit.TEACHER_SELECTION, "init",
                    "RANDOM or AS_GIVEN for a student file (teacher selection needs a width multiplier)", init);
        } else {
            widthMultiplier = widthMultiplier == null ? 0.5 : widthMultiplier;
            init = init == null ? StudentInit.RANDOM : init;
            require(init != StudentInit.AS_GIVEN, "init",
                    "RANDOM or TEACHER_SELECTION for a width multiplier (AS_GIVEN needs a studentFile)", init);
        }
        require(widthMultiplier == null || (widthMultiplier > 0 && widthMultiplier <= 1), "widthMultiplier",
                "a number in (0, 1]", widthMultiplier);
        for (Map.Entry<String, Double> e : layerWidthMultipliers.entrySet()) {
            require(e.getValue() != null && e.getValue() > 0 && e.getValue() <= 1,
                    "layerWidthMultipliers." + e.getKey(), "a number in (0, 1]", e.getValue());
        }
        outputWeight = weight("outputWeight", outputWeight, 1.0);
        outputLoss = outputLoss == null ? OutputLoss.L1 : outputLoss;
        featureWeight = weight("featureWeight", featureWeight, 1.0);
        featureLayers = featureLayers == null ? null : List.copyOf(featureLayers);
        require(featureWeight == 0 || featureLayers == null || !featureLayers.isEmpty(), "featureLayers",
                "at least one node name when featureWeight > 0", featureLayers);
        adapterLearningRate = adapterLearningRate == null ? 1e-3 : adapterLearningRate;
        require(adapterLearningRate > 0 && adapterLearningRate < 1, "adapterLearningRate", "a number in (0, 1)",
                adapterLearningRate);
        perceptualWeight = weight("perceptualWeight", perceptualWeight, 0.0);
        adversarialWeight = weight("adversarialWeight", adversarialWeight, 1.0);
        freezeDiscriminator = freezeDiscriminator != null && freezeDiscriminator;
        require(outputWeight + featureWeight + perceptualWeight + adversarialWeight > 0,
                "outputWeight/featureWeight/perceptualWeight/adversarialWeight", "not all 0 (nothing to train on)", 0);
    }

    /** A width-scaled student with the default losses (output L1, features, adversarial). */
    public static DistillationConfig ofWidth(double widthMultiplier, StudentInit init) {
        return new DistillationConfig(widthMultiplier, null, null, init, null, null, null, null, null, null, null,
                null, null);
    }

    /** A student read from an ONNX file, kept as given, with the default losses. */
    public static DistillationConfig ofStudentFile(String file) {
        return new DistillationConfig(null, null, file, null, null, null, null, null, null, null, null, null, null);
    }

    /** The same configuration with other loss weights (0 disables a term). */
    public DistillationConfig withWeights(double output, double feature, double perceptual, double adversarial) {
        return new DistillationConfig(widthMultiplier, layerWidthMultipliers, studentFile, init, output, outputLoss,
                feature, featureLayers, adapterLearningRate, perceptual, perceptualLayer, adversarial,
                freezeDiscriminator);
    }

    /** The layers feature distillation matches on {@code teacher}: the configured ones, else its default. */
    public List<String> featureLayersFor(dev.gancompress.model.Model teacher) {
        return featureLayers != null ? featureLayers : FeatureDistillation.defaultLayers(teacher);
    }

    private static double weight(String field, Double value, double fallback) {
        double w = value == null ? fallback : value;
        require(w >= 0 && Double.isFinite(w), field, "a finite number >= 0", value);
        return w;
    }

    private static void require(boolean ok, String field, String expected, Object got) {
        if (!ok) {
            throw new GanCompressException("distillation configuration: field '" + field + "' must be " + expected
                    + ", got " + got);
        }
    }
}
