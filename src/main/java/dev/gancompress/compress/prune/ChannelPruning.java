package dev.gancompress.compress.prune;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionContext;
import dev.gancompress.compress.prune.ChannelDependencyGraph.Group;
import dev.gancompress.model.Model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Structured channel (filter) pruning: scores the output channels of every prunable group (see
 * {@link ChannelDependencyGraph}) by a {@link ChannelCriterion}, keeps the best, and physically removes the rest
 * with {@link ChannelSurgery}, so parameters, MACs and latency really fall, unlike masks. The generator's output
 * layer is never pruned. Fine-tuning afterwards is plain adversarial (or distillation) training of the smaller
 * model, so the controller adds nothing.
 */
public final class ChannelPruning implements Compression {
    public static final String NAME = "channel-pruning";

    /**
     * @param ratio       fraction of channels to remove, in [0, 1): of every layer (PER_LAYER) or of all prunable
     *                    channels, ranked together (GLOBAL)
     * @param scope       PER_LAYER (default) or GLOBAL
     * @param layerRatios per-layer overrides of {@code ratio} by producing node name (PER_LAYER only)
     * @param criterion   L1_NORM (default) or BN_SCALE
     * @param minChannels the floor of channels a layer keeps (default 1, never 0)
     */
    public record Config(double ratio, PruningScope scope, Map<String, Double> layerRatios,
                         ChannelCriterion criterion, Integer minChannels) {
        public Config {
            checkRatio("ratio", ratio);
            scope = scope == null ? PruningScope.PER_LAYER : scope;
            layerRatios = layerRatios == null ? Map.of()
                    : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(layerRatios));
            criterion = criterion == null ? ChannelCriterion.L1_NORM : criterion;
            minChannels = minChannels == null ? 1 : minChannels;
            if (minChannels < 1) {
                throw new GanCompressException("minChannels must be >= 1 (a layer never loses all its channels), got "
                        + minChannels);
            }
            for (Map.Entry<String, Double> e : layerRatios.entrySet()) {
                checkRatio("layerRatios." + e.getKey(), e.getValue() == null ? Double.NaN : e.getValue());
            }
            if (scope == PruningScope.GLOBAL && !layerRatios.isEmpty()) {
                throw new GanCompressException("layerRatios apply to scope PER_LAYER only; GLOBAL ranks all channels "
                        + "by one ratio");
            }
        }

        public static Config uniform(double ratio, ChannelCriterion criterion) {
            return new Config(ratio, PruningScope.PER_LAYER, Map.of(), criterion, 1);
        }

        private static void checkRatio(String field, double r) {
            if (!(r >= 0 && r < 1)) {
                throw new GanCompressException(field + " must be in [0, 1), got " + r);
            }
        }
    }

    private final Config config;

    public ChannelPruning(Config config) {
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
    public Model apply(Model model, CompressionContext context) {
        ChannelDependencyGraph graph = ChannelDependencyGraph.of(model);
        return ChannelSurgery.removeChannels(model, graph, plan(model, graph));
    }

    /** The channels each prunable group keeps (ascending indices), by group name. */
    public Map<String, int[]> plan(Model model, ChannelDependencyGraph graph) {
        List<Group> groups = graph.prunableGroups();
        checkLayerRatios(graph);
        Map<String, double[]> scores = new LinkedHashMap<>();
        for (Group g : groups) {
            scores.put(g.name(), config.criterion().score(model, g));
        }
        return config.scope() == PruningScope.GLOBAL ? global(groups, scores) : perLayer(groups, scores);
    }

    private void checkLayerRatios(ChannelDependencyGraph graph) {
        for (String layer : config.layerRatios().keySet()) {
            Group g = graph.group(layer);
            if (g == null) {
                throw new GanCompressException("channel-pruning config field 'layerRatios': no prunable layer '"
                        + layer + "'; prunable: " + String.join(", ",
                        graph.prunableGroups().stream().map(Group::name).toList()));
            }
            if (!g.prunable()) {
                throw new GanCompressException("channel-pruning config field 'layerRatios': layer '" + layer
                        + "' cannot be pruned: " + g.fixedReason());
            }
        }
    }

    private Map<String, int[]> perLayer(List<Group> groups, Map<String, double[]> scores) {
        Map<String, int[]> keep = new LinkedHashMap<>();
        for (Group g : groups) {
            double ratio = config.layerRatios().getOrDefault(g.name(), config.ratio());
            int kept = g.channels() - (int) Math.round(ratio * g.channels());
            if (kept < 1) {
                throw new GanCompressException("channel-pruning ratio " + ratio + " leaves layer '" + g.name()
                        + "' with 0 of its " + g.channels() + " channels; use a ratio below "
                        + (g.channels() - 0.5) / g.channels());
            }
            kept = Math.max(kept, Math.min(config.minChannels(), g.channels()));
            keep.put(g.name(), best(scores.get(g.name()), kept));
        }
        return keep;
    }

    private Map<String, int[]> global(List<Group> groups, Map<String, double[]> scores) {
        record Candidate(int group, int channel, double score) {
        }
        List<Candidate> all = new ArrayList<>();
        int[] remaining = new int[groups.size()];
        for (int gi = 0; gi < groups.size(); gi++) {
            double[] s = scores.get(groups.get(gi).name());
            remaining[gi] = s.length;
            for (int c = 0; c < s.length; c++) {
                all.add(new Candidate(gi, c, s[c]));
            }
        }
        all.sort(Comparator.comparingDouble(Candidate::score).thenComparingInt(Candidate::group)
                .thenComparingInt(Candidate::channel));
        long toRemove = Math.round(config.ratio() * all.size());
        boolean[][] removed = new boolean[groups.size()][];
        for (int gi = 0; gi < groups.size(); gi++) {
            removed[gi] = new boolean[groups.get(gi).channels()];
        }
        for (Candidate c : all) {
            if (toRemove == 0) {
                break;
            }
            int floor = Math.min(config.minChannels(), groups.get(c.group()).channels());
            if (remaining[c.group()] > floor) {
                removed[c.group()][c.channel()] = true;
                remaining[c.group()]--;
                toRemove--;
            }
        }
        Map<String, int[]> keep = new LinkedHashMap<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            int[] kept = new int[remaining[gi]];
            for (int c = 0, k = 0; c < removed[gi].length; c++) {
                if (!removed[gi][c]) {
                    kept[k++] = c;
                }
            }
            keep.put(groups.get(gi).name(), kept);
        }
        return keep;
    }

    /**
     * The uniform per-layer ratio whose pruned model's MACs come closest to {@code macsFraction} of the model's, so
     * that students of different techniques can be compared at equal cost. MACs fall monotonically (and in steps,
     * since channel counts are rounded) with the ratio; bisection brackets the step that crosses the target.
     */
    public static double ratioForMacs(Model model, double macsFraction) {
        if (!(macsFraction > 0 && macsFraction <= 1)) {
            throw new GanCompressException("MACs fraction must be in (0, 1], got " + macsFraction);
        }
        double target = macsFraction * model.macs();
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 40; i++) {
            double mid = (lo + hi) / 2;
            long macs = macsAt(model, mid);
            if (macs > target) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        long macsHi = macsAt(model, hi);
        return macsHi != Long.MAX_VALUE && Math.abs(macsHi - target) <= Math.abs(macsAt(model, lo) - target) ? hi : lo;
    }

    /** MACs after uniform pruning at {@code ratio}; a ratio that would empty a layer counts as unreachable. */
    private static long macsAt(Model model, double ratio) {
        if (ratio >= 1) {
            return Long.MAX_VALUE;
        }
        try {
            return new ChannelPruning(Config.uniform(ratio, ChannelCriterion.L1_NORM)).apply(model, null).macs();
        } catch (GanCompressException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Indices of the {@code count} highest scores, ascending; ties keep the lower index. */
    static int[] best(double[] scores, int count) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparingInt(i -> i));
        int[] kept = new int[count];
        for (int i = 0; i < count; i++) {
            kept[i] = order[i];
        }
        Arrays.sort(kept);
        return kept;
    }
}
