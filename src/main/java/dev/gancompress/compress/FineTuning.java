package dev.gancompress.compress;

import dev.gancompress.GanCompressException;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Model;
import dev.gancompress.train.GanLoss;
import dev.gancompress.train.GanTrainer;
import dev.gancompress.train.GeneratorLossTerm;
import dev.gancompress.train.LearningRateSchedule;
import dev.gancompress.train.LearningRateScheduleHook;
import dev.gancompress.train.TrainingConfig;
import dev.gancompress.train.TrainingHook;

import java.nio.file.Path;
import java.util.List;

/**
 * Fine-tunes a compressed generator for a fixed number of steps with the adversarial loss against a copy of the
 * teacher's discriminator (fine-tuned along, or frozen), plus whatever the technique's controller adds. Equal
 * step budgets make techniques comparable. Without a discriminator (null) the adversarial weight must be 0: the
 * controller's terms alone train the generator, and a latent generator needs no dataset (null). The settings' learning-rate schedule spans the {@code steps}. Resumable from {@code workDir}'s checkpoint.
 */
public final class FineTuning {
    /**
     * Validated fine-tuning settings.
     *
     * @param schedule the learning-rate multiplier over the {@code steps} (null: constant)
     */
    public record Settings(long steps, int batchSize, double generatorLearningRate,
                           double discriminatorLearningRate, GanLoss loss, float adversarialWeight,
                           boolean freezeDiscriminator, long seed, int checkpointEverySteps,
                           LearningRateSchedule schedule) {
        public Settings {
            if (steps < 0 || batchSize < 2 || !(generatorLearningRate > 0) || !(discriminatorLearningRate > 0)
                    || adversarialWeight < 0 || checkpointEverySteps < 0) {
                throw new GanCompressException("fine-tuning needs steps >= 0, batch >= 2, learning rates > 0, "
                        + "adversarial weight >= 0, checkpoint interval >= 0");
            }
            schedule = schedule == null ? LearningRateSchedule.CONSTANT : schedule;
        }

        /** The settings at a constant learning rate. */
        public Settings(long steps, int batchSize, double generatorLearningRate, double discriminatorLearningRate,
                        GanLoss loss, float adversarialWeight, boolean freezeDiscriminator, long seed,
                        int checkpointEverySteps) {
            this(steps, batchSize, generatorLearningRate, discriminatorLearningRate, loss, adversarialWeight,
                    freezeDiscriminator, seed, checkpointEverySteps, LearningRateSchedule.CONSTANT);
        }

        public Settings withSchedule(LearningRateSchedule s) {
            return new Settings(steps, batchSize, generatorLearningRate, discriminatorLearningRate, loss,
                    adversarialWeight, freezeDiscriminator, seed, checkpointEverySteps, s);
        }

        public Settings withSteps(long n) {
            return new Settings(n, batchSize, generatorLearningRate, discriminatorLearningRate, loss,
                    adversarialWeight, freezeDiscriminator, seed, checkpointEverySteps, schedule);
        }

        public Settings withSeed(long s) {
            return new Settings(steps, batchSize, generatorLearningRate, discriminatorLearningRate, loss,
                    adversarialWeight, freezeDiscriminator, s, checkpointEverySteps, schedule);
        }

        /** The same settings with another adversarial weight and discriminator freezing. */
        public Settings withAdversarial(float weight, boolean frozen) {
            return new Settings(steps, batchSize, generatorLearningRate, discriminatorLearningRate, loss, weight,
                    frozen, seed, checkpointEverySteps, schedule);
        }


        public static Settings defaults(long steps, long seed) {
            return new Settings(steps, 64, 2e-4, 2e-4, GanLoss.NON_SATURATING, 1f, false, seed, 200);
        }
    }

    private FineTuning() {
    }

    public static GanTrainer.Result run(Model generator, Model discriminator, ImageDataset data, Settings s,
                                        FineTuneController controller, List<TrainingHook> extraHooks, Path workDir,
                                        boolean resume) {
        if (s.steps() == 0) {
            return new GanTrainer.Result(0, 0, 0, 0, true, false);
        }
        if (discriminator == null && s.adversarialWeight() > 0) {
            throw new GanCompressException("adversarial fine-tuning (weight " + s.adversarialWeight() + ") needs the "
                    + "teacher's discriminator (--teacher-d); without one, fine-tune with adversarial weight 0 and a "
                    + "distillation term, as compress without --teacher-d does");
        }
        // without a dataset (a latent generator distilled without a discriminator) the run is one "epoch" of steps
        int perEpoch = data == null ? Integer.MAX_VALUE : data.size() / s.batchSize();
        if (perEpoch < 1) {
            throw new GanCompressException("dataset " + data.description() + " is smaller than one batch");
        }
        int epochs = (int) Math.min(Integer.MAX_VALUE, (s.steps() + perEpoch - 1) / perEpoch);
        TrainingConfig config = new TrainingConfig(epochs, s.batchSize(), s.generatorLearningRate(),
                s.discriminatorLearningRate(), 0.5, 0.999, s.loss(), s.seed(), s.checkpointEverySteps(), s.steps());
        GanTrainer trainer = new GanTrainer(config).freezeDiscriminator(s.freezeDiscriminator())
                .adversarialWeight(s.adversarialWeight());
        for (GeneratorLossTerm term : controller.lossTerms()) {
            trainer.addGeneratorTerm(term);
        }
        if (s.schedule().kind() != LearningRateSchedule.Kind.CONSTANT || s.schedule().warmupSteps() > 0) {
            trainer.addHook(new LearningRateScheduleHook(s.schedule()));
        }
        for (TrainingHook hook : controller.hooks()) {
            trainer.addHook(hook);
        }
        for (TrainingHook hook : extraHooks) {
            trainer.addHook(hook);
        }
        return trainer.run(generator, discriminator, data, workDir, resume);
    }
}
