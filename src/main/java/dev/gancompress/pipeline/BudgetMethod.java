package dev.gancompress.pipeline;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.distill.DistillationConfig;
import dev.gancompress.compress.distill.MmdKernel;
import dev.gancompress.compress.distill.MmdTarget;
import dev.gancompress.compress.distill.StudentInit;
import dev.gancompress.train.LearningRateSchedule;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The students of the budget curves, each a recipe of existing techniques at a MACs fraction. Distillation uses
 * the weights of compare-kd-prune (output L1 x10, block features x1 through learnable 1x1 adapters, adversarial x1
 * against the teacher's discriminator, which is fine-tuned along), unless the method says otherwise.
 */
public enum BudgetMethod {
    PRUNE("channel pruning + adversarial fine-tune", false, LearningRateSchedule.Kind.CONSTANT),
    PRUNE_LINEAR("channel pruning, lr linear to 0", false, LearningRateSchedule.Kind.LINEAR),
    KD("distillation from scratch", true, LearningRateSchedule.Kind.CONSTANT),
    KD_LINEAR("distillation from scratch, lr linear to 0", true, LearningRateSchedule.Kind.LINEAR),
    PRUNE_KD("pruning-initialised distillation", true, LearningRateSchedule.Kind.CONSTANT),
    PRUNE_KD_LINEAR("pruning-initialised distillation, lr linear to 0", true, LearningRateSchedule.Kind.LINEAR),
    PRUNE_KD_COSINE("pruning-initialised distillation, lr cosine to 0", true, LearningRateSchedule.Kind.COSINE),
    /** OMGD-style (Ren et al. 2021): no discriminator at all, output L1 and block features only. */
    PRUNE_KD_DFREE("discriminator-free distillation (output + features), lr linear to 0", true,
            LearningRateSchedule.Kind.LINEAR),
    PRUNE_KD_MMD("pruning-initialised distillation + MMD to teacher features, lr linear to 0", true,
            LearningRateSchedule.Kind.LINEAR),
    ITER_KD("iterative prune-and-distill (3 stages), lr linear to 0 per stage", true,
            LearningRateSchedule.Kind.LINEAR);

    private final String description;
    private final boolean distils;
    private final LearningRateSchedule.Kind schedule;

    BudgetMethod(String description, boolean distils, LearningRateSchedule.Kind schedule) {
        this.description = description;
        this.distils = distils;
        this.schedule = schedule;
    }

    public String description() {
        return description;
    }

    public LearningRateSchedule schedule() {
        return LearningRateSchedule.of(schedule);
    }

    /**
     * Whether one run to the largest budget gives every budget's point: only at a constant rate (a decaying
     * schedule is defined over the run, so a point inside a longer run has not been annealed; it would understate
     * what that budget buys) and in one stage.
     */
    public boolean oneRunForAllBudgets() {
        return schedule == LearningRateSchedule.Kind.CONSTANT && this != ITER_KD;
    }

    public boolean needsFeatureNetwork() {
        return this == PRUNE_KD_MMD;
    }

    /** The CLI name: "prune-kd-linear". */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static BudgetMethod parse(String name) {
        for (BudgetMethod m : values()) {
            if (m.cliName().equals(name)) {
                return m;
            }
        }
        throw new GanCompressException("--methods: unknown method '" + name + "'; known: "
                + String.join(", ", Arrays.stream(values()).map(BudgetMethod::cliName).toList()));
    }

    /** The distillation configuration of a distilling method at channel width {@code width} (null for pruning). */
    public DistillationConfig distillation(double width, String featureNetwork) {
        if (!distils) {
            return null;
        }
        StudentInit init = this == KD || this == KD_LINEAR ? StudentInit.RANDOM : StudentInit.TEACHER_SELECTION;
        DistillationConfig base = DistillationConfig.ofWidth(width, init).withWeights(10, 1, 0, 1);
        return switch (this) {
            case PRUNE_KD_DFREE -> base.withWeights(10, 1, 0, 0);
            case PRUNE_KD_MMD -> base.withMmd(featureNetwork, 1.0, MmdKernel.GAUSSIAN, MmdTarget.TEACHER);
            default -> base;
        };
    }

    public static List<BudgetMethod> parseAll(List<String> names) {
        return names.stream().map(BudgetMethod::parse).toList();
    }
}
