package dev.gancompress.train;

import dev.gancompress.GanCompressException;

/**
 * Validated hyperparameters of a GAN training run; round-trips to JSON (Jackson reads the record components).
 * A step is one discriminator update followed by one generator update on one batch.
 */
public record TrainingConfig(int epochs, int batchSize, double generatorLearningRate,
                             double discriminatorLearningRate, double beta1, double beta2, GanLoss loss, long seed,
                             int checkpointEverySteps, long maxSteps) {
    public TrainingConfig {
        check(epochs >= 1, "epochs", "an integer >= 1", epochs);
        check(batchSize >= 2, "batch-size", "an integer >= 2 (batch normalisation needs two samples)", batchSize);
        check(generatorLearningRate > 0 && generatorLearningRate < 1, "lr-g", "a number in (0, 1)",
                generatorLearningRate);
        check(discriminatorLearningRate > 0 && discriminatorLearningRate < 1, "lr-d", "a number in (0, 1)",
                discriminatorLearningRate);
        check(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "beta1/beta2", "numbers in [0, 1)", beta1);
        check(loss != null, "loss", "non-saturating or hinge", null);
        check(checkpointEverySteps >= 0, "checkpoint-every", "an integer >= 0 (0: once per epoch)",
                checkpointEverySteps);
        check(maxSteps >= 0, "max-steps", "an integer >= 0 (0: no limit)", maxSteps);
    }

    private static void check(boolean ok, String field, String expected, Object got) {
        if (!ok) {
            throw new GanCompressException("training option '" + field + "' must be " + expected + ", got " + got);
        }
    }

    /** DCGAN's recipe: batch 64, Adam 2e-4, beta1 0.5. */
    public static TrainingConfig dcgan(int epochs, long seed) {
        return new TrainingConfig(epochs, 64, 2e-4, 2e-4, 0.5, 0.999, GanLoss.NON_SATURATING, seed, 0, 0);
    }

    public TrainingConfig withEpochs(int newEpochs) {
        return new TrainingConfig(newEpochs, batchSize, generatorLearningRate, discriminatorLearningRate, beta1,
                beta2, loss, seed, checkpointEverySteps, maxSteps);
    }

    public TrainingConfig withMaxSteps(long steps) {
        return new TrainingConfig(epochs, batchSize, generatorLearningRate, discriminatorLearningRate, beta1,
                beta2, loss, seed, checkpointEverySteps, steps);
    }
}
