package dev.gancompress.compress.quantize;

import dev.gancompress.model.Weights;
import dev.gancompress.train.TrainingHook;

import java.util.List;

/**
 * Keeps the quantisation grids of quantisation-aware training following the master weights, and puts the master
 * weights on their grids when training ends.
 *
 * <p>Scales are fixed statistics of the master values (max|w| for symmetric integers, the range for asymmetric,
 * TWN's alpha for ternary, mean|w| for binary), recomputed after every optimiser step rather than learnt (LSQ, Esser
 * et al. 2019) or refreshed every N steps. Why every step: the recomputation is one pass over the weights, a small
 * fraction of a step's forward and backward; with the max|w| rule no master value is ever clamped, so the
 * straight-through gradient is exact for every weight; and the scales are a pure function of the master values, so
 * a run resumed from a checkpoint (which holds only the master values) recomputes exactly the scales the
 * uninterrupted run had, which learnt scales, or scales refreshed every N steps, would need the checkpoint to carry.
 */
final class QuantizationGridHook implements TrainingHook {
    /** One quantised tensor: its live weights and the axis its per-channel scales run along (-1: per tensor). */
    record Target(Weights weights, int axis) {
    }

    private final List<Target> targets;
    private final QuantizationConfig config;
    private final QuantizationScheme scheme;

    QuantizationGridHook(List<Target> targets, QuantizationConfig config) {
        this.targets = List.copyOf(targets);
        this.config = config;
        this.scheme = QuantizationScheme.of(config);
    }

    /** Sets each tensor's storage from its current master values, leaving the values themselves as they are. */
    void refreshScales() {
        for (Target t : targets) {
            t.weights().setStorage(scheme.storage(new ChannelValues(t.weights(), t.axis()), t.axis(), config));
        }
    }

    /** The final grids, from the final master values, and the master values moved onto them. */
    void snapToGrid() {
        refreshScales();
        for (Target t : targets) {
            t.weights().projectToStorage();
        }
    }

    @Override
    public void onStart(long firstStep, long totalSteps) {
        refreshScales();
    }

    @Override
    public void onStep(dev.gancompress.train.StepResult result) {
        refreshScales();
    }

    /**
     * Snapping here, at the end of the trainer's run, makes the stored values decode(encode(w)) of the trained master
     * values under the same rule every training forward used, so the exported codes and the engine's fake-quantised
     * forward describe one model, and a later pass that reads the master values sees what is stored.
     */
    @Override
    public void onFinish(long step) {
        snapToGrid();
    }
}
