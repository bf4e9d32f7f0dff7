package dev.gancompress.compress.distill;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.prune.ChannelPruning;
import dev.gancompress.model.Model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Iterative prune-and-distill (Han et al. 2015's iterative pruning; applied to GAN students by distilling after
 * each cut, as in the pruning + distillation work on CycleGAN): instead of removing all channels at once, k stages
 * each keep the teacher's MACs fraction f^(i/k) (geometric steps, so each cut removes the same share of what is
 * left), initialise the stage's student by the previous student's highest-L1 channels and distil it from the
 * original teacher for a share of the budget. This class plans the stages; a runner trains them in order.
 */
public final class IterativeDistillationPlan {
    private IterativeDistillationPlan() {
    }

    /**
     * The per-stage distillation configurations from the teacher to a student at {@code macsFraction}: stage i
     * applied to the student of stage i - 1 (the teacher for i = 0) gives exactly the channels a one-shot
     * uniform pruning to f^((i+1)/k) keeps, through per-layer multipliers target / current (exact under rounding).
     *
     * @param base the losses and weights of every stage (its width fields are replaced)
     */
    public static List<DistillationConfig> stages(Model teacher, double macsFraction, int stages,
                                                  DistillationConfig base) {
        if (stages < 1 || !(macsFraction > 0 && macsFraction < 1)) {
            throw new GanCompressException("iterative prune-and-distill needs stages >= 1 and a MACs fraction in "
                    + "(0, 1), got " + stages + " and " + macsFraction);
        }
        List<DistillationConfig> plan = new ArrayList<>();
        Map<String, Integer> current = StudentFactory.keptChannels(teacher, 1.0, Map.of());
        for (int i = 1; i <= stages; i++) {
            double f = Math.pow(macsFraction, (double) i / stages);
            double width = 1 - ChannelPruning.ratioForMacs(teacher, f);
            Map<String, Integer> target = StudentFactory.keptChannels(teacher, width, Map.of());
            Map<String, Double> multipliers = new LinkedHashMap<>();
            for (Map.Entry<String, Integer> e : target.entrySet()) {
                int now = current.get(e.getKey());
                int want = Math.min(now, e.getValue());
                multipliers.put(e.getKey(), (double) want / now);
                e.setValue(want);
            }
            plan.add(new DistillationConfig(1.0, multipliers, null, StudentInit.TEACHER_SELECTION,
                    base.outputWeight(), base.outputLoss(), base.featureWeight(), base.featureLayers(),
                    base.adapterLearningRate(), base.perceptualWeight(), base.perceptualLayer(),
                    base.adversarialWeight(), base.freezeDiscriminator(), base.featureNetwork(), base.mmdWeight(),
                    base.mmdKernel(), base.mmdTarget(), base.mmdBandwidth(), base.mmdLayer()));
            current = target;
        }
        return plan;
    }

    /** The steps of each of {@code stages} stages of a {@code budget}: equal shares, the remainder to the last. */
    public static long[] stageSteps(long budget, int stages) {
        long[] steps = new long[stages];
        for (int i = 0; i < stages; i++) {
            steps[i] = budget / stages + (i == stages - 1 ? budget % stages : 0);
        }
        return steps;
    }
}
