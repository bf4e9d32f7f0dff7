package dev.gancompress.train;

import dev.gancompress.GanCompressException;

/**
 * A learning-rate multiplier over a run of {@code horizon} steps: an optional linear warm-up from 0 over
 * {@code warmupSteps}, then CONSTANT (1), LINEAR (1 falling to 0 at the horizon) or COSINE (half a cosine from 1
 * to 0, Loshchilov and Hutter 2017, without restarts). Fine-tuning used to run at a constant rate; our teachers
 * only converged once their rate was annealed to zero ({@code train --cool-down-epochs}), so a student's
 * fine-tune gets the same option. Applied through {@link TrainingHook#learningRateScale} by
 * {@link LearningRateScheduleHook}. Round-trips to JSON; a null field takes its default.
 *
 * @param kind        CONSTANT (default), LINEAR or COSINE
 * @param warmupSteps steps of linear warm-up from 0 (default 0)
 */
public record LearningRateSchedule(Kind kind, Long warmupSteps) {
    /** The shape of the decay after the warm-up. */
    public enum Kind { CONSTANT, LINEAR, COSINE }

    public static final LearningRateSchedule CONSTANT = new LearningRateSchedule(Kind.CONSTANT, 0L);

    public LearningRateSchedule {
        kind = kind == null ? Kind.CONSTANT : kind;
        warmupSteps = warmupSteps == null ? 0L : warmupSteps;
        if (warmupSteps < 0) {
            throw new GanCompressException("learning-rate schedule: field 'warmupSteps' must be an integer >= 0, got "
                    + warmupSteps);
        }
    }

    public static LearningRateSchedule of(Kind kind) {
        return new LearningRateSchedule(kind, 0L);
    }

    /** Whether the rate at a step depends on the run's length (anything but CONSTANT without warm-up). */
    public boolean dependsOnHorizon() {
        return kind != Kind.CONSTANT;
    }

    /**
     * The factor for the update after {@code step} completed steps of a run of {@code horizon} steps: the update
     * of step s (0-based) uses scale(s). Warm-up: (s + 1) / (warmup + 1), so the first update is not a no-op.
     * The decay runs over the steps after the warm-up and reaches 0 only after the last update, so every one of
     * the {@code horizon} updates moves the weights.
     */
    public double scale(long step, long horizon) {
        if (horizon < 1) {
            throw new IllegalArgumentException("horizon must be >= 1, got " + horizon);
        }
        long warm = Math.min(warmupSteps, horizon - 1);
        if (step < warm) {
            return (step + 1.0) / (warm + 1.0);
        }
        double progress = (double) (step - warm) / (horizon - warm);
        progress = Math.min(1, Math.max(0, progress));
        return switch (kind) {
            case CONSTANT -> 1.0;
            case LINEAR -> 1 - progress;
            case COSINE -> 0.5 * (1 + Math.cos(Math.PI * progress));
        };
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + (warmupSteps > 0 ? "+warmup" + warmupSteps : "");
    }
}
