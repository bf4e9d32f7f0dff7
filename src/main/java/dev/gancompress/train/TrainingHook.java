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

    default void onCheckpoint(Path file, long step) {
    }

    default void onFinish(long step) {
    }
}
