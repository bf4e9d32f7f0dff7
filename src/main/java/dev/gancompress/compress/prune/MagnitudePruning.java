package dev.gancompress.compress.prune;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.gancompress.GanCompressException;
import dev.gancompress.compress.CompressionContext;
import dev.gancompress.compress.FineTuneController;
import dev.gancompress.model.Model;
import dev.gancompress.model.Weights;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Unstructured magnitude pruning (Han et al. 2015): the weights of smallest |w| are masked to zero, once
 * (ONE_SHOT) or gradually during fine-tuning on the cubic schedule of Zhu and Gupta 2017 (ITERATIVE). Masks make
 * the model sparse, not smaller or faster on dense kernels; their value is in storage (sparse encodings) and as
 * the baseline that structured pruning is compared with.
 */
public final class MagnitudePruning extends UnstructuredPruning {
    public static final String NAME = "magnitude-pruning";

    public enum Schedule {
        ONE_SHOT, ITERATIVE;

        /** Accepts "one-shot", "iterative", "ONE_SHOT" in JSON configs. */
        @JsonCreator
        public static Schedule parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new GanCompressException("schedule must be one of " + Arrays.toString(values()) + ", got '"
                        + text + "'");
            }
        }
    }

    /**
     * @param sparsity        fraction of the candidate weights to prune, in [0, 1)
     * @param scope           GLOBAL (default): one magnitude threshold for all layers; PER_LAYER: the same fraction
     *                        of each layer
     * @param layers          node names to prune; empty (default): every Conv2d, ConvTranspose2d and Linear weight
     * @param schedule        ONE_SHOT (default) prunes in {@code apply}; ITERATIVE starts at
     *                        {@code initialSparsity} and reaches {@code sparsity} during fine-tuning
     * @param initialSparsity s_i of the cubic schedule, in [0, sparsity]
     * @param scheduleSteps   n of the cubic schedule; 0 (default): the whole fine-tuning run
     * @param updateEvery     masks are recomputed every this many steps (default 10)
     */
    public record Config(double sparsity, PruningScope scope, List<String> layers, Schedule schedule,
                         double initialSparsity, long scheduleSteps, Integer updateEvery) {
        public Config {
            if (!(sparsity >= 0 && sparsity < 1)) {
                throw new GanCompressException("sparsity must be in [0, 1), got " + sparsity);
            }
            scope = scope == null ? PruningScope.GLOBAL : scope;
            layers = layers == null ? List.of() : List.copyOf(layers);
            schedule = schedule == null ? Schedule.ONE_SHOT : schedule;
            updateEvery = updateEvery == null ? 10 : updateEvery;
            if (!(initialSparsity >= 0 && initialSparsity <= sparsity)) {
                throw new GanCompressException("initialSparsity must be in [0, sparsity] = [0, " + sparsity
                        + "], got " + initialSparsity);
            }
            if (scheduleSteps < 0 || updateEvery < 1) {
                throw new GanCompressException("scheduleSteps must be >= 0 (0: the whole fine-tune) and "
                        + "updateEvery >= 1, got " + scheduleSteps + " and " + updateEvery);
            }
        }

        public static Config oneShot(double sparsity, PruningScope scope) {
            return new Config(sparsity, scope, List.of(), Schedule.ONE_SHOT, 0, 0, null);
        }

        public static Config iterative(double sparsity, PruningScope scope, double initialSparsity, long steps,
                                       int updateEvery) {
            return new Config(sparsity, scope, List.of(), Schedule.ITERATIVE, initialSparsity, steps, updateEvery);
        }
    }

    private final Config config;

    public MagnitudePruning(Config config) {
        this.config = config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Config config() {
        return config;
    }

    @Override
    protected void score(String layer, Weights weights, float[] scores) {
        float[] w = weights.data();
        for (int i = 0; i < w.length; i++) {
            scores[i] = Math.abs(w[i]);
        }
    }

    /** A copy of the model with masks at the target sparsity (ONE_SHOT) or at the initial one (ITERATIVE). */
    @Override
    public Model apply(Model model, CompressionContext context) {
        Model copy = model.copy();
        double start = config.schedule() == Schedule.ONE_SHOT ? config.sparsity() : config.initialSparsity();
        prune(targets(copy, config.layers()), start, config.scope());
        return copy;
    }

    /**
     * ONE_SHOT needs nothing: the optimiser keeps masked weights at zero. ITERATIVE adds the hook that raises the
     * sparsity along the cubic schedule.
     */
    @Override
    public FineTuneController controller(Model compressed, CompressionContext context) {
        if (config.schedule() == Schedule.ONE_SHOT) {
            return FineTuneController.NONE;
        }
        SparsityScheduleHook hook = new SparsityScheduleHook(this, targets(compressed, config.layers()),
                config.scope(), config.initialSparsity(), config.sparsity(), config.scheduleSteps(),
                config.updateEvery());
        return new FineTuneController(List.of(), List.of(hook));
    }
}
