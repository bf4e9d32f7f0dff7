package dev.gancompress.compress.prune;

import dev.gancompress.model.Weights;
import dev.gancompress.train.StepResult;
import dev.gancompress.train.TrainingHook;

import java.util.List;

/**
 * After every training step, soft-thresholds the given scale tensors by {@code shrink}: the proximal operator of
 * an L1 penalty, which is how {@link NetworkSlimming} applies its penalty with the trainer's hook API.
 */
public final class ScaleShrinkHook implements TrainingHook {
    private final List<Weights> scales;
    private final float shrink;

    public ScaleShrinkHook(List<Weights> scales, float shrink) {
        if (!(shrink > 0)) {
            throw new IllegalArgumentException("shrink must be > 0, got " + shrink);
        }
        this.scales = List.copyOf(scales);
        this.shrink = shrink;
    }

    @Override
    public void onStep(StepResult result) {
        for (Weights w : scales) {
            float[] d = w.data();
            for (int i = 0; i < d.length; i++) {
                float magnitude = Math.abs(d[i]) - shrink;
                d[i] = magnitude > 0 ? Math.copySign(magnitude, d[i]) : 0f;
            }
        }
    }
}
