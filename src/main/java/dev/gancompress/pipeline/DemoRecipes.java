package dev.gancompress.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
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
 * budget.
 */
public final class DemoRecipes {
    private static final ObjectMapper JSON = new ObjectMapper();

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
        RecipeStep channels = step(ChannelPruning.NAME, ChannelPruning.Config.uniform(half, ChannelCriterion.L1_NORM));
        RecipeStep magnitude = step(MagnitudePruning.NAME, MagnitudePruning.Config.oneShot(0.5, PruningScope.GLOBAL));
        list.add(new ComparisonEntry(new Recipe("prune-1of2+magnitude-50", List.of(channels, magnitude), steps),
                "channel + magnitude pruning", "1/2 MACs, 50% zeros"));
        RecipeStep distill = step("distillation", DistillationConfig.ofWidth(1 - half, StudentInit.TEACHER_SELECTION)
                .withWeights(kd.outputWeight(), kd.featureWeight(), 0, kd.adversarialWeight()));
        list.add(new ComparisonEntry(new Recipe("prune-kd-1of2+magnitude-50", List.of(distill, magnitude), steps),
                "pruning-initialised distillation + magnitude", "1/2 MACs, 50% zeros"));
        return list;
    }

    private static RecipeStep step(String technique, Record config) {
        return new RecipeStep(technique, JSON.valueToTree(config));
    }
}
