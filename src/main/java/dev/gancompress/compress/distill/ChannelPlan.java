package dev.gancompress.compress.distill;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Activation;
import dev.gancompress.model.Add;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Concat;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.Layer;
import dev.gancompress.model.InstanceNorm2d;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.model.Upsample;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which of a teacher's channels a width-scaled student keeps, value by value.
 *
 * <p>Every Conv2d/ConvTranspose2d (except those producing the image) and every Linear that feeds a Reshape to
 * [C, H, W] starts a <em>channel group</em>. Normalisations, activations and upsampling carry their input's
 * channels; Concat lays groups side by side; Add forces its two operands to keep the same channels, so it
 * merges their groups (union-find). Each value is then a list of segments along its first axis, each segment
 * being the channels of one group repeated {@code spatial} times (a rank-1 value flattened from [C, H, W]).
 * A group keeps round(C x multiplier) channels, chosen by the caller's scores (the L1 norms of the producing
 * filters, as Li et al. 2017 rank filters) or simply the first ones for a randomly initialised student.
 */
final class ChannelPlan {
    /** {@code channels} channels of {@code group} (-1: not scaled), each repeated {@code spatial} times. */
    private record Segment(int group, int channels, int spatial) {
    }

    private final Model teacher;
    private final Map<String, List<Segment>> segments = new HashMap<>();
    private final List<String> producers = new ArrayList<>();
    private final List<Integer> groupChannels = new ArrayList<>();
    private final List<Integer> groupSpatial = new ArrayList<>();
    /** Pairs of segment groups that an Add joins, merged once all groups exist. */
    private final List<int[][]> pendingMerges = new ArrayList<>();
    private int[] parent;
    private boolean[] fixed;
    private int[] keptCount;
    private int[][] kept;

    private ChannelPlan(Model teacher) {
        this.teacher = teacher;
    }

    /**
     * Analyses {@code teacher} and sizes every group by its multiplier (per node name of a producer, else the
     * global one). Throws before any weight is touched if a group would be left with no channel.
     */
    static ChannelPlan of(Model teacher, double globalMultiplier, Map<String, Double> layerMultipliers) {
        ChannelPlan plan = new ChannelPlan(teacher);
        plan.analyse();
        plan.size(globalMultiplier, layerMultipliers);
        return plan;
    }

    /** Node names of the layers whose output channels scale (the group producers). */
    List<String> scalableLayers() {
        List<String> list = new ArrayList<>();
        for (int g = 0; g < producers.size(); g++) {
            if (!fixed[find(g)]) {
                list.add(producers.get(g));
            }
        }
        return list;
    }

    private void analyse() {
        Set<String> imagePath = imagePath();
        for (Input in : teacher.inputs()) {
            segments.put(in.name(), in.shape().rank() == 0 ? List.of() : fixedSegments(in.shape()));
        }
        for (Node node : teacher.nodes()) {
            Shape out = teacher.shape(node.name());
            List<Segment> in = segments.get(node.inputs().get(0));
            List<Segment> result;
            Layer layer = node.layer();
            if (layer instanceof Conv2d c) {
                result = imagePath.contains(node.name()) ? fixedSegments(out)
                        : List.of(new Segment(newGroup(node.name(), c.out(), 1), c.out(), 1));
            } else if (layer instanceof ConvTranspose2d c) {
                result = imagePath.contains(node.name()) ? fixedSegments(out)
                        : List.of(new Segment(newGroup(node.name(), c.out(), 1), c.out(), 1));
            } else if (layer instanceof Linear) {
                Shape target = reshapeTarget(node);
                if (target == null || imagePath.contains(node.name())) {
                    result = fixedSegments(out);
                } else {
                    int hw = target.height() * target.width();
                    result = List.of(new Segment(newGroup(node.name(), target.channels(), hw), target.channels(), hw));
                }
            } else if (layer instanceof BatchNorm2d || layer instanceof InstanceNorm2d || layer instanceof Activation
                    || layer instanceof Upsample) {
                result = in;
            } else if (layer instanceof Reshape) {
                result = reshaped(node, in, teacher.shape(node.inputs().get(0)), out);
            } else if (layer instanceof Concat) {
                List<Segment> all = new ArrayList<>();
                for (String src : node.inputs()) {
                    all.addAll(segments.get(src));
                }
                result = all;
            } else if (layer instanceof Add) {
                result = merged(node, in, segments.get(node.inputs().get(1)));
            } else {
                result = fixedSegments(out);
            }
            segments.put(node.name(), result);
        }
    }

    /** The values that must keep the teacher's channels: the output and what reaches it channel-wise. */
    private Set<String> imagePath() {
        Set<String> path = new HashSet<>();
        path.add(teacher.output());
        List<Node> nodes = teacher.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (path.contains(n.name()) && (n.layer() instanceof Activation || n.layer() instanceof BatchNorm2d
                    || n.layer() instanceof InstanceNorm2d || n.layer() instanceof Upsample
                    || n.layer() instanceof Add)) {
                path.addAll(n.inputs());
            }
        }
        return path;
    }

    private Shape reshapeTarget(Node linear) {
        List<Node> consumers = teacher.consumers(linear.name());
        Shape target = null;
        for (Node c : consumers) {
            if (!(c.layer() instanceof Reshape r) || r.target().rank() != 3
                    || (target != null && !target.equals(r.target()))) {
                return null;
            }
            target = r.target();
        }
        return target;
    }

    private static List<Segment> fixedSegments(Shape s) {
        if (s.rank() == 0) {
            return List.of();
        }
        return List.of(new Segment(-1, s.dim(0), 1));
    }

    private int newGroup(String producer, int channels, int spatial) {
        producers.add(producer);
        groupChannels.add(channels);
        groupSpatial.add(spatial);
        return producers.size() - 1;
    }

    private List<Segment> reshaped(Node node, List<Segment> in, Shape from, Shape to) {
        if (in.stream().allMatch(s -> s.group() < 0)) {
            return fixedSegments(to);
        }
        if (from.equals(to)) {
            return in;
        }
        if (from.rank() == 3 && to.rank() == 1) {
            int hw = from.height() * from.width();
            return in.stream().map(s -> new Segment(s.group(), s.channels(), s.spatial() * hw)).toList();
        }
        if (from.rank() == 1 && to.rank() == 3) {
            int hw = to.height() * to.width();
            if (in.stream().allMatch(s -> s.spatial() == hw)) {
                return in.stream().map(s -> new Segment(s.group(), s.channels(), 1)).toList();
            }
        }
        throw new GanCompressException("width multiplier: cannot carry scaled channels through reshape '"
                + node.name() + "' from " + from + " to " + to);
    }

    private List<Segment> merged(Node node, List<Segment> a, List<Segment> b) {
        if (a.size() != b.size()) {
            throw new GanCompressException("width multiplier: Add node '" + node.name()
                    + "' joins values built from different channel layouts");
        }
        for (int i = 0; i < a.size(); i++) {
            Segment x = a.get(i);
            Segment y = b.get(i);
            if (x.channels() != y.channels() || x.spatial() != y.spatial()) {
                throw new GanCompressException("width multiplier: Add node '" + node.name()
                        + "' joins values built from different channel layouts");
            }
        }
        pendingMerges.add(new int[][] {groupsOf(a), groupsOf(b)});
        return a;
    }

    private static int[] groupsOf(List<Segment> list) {
        return list.stream().mapToInt(Segment::group).toArray();
    }

    private int find(int g) {
        while (parent[g] != g) {
            parent[g] = parent[parent[g]];
            g = parent[g];
        }
        return g;
    }

    private void size(double global, Map<String, Double> layerMultipliers) {
        int n = producers.size();
        parent = new int[n];
        fixed = new boolean[n];
        for (int g = 0; g < n; g++) {
            parent[g] = g;
        }
        for (int[][] merge : pendingMerges) {
            for (int i = 0; i < merge[0].length; i++) {
                int a = merge[0][i];
                int b = merge[1][i];
                if (a < 0 && b < 0) {
                    continue;
                }
                if (a < 0 || b < 0) {
                    fixed[find(Math.max(a, b))] = true;
                } else {
                    int ra = find(a);
                    int rb = find(b);
                    if (ra != rb) {
                        parent[rb] = ra;
                        fixed[ra] |= fixed[rb];
                    }
                }
            }
        }
        List<String> scalable = scalableLayers();
        for (String name : layerMultipliers.keySet()) {
            if (!scalable.contains(name)) {
                throw new GanCompressException("width multiplier for layer '" + name + "': model " + teacher.name()
                        + " has no scalable layer of that name; scalable layers: " + String.join(", ", scalable));
            }
        }
        Map<Integer, Double> rootMultiplier = new LinkedHashMap<>();
        Map<Integer, String> rootNamer = new HashMap<>();
        for (int g = 0; g < n; g++) {
            int r = find(g);
            if (fixed[r]) {
                continue;
            }
            double m = layerMultipliers.getOrDefault(producers.get(g), global);
            Double previous = rootMultiplier.putIfAbsent(r, m);
            if (previous != null && previous != m) {
                throw new GanCompressException("width multipliers of layers '" + rootNamer.get(r) + "' (" + previous
                        + ") and '" + producers.get(g) + "' (" + m + ") differ, but an Add joins their channels;"
                        + " give them the same multiplier");
            }
            rootNamer.putIfAbsent(r, producers.get(g));
        }
        keptCount = new int[n];
        for (int g = 0; g < n; g++) {
            int r = find(g);
            if (fixed[r]) {
                keptCount[g] = groupChannels.get(g);
                continue;
            }
            double m = rootMultiplier.get(r);
            long k = Math.round(groupChannels.get(g) * m);
            if (k < 1) {
                String layer = layerMultipliers.containsKey(producers.get(g)) ? producers.get(g) : rootNamer.get(r);
                throw new GanCompressException("width multiplier " + m + " leaves layer " + layer + " with 0 channels ("
                        + groupChannels.get(g) + " x " + m + " rounds to 0); use at least "
                        + 0.5 / groupChannels.get(g) + " for it");
            }
            keptCount[g] = (int) k;
        }
    }

    /**
     * Chooses the kept channels of every group: the highest-scoring ones, in the teacher's order. Scores are
     * per group producer (node name to one score per output channel; summed over groups merged by Add); with
     * {@code scores == null} the first channels are kept (the weights are re-initialised anyway).
     */
    void select(Map<String, double[]> scores) {
        int n = producers.size();
        kept = new int[n][];
        Map<Integer, double[]> rootScores = new HashMap<>();
        if (scores != null) {
            for (int g = 0; g < n; g++) {
                double[] s = scores.get(producers.get(g));
                int channels = groupChannels.get(g);
                double[] acc = rootScores.computeIfAbsent(find(g), r -> new double[channels]);
                for (int c = 0; c < acc.length; c++) {
                    acc[c] += s[c];
                }
            }
        }
        for (int g = 0; g < n; g++) {
            int r = find(g);
            int channels = groupChannels.get(g);
            int k = keptCount[g];
            if (kept[r] == null) {
                kept[r] = topChannels(scores == null || fixed[r] ? null : rootScores.get(r), channels, k);
            }
            kept[g] = kept[r];
        }
    }

    private static int[] topChannels(double[] score, int channels, int k) {
        Integer[] order = new Integer[channels];
        for (int c = 0; c < channels; c++) {
            order[c] = c;
        }
        if (score != null) {
            // Stable on ties, so equal scores keep the teacher's order and width 1.0 is the identity.
            Arrays.sort(order, (a, b) -> Double.compare(score[b], score[a]));
        }
        TreeSet<Integer> chosen = new TreeSet<>(Arrays.asList(order).subList(0, k));
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The channel counts each producer keeps, by node name. */
    Map<String, Integer> keptChannels() {
        Map<String, Integer> map = new LinkedHashMap<>();
        for (int g = 0; g < producers.size(); g++) {
            map.put(producers.get(g), keptCount[g]);
        }
        return map;
    }

    /** Number of output channels (or features) of a producer group, for scores: the teacher's C. */
    int teacherChannels(String producer) {
        return groupChannels.get(producers.indexOf(producer));
    }

    /** Spatial positions per channel of a Linear producer's output (H x W of its reshape), 1 for convolutions. */
    int spatial(String producer) {
        return groupSpatial.get(producers.indexOf(producer));
    }

    List<String> producers() {
        return List.copyOf(producers);
    }

    /** The teacher indices along the first per-sample axis of {@code value} that the student keeps, ascending. */
    int[] keptIndices(String value) {
        List<Segment> list = segments.get(value);
        int total = 0;
        for (Segment s : list) {
            total += (s.group() < 0 ? s.channels() : keptCount[s.group()]) * s.spatial();
        }
        int[] idx = new int[total];
        int offset = 0;
        int i = 0;
        for (Segment s : list) {
            int[] channels = s.group() < 0 ? null : kept[s.group()];
            int count = channels == null ? s.channels() : channels.length;
            for (int j = 0; j < count; j++) {
                int c = channels == null ? j : channels[j];
                for (int p = 0; p < s.spatial(); p++) {
                    idx[i++] = offset + c * s.spatial() + p;
                }
            }
            offset += s.channels() * s.spatial();
        }
        return idx;
    }
}
