package dev.gancompress.pipeline;

import dev.gancompress.compress.distill.DistillationConfig;
import dev.gancompress.compress.distill.StudentInit;
import dev.gancompress.compress.prune.ChannelCriterion;
import dev.gancompress.compress.prune.ChannelPruning;
import dev.gancompress.compress.prune.MagnitudePruning;
import dev.gancompress.compress.prune.PruningScope;
import dev.gancompress.model.Model;

import java.util.ArrayList;
import java.util.List;

/**
 * The demo's recipe set: the distillation-vs-pruning comparison, unstructured pruning alone (one-shot and with
 * the cubic schedule), and combinations of structured and unstructured compression, all with one fine-tuning
 * budget. A combination is two stages that share it: the structural stage fine-tunes the first half, the
 * magnitude stage the rest, with output distillation to the teacher kept on in the distilled combination.
 */
public final class DemoRecipes {
    private DemoRecipes() {
    }

    public static List<ComparisonEntry> entries(Model teacher, long steps) {
        KdPruneComparison.Settings kd = KdPruneComparison.Settings.defaults(steps);
        List<ComparisonEntry> list = new ArrayList<>(KdPruneComparison.entries(teacher, kd));
        list.add(new ComparisonEntry(Recipe.of("magnitude-50", steps, MagnitudePruning.NAME,
                MagnitudePruning.Config.oneShot(0.5, PruningScope.GLOBAL)), "magnitude pruning (one-shot)",
                "50% zeros"));
        list.add(new ComparisonEntry(Recipe.of("magnitude-80", steps, MagnitudePruning.NAME,
                MagnitudePruning.Config.iterative(0.8, PruningScope.GLOBAL, 0.0, 0, 10)),
                "magnitude pruning (cubic schedule)", "80% zeros"));
        double half = ChannelPruning.ratioForMacs(teacher, 0.5);
        long first = steps - steps / 2;
        Stage channels = Stage.of(ChannelPruning.NAME, ChannelPruning.Config.uniform(half, ChannelCriterion.L1_NORM),
                StageTuning.steps(first));
        Stage magnitude = Stage.of(MagnitudePruning.NAME, MagnitudePruning.Config.oneShot(0.5, PruningScope.GLOBAL),
                StageTuning.steps(steps / 2));
        list.add(new ComparisonEntry(new Recipe("prune-1of2+magnitude-50", List.of(channels, magnitude)),
                "channel + magnitude pruning", "1/2 MACs, 50% zeros"));
        Stage distill = Stage.of("distillation", DistillationConfig.ofWidth(1 - half, StudentInit.TEACHER_SELECTION)
                .withWeights(kd.outputWeight(), kd.featureWeight(), 0, kd.adversarialWeight()),
                StageTuning.steps(first));
        Stage magnitudeKd = new Stage(magnitude.name(), magnitude.technique(), magnitude.config(),
                new StageTuning(steps / 2, null, null, null, kd.outputWeight() > 0 ? kd.outputWeight() : null));
        list.add(new ComparisonEntry(new Recipe("prune-kd-1of2+magnitude-50", List.of(distill, magnitudeKd)),
                "pruning-initialised distillation + magnitude", "1/2 MACs, 50% zeros"));
        return list;
    }
}
