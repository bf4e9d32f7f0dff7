package dev.gancompress.train;

import java.nio.file.Path;

/**
 * Callbacks of a training loop, all with empty defaults (Distiller's policy style): progress bars, loss logs,
 * sparsity schedules and mask updates plug in here without the loop knowing about them.
 */
public interface TrainingHook {
    default void onStart(long firstStep, long totalSteps) {
    }

    default void onStep(StepResult result) {
    }

    default void onEpochEnd(int epoch, long step) {
    }

    /**
     * A resumed run starts right after the end of epoch {@code epoch} (0-based): a kill between that epoch's
     * checkpoint and its {@link #onEpochEnd} hooks would otherwise lose their work (an evaluation, a snapshot).
     */
    default void onResumeAfterEpoch(int epoch, long step) {
    }

    /** Asked before every epoch: true ends the run there (early stopping); the run counts as finished. */
    default boolean stopRequested() {
        return false;
    }

    /**
     * Factor on both players' learning rates for the update after {@code step} completed steps; the trainer
     * multiplies the factors of all hooks. A schedule lives in a hook so it can depend on what the run measured
     * (the convergence monitor's cool-down starts only once quality has stopped improving).
     */
    default double learningRateScale(long step) {
        return 1.0;
    }

    default void onCheckpoint(Path file, long step) {
    }

    default void onFinish(long step) {
    }
}
