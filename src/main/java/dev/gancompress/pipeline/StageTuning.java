package dev.gancompress.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.gancompress.compress.FineTuning;

/**
 * A stage's own fine-tuning budget; a field left out (null) takes the runner's setting (the command line's --steps,
 * --batch-size, --lr-g, --lr-d). Validated when the recipe is read, so a bad value names its stage.
 *
 * @param steps                      fine-tuning steps after the stage's technique, >= 0
 * @param batchSize                  >= 2
 * @param generatorLearningRate      Adam learning rate of the generator, > 0
 * @param discriminatorLearningRate  Adam learning rate of the discriminator, > 0
 * @param kdOutputWeight             weight of an L1 loss to the recipe's teacher's images, added to whatever the
 *                                   technique trains with (0 or absent: none); keeps a pruned or quantised stage
 *                                   close to the teacher the way GAN Slimming's distillation term does
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StageTuning(Long steps, Integer batchSize, Double generatorLearningRate,
                          Double discriminatorLearningRate, Double kdOutputWeight) {
    public static final StageTuning INHERIT = new StageTuning(null, null, null, null, null);
    /** The field names, in the order of the record: the JSON schema of "fineTune". */
    public static final java.util.List<String> FIELDS = java.util.List.of("steps", "batchSize",
            "generatorLearningRate", "discriminatorLearningRate", "kdOutputWeight");

    public static StageTuning steps(long steps) {
        return new StageTuning(steps, null, null, null, null);
    }

    /** {@code base} with this stage's fields put over it. */
    FineTuning.Settings over(FineTuning.Settings base, long seed) {
        return new FineTuning.Settings(steps == null ? base.steps() : steps,
                batchSize == null ? base.batchSize() : batchSize,
                generatorLearningRate == null ? base.generatorLearningRate() : generatorLearningRate,
                discriminatorLearningRate == null ? base.discriminatorLearningRate() : discriminatorLearningRate,
                base.loss(), base.adversarialWeight(), base.freezeDiscriminator(), seed, base.checkpointEverySteps());
    }

    /** Every inheritable field filled in from {@code base}: what the stage really runs with, for keys and provenance. */
    StageTuning resolved(FineTuning.Settings base, boolean trains) {
        return new StageTuning(trains ? (steps == null ? base.steps() : steps) : 0L,
                batchSize == null ? base.batchSize() : batchSize,
                generatorLearningRate == null ? base.generatorLearningRate() : generatorLearningRate,
                discriminatorLearningRate == null ? base.discriminatorLearningRate() : discriminatorLearningRate,
                kdOutputWeight);
    }

    double kdWeight() {
        return kdOutputWeight == null ? 0 : kdOutputWeight;
    }
}
