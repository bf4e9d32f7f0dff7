package dev.gancompress.compress.quantize;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionContext;
import dev.gancompress.compress.ConfigFields;
import dev.gancompress.compress.FineTuneController;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.compress.distill.OutputDistillation;
import dev.gancompress.compress.distill.OutputLoss;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.train.GeneratorLossTerm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Quantisation-aware training of the weights (Jacob et al. 2018; Krishnamoorthi 2018): folds BatchNorm into the
 * preceding layers ({@link BatchNormFolding}), attaches the weight storage that ptq-weights would (int8, int4,
 * ternary, binary; per channel by default) but keeps the fp32 master values, and lets the recipe's fine-tuning train
 * them: the engine computes with the fake-quantised values and passes gradients straight through to the masters
 * ({@code nn.WeightValues}). Scales are fixed statistics recomputed after every step and the masters are snapped to
 * their grid when training ends ({@link QuantizationGridHook}, which says why fixed rather than learnt scales).
 *
 * <p>The fine-tune's loss is by default only an L1 output-distillation term toward the fp32 teacher (weight
 * {@link Config#outputWeight}), with the discriminator frozen and unused: QAT should end as the teacher's function
 * on a grid, and the adversarial term pulls elsewhere. Measured on the bundled DCGAN teacher, 50 steps, PSNR to the
 * teacher on 1,000 seeded latents: int8 PTQ 51.2 dB; int8 QAT 54.2 dB distillation-only, 43.5 dB with adversarial
 * weight 1; int4 PTQ 26.6 dB, int4 QAT 27.3 dB distillation-only, 27.1 dB with adversarial weight 1 (generator
 * learning rate 2e-6 in all four). {@link Config#adversarialWeight} turns the adversarial term back on.
 *
 * <p>Every layer name is checked against the model before anything changes.
 */
public final class QuantizationAwareTraining implements Compression {
    public static final String NAME = "qat";

    /**
     * Validated settings; round-trip to JSON. A missing (null) field takes its default.
     *
     * @param bits         as {@link QuantizationConfig#bits}: one of 1, 2, 4, 8, 16; default 8
     * @param scheme       as {@link QuantizationConfig#scheme}; default the width's first scheme
     * @param granularity  "per-channel" (default for integers) or "per-tensor"
     * @param layers       node names whose weight to quantise (default: every Linear, Conv2d, ConvTranspose2d and
     *                     Embedding); BatchNorm is folded into them first, whatever this list says
     * @param outputWeight weight of the L1 distance to the teacher's output during fine-tuning, >= 0 (0: adversarial
     *                     only); default 10, so that the teacher's function dominates if the adversarial term is on
     * @param adversarialWeight weight of the adversarial term, >= 0; default 0 (distillation only, the discriminator
     *                     frozen, which also saves two thirds of a step's work); 1 is the recipe's usual weight
     * @param learningRateScale factor on the recipe's generator learning rate, in (0, 1]; default 0.01. QAT
     *                     fine-tunes a converged generator, and Adam moves every weight by about the learning rate
     *                     per step whatever its gradient: at the GAN rate of 2e-4, 50 steps with the adversarial term
     *                     took the folded DCGAN teacher from 51.2 dB PSNR (int8 PTQ) to 26.5 dB. Distillation-only,
     *                     50 steps: int8 54.2 dB at 0.01 (2e-6), 51.1 dB at 0.05; int4 27.3 dB at 0.01, 28.0 dB at
     *                     0.05; 0.01 is the one that gains on PTQ at both widths. The discriminator keeps its rate.
     */
    public record Config(Integer bits, String scheme, String granularity, List<String> layers, Double outputWeight,
                         Double adversarialWeight, Double learningRateScale) {
        public static final double DEFAULT_OUTPUT_WEIGHT = 10;
        public static final double DEFAULT_LEARNING_RATE_SCALE = 0.01;

        public Config {
            QuantizationConfig checked = new QuantizationConfig(bits, scheme, granularity, null, layers);
            bits = checked.bits();
            scheme = checked.scheme();
            granularity = checked.granularity();
            layers = checked.layers();
            outputWeight = outputWeight == null ? DEFAULT_OUTPUT_WEIGHT : outputWeight;
            ConfigFields.require(outputWeight >= 0 && Double.isFinite(outputWeight), NAME, "outputWeight",
                    "a finite number >= 0", outputWeight);
            adversarialWeight = adversarialWeight == null ? 0.0 : adversarialWeight;
            ConfigFields.require(adversarialWeight >= 0 && Double.isFinite(adversarialWeight), NAME,
                    "adversarialWeight", "a finite number >= 0", adversarialWeight);
            learningRateScale = learningRateScale == null ? DEFAULT_LEARNING_RATE_SCALE : learningRateScale;
            ConfigFields.require(learningRateScale > 0 && learningRateScale <= 1, NAME, "learningRateScale",
                    "a number in (0, 1]", learningRateScale);
            ConfigFields.require(outputWeight > 0 || adversarialWeight > 0, NAME, "outputWeight",
                    "> 0 when adversarialWeight is 0 (else nothing trains)", outputWeight);
        }

        public static Config of(int bits) {
            return new Config(bits, null, null, null, null, null, null);
        }

        /** This configuration with another generator learning-rate factor. */
        public Config withLearningRateScale(double scale) {
            return new Config(bits, scheme, granularity, layers, outputWeight, adversarialWeight, scale);
        }

        /** The weight quantisation this training ends in. */
        public QuantizationConfig quantization() {
            return new QuantizationConfig(bits, scheme, granularity, null, layers);
        }
    }

    public static final String METADATA_KEY = "quantization";

    private final Config config;

    public QuantizationAwareTraining(Config config) {
        this.config = config;
    }

    @Override
    public Phase phase() {
        return Phase.QUANTIZE;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Config config() {
        return config;
    }

    /**
     * A copy of {@code model} with BatchNorm folded and the storage of the selected weights attached from their
     * current values; the master values stay off the grid until training ends (with zero fine-tuning steps the
     * exporter still writes the codes, so the file is the post-training quantisation of the folded model).
     */
    @Override
    public Model apply(Model model, CompressionContext context) {
        QuantizationConfig quantization = config.quantization();
        PostTrainingQuantization ptq = new PostTrainingQuantization(quantization);
        ptq.targets(model);
        BatchNormFolding.Folded folded = BatchNormFolding.fold(model);
        Model m = folded.model();
        List<Node> targets = ptq.targets(m);
        gridHook(m, targets).refreshScales();
        return m.withMetadata(Map.of(BatchNormFolding.METADATA_KEY, folded.describe(), METADATA_KEY,
                "qat " + quantization.describe() + ": "
                        + targets.stream().map(Node::name).collect(Collectors.joining(", "))));
    }

    /** The grid hook on {@code compressed}'s own tensors, and the distillation term toward the teacher. */
    @Override
    public FineTuneController controller(Model compressed, CompressionContext context) {
        QuantizationGridHook hook = gridHook(compressed, new PostTrainingQuantization(config.quantization())
                .targets(compressed));
        List<GeneratorLossTerm> terms = new ArrayList<>();
        if (config.outputWeight() > 0) {
            if (context == null || context.teacher() == null) {
                throw new GanCompressException("qat with outputWeight > 0 distils toward the teacher generator, "
                        + "which was not given (--teacher)");
            }
            terms.add(OutputDistillation.toTeacher(context.teacher(), OutputLoss.L1,
                    config.outputWeight().floatValue()));
        }
        return new FineTuneController(terms, List.of(hook));
    }

    /**
     * The recipe's settings with this configuration's adversarial weight and generator learning rate; without an
     * adversarial term the discriminator is frozen, since nothing reads it.
     */
    @Override
    public FineTuning.Settings fineTuneSettings(FineTuning.Settings base) {
        return new FineTuning.Settings(base.steps(), base.batchSize(),
                base.generatorLearningRate() * config.learningRateScale(), base.discriminatorLearningRate(),
                base.loss(), config.adversarialWeight().floatValue(),
                base.freezeDiscriminator() || config.adversarialWeight() == 0, base.seed(),
                base.checkpointEverySteps());
    }

    private QuantizationGridHook gridHook(Model m, List<Node> targets) {
        List<QuantizationGridHook.Target> list = new ArrayList<>();
        for (Node n : targets) {
            for (WeightSlot slot : n.layer().weights()) {
                if (slot.role().equals("weight")) {
                    int axis = config.quantization().perChannel() ? n.layer().outputChannelAxis(slot) : -1;
                    list.add(new QuantizationGridHook.Target(slot.weights(), axis));
                }
            }
        }
        return new QuantizationGridHook(list, config.quantization());
    }
}
