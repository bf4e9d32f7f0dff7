package dev.gancompress.train;

/**
 * Applies a {@link LearningRateSchedule} to both players' learning rates. The horizon is the run's total step
 * count as the trainer announces it at {@link #onStart} (for a fine-tune: its step budget), unless given
 * explicitly; a resumed run gets the same total, so the schedule continues where it stopped.
 */
public final class LearningRateScheduleHook implements TrainingHook {
    private final LearningRateSchedule schedule;
    private final long fixedHorizon;
    private long horizon;

    /** The schedule over the run's own length. */
    public LearningRateScheduleHook(LearningRateSchedule schedule) {
        this(schedule, 0);
    }

    /** The schedule over {@code horizon} steps (0: the run's own length), e.g. a stage of a longer plan. */
    public LearningRateScheduleHook(LearningRateSchedule schedule, long horizon) {
        if (horizon < 0) {
            throw new IllegalArgumentException("horizon must be >= 0, got " + horizon);
        }
        this.schedule = schedule;
        this.fixedHorizon = horizon;
        this.horizon = horizon;
    }

    @Override
    public void onStart(long firstStep, long totalSteps) {
        horizon = fixedHorizon > 0 ? fixedHorizon : Math.max(1, totalSteps);
    }

    @Override
    public double learningRateScale(long step) {
        if (horizon < 1) {
            throw new IllegalStateException("learning-rate schedule used before the run started");
        }
        return schedule.scale(step, horizon);
    }
}
