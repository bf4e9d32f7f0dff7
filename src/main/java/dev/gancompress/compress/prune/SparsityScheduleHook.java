package dev.gancompress.compress.prune;

import dev.gancompress.train.StepResult;
import dev.gancompress.train.TrainingHook;

import java.util.List;

/**
 * Advances a cubic sparsity schedule during fine-tuning: after every update step of the schedule it recomputes
 * the masks of the targets at the new sparsity. The trainer calls hooks after the optimiser step, and the
 * optimiser reads each tensor's mask at every step, so a new mask holds from the next update on.
 *
 * <p>Resume: masks are not checkpointed. On start the hook recomputes them at the sparsity of the restored step;
 * pruned weights were restored as exact zeros, the lowest magnitudes, so the same weights are selected again.
 */
public final class SparsityScheduleHook implements TrainingHook {
    private final UnstructuredPruning pruning;
    private final List<UnstructuredPruning.Target> targets;
    private final PruningScope scope;
    private final double initial;
    private final double target;
    private final long steps;
    private final int updateEvery;
    private CubicSparsitySchedule schedule;

    /** @param steps the schedule's length n; 0 means the whole fine-tuning run, known when it starts */
    public SparsityScheduleHook(UnstructuredPruning pruning, List<UnstructuredPruning.Target> targets,
                                PruningScope scope, double initial, double target, long steps, int updateEvery) {
        this.pruning = pruning;
        this.targets = List.copyOf(targets);
        this.scope = scope;
        this.initial = initial;
        this.target = target;
        this.steps = steps;
        this.updateEvery = updateEvery;
        if (steps > 0) {
            schedule = new CubicSparsitySchedule(initial, target, steps, updateEvery);
        }
    }

    /** The schedule in force; null until the run's length is known when the length was left to the run. */
    public CubicSparsitySchedule schedule() {
        return schedule;
    }

    @Override
    public void onStart(long firstStep, long totalSteps) {
        if (steps == 0) {
            schedule = new CubicSparsitySchedule(initial, target, Math.max(1, totalSteps), updateEvery);
        }
        pruning.prune(targets, schedule.sparsityAt(firstStep), scope);
    }

    @Override
    public void onStep(StepResult result) {
        if (schedule.isUpdateStep(result.step())) {
            pruning.prune(targets, schedule.sparsityAt(result.step()), scope);
        }
    }
}
