package dev.gancompress.compress.prune;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionContext;
import dev.gancompress.compress.FineTuneController;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Weights;

import java.util.ArrayList;
import java.util.List;

/**
 * The sparsity-inducing fine-tune of network slimming (Liu et al. 2017): an L1 penalty lambda * sum |gamma| on
 * every BatchNorm scale drives unimportant channels' scales towards zero, so that {@link ChannelPruning} with
 * criterion BN_SCALE afterwards removes channels the network has learned to do without. The model's structure is
 * unchanged; a recipe runs this technique, then channel pruning.
 *
 * <p>How the penalty enters training: the trainer zeroes the generator's gradients after its loss terms run and
 * calls hooks only after the optimiser step, so adding lambda * sign(gamma) to the gamma gradients is not possible
 * without changing the trainer. Instead a hook takes the proximal step of the penalty after each optimiser step,
 * gamma <- sign(gamma) max(|gamma| - stepSize * lambda, 0) (ISTA; Parikh and Boyd 2014): the same pull towards
 * zero as the subgradient, with scales that reach exactly zero instead of oscillating around it.
 */
public final class NetworkSlimming implements Compression {
    public static final String NAME = "network-slimming";

    /**
     * @param lambda   the L1 weight on BatchNorm scales (Liu et al. use 1e-5 to 1e-4 with SGD)
     * @param stepSize the proximal step size, normally the generator's learning rate (default 2e-4)
     */
    public record Config(double lambda, Double stepSize) {
        public Config {
            stepSize = stepSize == null ? 2e-4 : stepSize;
            if (!(lambda > 0) || !Double.isFinite(lambda)) {
                throw new GanCompressException("network-slimming lambda must be a finite number > 0, got " + lambda);
            }
            if (!(stepSize > 0) || !Double.isFinite(stepSize)) {
                throw new GanCompressException("network-slimming stepSize must be a finite number > 0, got "
                        + stepSize);
            }
        }
    }

    private final Config config;

    public NetworkSlimming(Config config) {
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

    /** An unchanged copy: slimming acts during fine-tuning only. */
    @Override
    public Model apply(Model model, CompressionContext context) {
        return model.copy();
    }

    @Override
    public FineTuneController controller(Model compressed, CompressionContext context) {
        List<Weights> scales = new ArrayList<>();
        for (Node n : compressed.nodes()) {
            if (n.layer() instanceof BatchNorm2d bn) {
                scales.add(bn.gamma());
            }
        }
        if (scales.isEmpty()) {
            throw new GanCompressException("network-slimming: model " + compressed.name() + " has no BatchNorm");
        }
        return new FineTuneController(List.of(),
                List.of(new ScaleShrinkHook(scales, (float) (config.lambda() * config.stepSize()))));
    }
}
