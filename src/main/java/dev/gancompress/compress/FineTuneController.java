package dev.gancompress.compress;

import dev.gancompress.train.GeneratorLossTerm;
import dev.gancompress.train.TrainingHook;

import java.util.List;

/** Loss terms and hooks a technique adds to the fine-tuning loop of the trainer. */
public record FineTuneController(List<GeneratorLossTerm> lossTerms, List<TrainingHook> hooks) {
    public static final FineTuneController NONE = new FineTuneController(List.of(), List.of());

    public FineTuneController {
        lossTerms = List.copyOf(lossTerms);
        hooks = List.copyOf(hooks);
    }

    public FineTuneController plus(FineTuneController other) {
        List<GeneratorLossTerm> terms = new java.util.ArrayList<>(lossTerms);
        terms.addAll(other.lossTerms);
        List<TrainingHook> all = new java.util.ArrayList<>(hooks);
        all.addAll(other.hooks);
        return new FineTuneController(terms, all);
    }
}
