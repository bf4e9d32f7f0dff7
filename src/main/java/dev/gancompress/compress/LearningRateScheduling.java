package dev.gancompress.compress;

import dev.gancompress.model.Model;
import dev.gancompress.train.LearningRateSchedule;

/**
 * A recipe step that changes no weight and sets the learning-rate schedule of the recipe's fine-tune, e.g.
 * {@code {"technique": "lr-schedule", "config": {"kind": "LINEAR"}}} after a distillation step: the students of
 * this project were fine-tuned at a constant rate while their teachers only converged once annealed to zero.
 * As a technique it needs no field in the recipe format, and the last schedule of a recipe wins.
 */
public final class LearningRateScheduling implements Compression {
    public static final String NAME = "lr-schedule";

    private final LearningRateSchedule config;

    public LearningRateScheduling(LearningRateSchedule config) {
        this.config = config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public LearningRateSchedule config() {
        return config;
    }

    /** The model unchanged (a copy, as the interface promises). */
    @Override
    public Model apply(Model model, CompressionContext context) {
        return model.copy();
    }

    @Override
    public FineTuning.Settings fineTuneSettings(FineTuning.Settings base) {
        return base.withSchedule(config);
    }
}
