package dev.gancompress.compress.prune;

import dev.gancompress.GanCompressException;

/**
 * The gradual pruning schedule of Zhu and Gupta 2017 ("To prune, or not to prune"): sparsity rises from
 * {@code initial} to {@code target} over {@code steps} training steps as
 * s_t = s_f + (s_i - s_f) (1 - t / n)^3, fast at first while redundant weights are plentiful and slowly at the
 * end, so the network can recover. Masks change only every {@code updateEvery} steps (their Delta t); between
 * updates the sparsity holds the value of the last update step, and from step n on it is the target.
 */
public record CubicSparsitySchedule(double initial, double target, long steps, int updateEvery) {
    public CubicSparsitySchedule {
        if (!(target >= 0 && target < 1)) {
            throw new GanCompressException("sparsity must be in [0, 1), got " + target);
        }
        if (!(initial >= 0 && initial <= target)) {
            throw new GanCompressException("initial sparsity must be in [0, sparsity] = [0, " + target + "], got "
                    + initial);
        }
        if (steps < 1 || updateEvery < 1) {
            throw new GanCompressException("a sparsity schedule needs steps >= 1 and an update interval >= 1, got "
                    + steps + " and " + updateEvery);
        }
    }

    /** The sparsity in force after {@code step} completed training steps. */
    public double sparsityAt(long step) {
        if (step >= steps) {
            return target;
        }
        long t = Math.max(0, step - step % updateEvery);
        double remaining = 1.0 - (double) t / steps;
        return target + (initial - target) * remaining * remaining * remaining;
    }

    /** Whether masks are recomputed after {@code step}: every Delta t steps, and once more when the target is reached. */
    public boolean isUpdateStep(long step) {
        return step <= steps && (step % updateEvery == 0 || step == steps);
    }
}
