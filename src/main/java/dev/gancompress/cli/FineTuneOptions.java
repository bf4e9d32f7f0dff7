package dev.gancompress.cli;

import dev.gancompress.compress.FineTuning;
import dev.gancompress.train.GanLoss;
import picocli.CommandLine.Option;

/**
 * The fine-tuning flags of commands that run recipes: a recipe stage's "fineTune" fields override them per stage.
 */
final class FineTuneOptions {
    @Option(names = "--batch-size", defaultValue = "64",
            description = "Fine-tuning batch size (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr-g", defaultValue = "2e-4",
            description = "Adam learning rate of the generator (default ${DEFAULT-VALUE}).")
    double lrG;

    @Option(names = "--lr-d", defaultValue = "2e-4",
            description = "Adam learning rate of the discriminator (default ${DEFAULT-VALUE}).")
    double lrD;

    @Option(names = "--freeze-d", description = "Keep the teacher's discriminator fixed during fine-tuning.")
    boolean freezeDiscriminator;

    @Option(names = "--checkpoint-every", defaultValue = "200",
            description = "Fine-tuning steps between checkpoints (default ${DEFAULT-VALUE}).")
    int checkpointEvery;

    FineTuning.Settings settings(long steps, long seed) {
        return new FineTuning.Settings(steps, batchSize, lrG, lrD, GanLoss.NON_SATURATING, 1f, freezeDiscriminator,
                seed, checkpointEvery);
    }
}
