package dev.gancompress.pipeline;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.UncompressedControl;
import dev.gancompress.compress.distill.DistillationConfig;
import dev.gancompress.compress.distill.StudentInit;
import dev.gancompress.compress.prune.ChannelCriterion;
import dev.gancompress.compress.prune.ChannelPruning;
import dev.gancompress.metrics.QualityEvaluation;
import dev.gancompress.model.Model;
import dev.gancompress.report.ResultRow;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The survey's question, measured on our teacher: at equal MACs and equal fine-tuning steps, does knowledge
 * distillation beat pruning? For each MACs fraction it builds three students: (a) L1 channel pruning +
 * adversarial fine-tuning, (b) a width-scaled student trained from scratch by distillation, and (c) the same
 * student initialised by channel selection from the teacher, then distilled. The width of (b) and (c) is the
 * fraction of channels (a) keeps, so all three have (nearly) the same MACs.
 */
public final class KdPruneComparison {
    /** Validated settings of the comparison. */
    public record Settings(List<Double> macsFractions, long fineTuneSteps, double outputWeight, double featureWeight,
                           double adversarialWeight) {
        public Settings {
            if (macsFractions == null || macsFractions.isEmpty()) {
                throw new GanCompressException("the comparison needs at least one MACs fraction");
            }
            for (double f : macsFractions) {
                if (!(f > 0 && f < 1)) {
                    throw new GanCompressException("MACs fractions must be in (0, 1), got " + f);
                }
            }
            if (fineTuneSteps < 0 || outputWeight < 0 || featureWeight < 0 || adversarialWeight < 0) {
                throw new GanCompressException("steps and loss weights must be >= 0");
            }
            macsFractions = List.copyOf(macsFractions);
        }

        public static Settings defaults(long steps) {
            return new Settings(List.of(0.5, 0.25, 0.125), steps, 10.0, 1.0, 1.0);
        }
    }

    private KdPruneComparison() {
    }

    /**
     * The students, preceded by the two same-budget controls: the uncompressed teacher fine-tuned with the
     * pruned students' losses (adversarial only) and with the distilled students' losses (a full-width student
     * initialised as the teacher, distilled from it).
     */
    public static List<ComparisonEntry> entries(Model teacher, Settings s) {
        List<ComparisonEntry> list = new ArrayList<>();
        list.add(new ComparisonEntry(Recipe.of("control-adv", s.fineTuneSteps(), UncompressedControl.NAME,
                new UncompressedControl.Config()), "control: teacher + adversarial fine-tune", "1 (control)"));
        list.add(new ComparisonEntry(Recipe.of("control-kd", s.fineTuneSteps(), "distillation",
                DistillationConfig.ofWidth(1.0, StudentInit.TEACHER_SELECTION)
                        .withWeights(s.outputWeight(), s.featureWeight(), 0, s.adversarialWeight())),
                "control: teacher + distillation fine-tune", "1 (control)"));
        for (double f : s.macsFractions()) {
            double ratio = ChannelPruning.ratioForMacs(teacher, f);
            double width = 1 - ratio;
            String target = String.format(Locale.ROOT, "1/%d MACs", Math.round(1 / f));
            String tag = String.format(Locale.ROOT, "1of%d", Math.round(1 / f));
            list.add(new ComparisonEntry(Recipe.of("prune-" + tag, s.fineTuneSteps(), ChannelPruning.NAME,
                    ChannelPruning.Config.uniform(ratio, ChannelCriterion.L1_NORM)), "channel pruning + fine-tune",
                    target));
            list.add(new ComparisonEntry(Recipe.of("kd-" + tag, s.fineTuneSteps(), "distillation",
                    DistillationConfig.ofWidth(width, StudentInit.RANDOM)
                            .withWeights(s.outputWeight(), s.featureWeight(), 0, s.adversarialWeight())),
                    "distillation (random init)", target));
            list.add(new ComparisonEntry(Recipe.of("prune-kd-" + tag, s.fineTuneSteps(), "distillation",
                    DistillationConfig.ofWidth(width, StudentInit.TEACHER_SELECTION)
                            .withWeights(s.outputWeight(), s.featureWeight(), 0, s.adversarialWeight())),
                    "pruning-initialised distillation", target));
        }
        return list;
    }

    /** Runs (or reuses) every recipe and evaluates the teacher and each student on the same settings. */
    public static List<ResultRow> run(Model teacher, String teacherFile, RecipeRunner runner,
                                      Supplier<QualityEvaluation> evaluation, Settings s,
                                      QualityEvaluation.Progress progress) {
        return RecipeComparison.run(teacher, teacherFile, runner, evaluation, entries(teacher, s), progress);
    }
}
