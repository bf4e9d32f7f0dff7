package dev.gancompress.compress.prune;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.gancompress.GanCompressException;
import dev.gancompress.compress.prune.ChannelDependencyGraph.Group;
import dev.gancompress.compress.prune.ChannelDependencyGraph.Producer;
import dev.gancompress.compress.prune.ChannelDependencyGraph.Use;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Layer;
import dev.gancompress.model.Model;
import dev.gancompress.model.Weights;

import java.util.Arrays;
import java.util.Locale;

/** How important a channel is; the lowest-scoring channels are removed first. */
public enum ChannelCriterion {
    /**
     * The L1 norm of the channel's filters (Li et al. 2017, "Pruning Filters for Efficient ConvNets"), divided by
     * the filter's size so that scores of layers with different fan-in compare in a global ranking; summed over
     * the producers of a residual group.
     */
    L1_NORM {
        @Override
        public double[] score(Model model, Group group) {
            return l1(model, group, true);
        }
    },
    /**
     * |gamma| of the BatchNorm the channel passes through: network slimming (Liu et al. 2017), whose scales are
     * comparable across layers because they multiply normalised activations.
     */
    BN_SCALE {
        @Override
        public double[] score(Model model, Group group) {
            double[] scores = new double[group.channels()];
            boolean found = false;
            for (Use u : group.norms()) {
                if (model.node(u.node()).layer() instanceof BatchNorm2d bn) {
                    float[] gamma = bn.gamma().data();
                    for (int c = 0; c < scores.length; c++) {
                        scores[c] += Math.abs(gamma[u.offset() + c]);
                    }
                    found = true;
                }
            }
            if (!found) {
                throw new GanCompressException("channel-pruning criterion BN_SCALE needs a BatchNorm after layer '"
                        + group.name() + "', which has none; use criterion L1_NORM");
            }
            return scores;
        }
    };

    /** One score per channel of the group. */
    public abstract double[] score(Model model, Group group);

    /**
     * The plain L1 norm of each channel's filters, summed over the producers of a residual group: the ranking of
     * Li et al. 2017 within one layer, without {@link #L1_NORM}'s division by filter size. Width-scaled
     * distillation students select their teacher channels by it.
     */
    public static double[] filterL1(Model model, Group group) {
        return l1(model, group, false);
    }

    private static double[] l1(Model model, Group group, boolean perWeight) {
        double[] scores = new double[group.channels()];
        for (Producer p : group.producers()) {
            Layer layer = model.node(p.node()).layer();
            Weights w = layer.weights().get(0).weights();
            // Output axis of the producer's weight: 0 for Conv2d and Linear, 1 for ConvTranspose2d [in, out, kh, kw].
            int axis = layer instanceof ConvTranspose2d ? 1 : 0;
            int[] shape = w.shape();
            int n = shape[axis];
            int outer = axis == 0 ? 1 : shape[0];
            int inner = w.size() / (outer * n);
            float[] d = w.data();
            double perChannel = (double) w.size() / n * p.unit();
            for (int o = 0; o < outer; o++) {
                for (int row = 0; row < n; row++) {
                    double sum = 0;
                    for (int i = (o * n + row) * inner, end = i + inner; i < end; i++) {
                        sum += Math.abs(d[i]);
                    }
                    scores[row / p.unit()] += perWeight ? sum / perChannel : sum;
                }
            }
        }
        return scores;
    }

    /** Accepts "l1-norm", "L1_NORM", "bn-scale", ... in JSON configs. */
    @JsonCreator
    public static ChannelCriterion parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new GanCompressException("criterion must be one of " + Arrays.toString(values()) + ", got '"
                    + text + "'");
        }
    }
}
