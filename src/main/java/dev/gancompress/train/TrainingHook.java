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

    default void onCheckpoint(Path file, long step) {
    }

    default void onFinish(long step) {
    }
}
