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
 * @param freezeDiscriminator   keep the teacher's discriminator fixed (true) or fine-tune it along (default false;
 *                              true whenever adversarialWeight is 0, since nothing would read it)
 * @param featureNetwork        ONNX classifier whose features kd_perceptual and kd_mmd compare; never the
 *                              evaluation network nor one trained from its weights ({@link EvaluationNetworkGuard});
 *                              required when perceptualWeight or mmdWeight is > 0
 * @param mmdWeight             weight of {@link DistributionMatching} (default 0)
 * @param mmdKernel             GAUSSIAN (default) or POLYNOMIAL
 * @param mmdTarget             TEACHER (default: the teacher's images for the same codes) or REAL (training images)
 * @param mmdBandwidth          Gaussian kernel width in feature units; absent: the median distance between the
 *                              target's features of each step (the median heuristic, Gretton et al. 2012)
 * @param mmdLayer              the feature network's node compared by kd_mmd (default: its recorded feature layer)
 */
public record DistillationConfig(Double widthMultiplier, Map<String, Double> layerWidthMultipliers,
                                 String studentFile, StudentInit init, Double outputWeight, OutputLoss outputLoss,
                                 Double featureWeight, List<String> featureLayers, Double adapterLearningRate,
                                 Double perceptualWeight, String perceptualLayer, Double adversarialWeight,
                                 Boolean freezeDiscriminator, String featureNetwork, Double mmdWeight,
                                 MmdKernel mmdKernel, MmdTarget mmdTarget, Double mmdBandwidth, String mmdLayer) {
    /** A configuration without the feature-network terms' fields (their defaults). */
    public DistillationConfig(Double widthMultiplier, Map<String, Double> layerWidthMultipliers, String studentFile,
                              StudentInit init, Double outputWeight, OutputLoss outputLoss, Double featureWeight,
                              List<String> featureLayers, Double adapterLearningRate, Double perceptualWeight,
                              String perceptualLayer, Double adversarialWeight, Boolean freezeDiscriminator) {
        this(widthMultiplier, layerWidthMultipliers, studentFile, init, outputWeight, outputLoss, featureWeight,
                featureLayers, adapterLearningRate, perceptualWeight, perceptualLayer, adversarialWeight,
                freezeDiscriminator, null, null, null, null, null, null);
    }

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
        // without an adversarial term nothing reads the discriminator: training it would only cost time
        freezeDiscriminator = adversarialWeight == 0 || (freezeDiscriminator != null && freezeDiscriminator);
        mmdWeight = weight("mmdWeight", mmdWeight, 0.0);
        mmdKernel = mmdKernel == null ? MmdKernel.GAUSSIAN : mmdKernel;
        mmdTarget = mmdTarget == null ? MmdTarget.TEACHER : mmdTarget;
        require(mmdBandwidth == null || (mmdBandwidth > 0 && Double.isFinite(mmdBandwidth)), "mmdBandwidth",
                "a finite number > 0 (or absent for the median heuristic)", mmdBandwidth);
        require(featureNetwork != null || (perceptualWeight == 0 && mmdWeight == 0), "featureNetwork",
                "an ONNX classifier file when perceptualWeight or mmdWeight is > 0 (made by train-evaluator --arch "
                        + "narrow-deep; the evaluation network itself is refused)", featureNetwork);
        require(outputWeight + featureWeight + perceptualWeight + adversarialWeight + mmdWeight > 0,
                "outputWeight/featureWeight/perceptualWeight/adversarialWeight/mmdWeight",
                "not all 0 (nothing to train on)", 0);
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
                adversarial == 0 ? null : freezeDiscriminator, featureNetwork, mmdWeight, mmdKernel, mmdTarget,
                mmdBandwidth, mmdLayer);
    }

    /** The same configuration with another output distance. */
    public DistillationConfig withOutputLoss(OutputLoss loss) {
        return new DistillationConfig(widthMultiplier, layerWidthMultipliers, studentFile, init, outputWeight, loss,
                featureWeight, featureLayers, adapterLearningRate, perceptualWeight, perceptualLayer,
                adversarialWeight, freezeDiscriminator, featureNetwork, mmdWeight, mmdKernel, mmdTarget,
                mmdBandwidth, mmdLayer);
    }

    /** The same configuration with distribution matching on {@code network}'s features (kd_mmd). */
    public DistillationConfig withMmd(String network, double weight, MmdKernel kernel, MmdTarget target) {
        return new DistillationConfig(widthMultiplier, layerWidthMultipliers, studentFile, init, outputWeight,
                outputLoss, featureWeight, featureLayers, adapterLearningRate, perceptualWeight, perceptualLayer,
                adversarialWeight, freezeDiscriminator, network, weight, kernel, target, mmdBandwidth, mmdLayer);
    }

    /** The same configuration with perceptual distillation on {@code network}'s layer (kd_perceptual). */
    public DistillationConfig withPerceptual(String network, double weight, String layer) {
        return new DistillationConfig(widthMultiplier, layerWidthMultipliers, studentFile, init, outputWeight,
                outputLoss, featureWeight, featureLayers, adapterLearningRate, weight, layer, adversarialWeight,
                freezeDiscriminator, network, mmdWeight, mmdKernel, mmdTarget, mmdBandwidth, mmdLayer);
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
