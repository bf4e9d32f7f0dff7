package dev.gancompress.compress.prune;

import dev.gancompress.model.Activation;
import dev.gancompress.model.Add;
import dev.gancompress.model.Affine;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Concat;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Embedding;
import dev.gancompress.model.Input;
import dev.gancompress.model.InstanceNorm2d;
import dev.gancompress.model.Layer;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.model.Pad2d;
import dev.gancompress.model.Upsample;
import dev.gancompress.model.Resize2d;
import dev.gancompress.model.DepthToSpace;
import dev.gancompress.model.SpaceToDepth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which tensors must be cut together when output channels are removed (the dependency graph of structured
 * pruning, as in Torch-Pruning, Fang et al. 2023). A <em>group</em> is a set of channels made by one or more
 * producers (Conv2d, ConvTranspose2d, Linear) whose outputs meet in a residual Add, so all of them lose the same
 * channel indices; it lists the channel-wise layers those channels pass (BatchNorm, InstanceNorm: four or two
 * tensors to slice; a depthwise Conv2d: its filters and bias) and the consumers that read them (input channels of a convolution, or input features of a Linear
 * after a flatten). Channel-preserving layers (normalisation, activation, upsample) pass channels through, Concat
 * places each input at an offset, and a Reshape [F] -> [C, H, W] right after a Linear turns the Linear's F rows
 * into C channels of H*W rows each (the DCGAN "fc" stem).
 *
 * <p>Anything the graph cannot follow fixes the groups involved: a group that reaches the model's output (the
 * generator's to_image: its channel count is the image's), an Add of misaligned channel layouts, a Reshape other
 * than flatten/unflatten, a Linear's flat output that is read in two granularities, a grouped (not depthwise)
 * convolution, whose input and output channels are tied block by block.
 */
public final class ChannelDependencyGraph {
    /** Rows c*unit .. c*unit + unit - 1 of the producer's output belong to channel c. */
    public record Producer(String node, int unit) {
    }

    /** Input channel (or flattened input feature) offset + c*spatial + j, j < spatial, of the node is channel c. */
    public record Use(String node, int offset, int spatial) {
    }

    /** One set of channels pruned together; named by its first producer. */
    public record Group(String name, int channels, List<Producer> producers, List<Use> norms, List<Use> consumers,
                        String fixedReason) {
        public Group {
            producers = List.copyOf(producers);
            norms = List.copyOf(norms);
            consumers = List.copyOf(consumers);
        }

        public boolean prunable() {
            return fixedReason == null;
        }
    }

    private final List<Group> groups;

    private ChannelDependencyGraph(List<Group> groups) {
        this.groups = List.copyOf(groups);
    }

    public static ChannelDependencyGraph of(Model model) {
        return new Walk(model).run();
    }

    /** All groups in graph order of their first producer. */
    public List<Group> groups() {
        return groups;
    }

    public List<Group> prunableGroups() {
        return groups.stream().filter(Group::prunable).toList();
    }

    /** The group whose first producer is {@code name}, or null. */
    public Group group(String name) {
        for (Group g : groups) {
            if (g.name().equals(name)) {
                return g;
            }
        }
        return null;
    }

    /** A run of channels in a value's channel (or feature) axis: {@code group < 0} for channels nobody may cut. */
    private record Segment(int group, int channels, int spatial) {
        int features() {
            return channels * spatial;
        }
    }

    private static final class RawGroup {
        final List<Producer> producers = new ArrayList<>();
        final List<Use> norms = new ArrayList<>();
        final List<Use> consumers = new ArrayList<>();
        int channels;
        boolean merged;
        String fixedReason;
    }

    private static final class Walk {
        private final Model model;
        private final List<RawGroup> raw = new ArrayList<>();
        private final List<Integer> parent = new ArrayList<>();
        private final Map<String, List<Segment>> layouts = new LinkedHashMap<>();

        Walk(Model model) {
            this.model = model;
        }

        ChannelDependencyGraph run() {
            for (Input in : model.inputs()) {
                layouts.put(in.name(), fixed(in.shape()));
            }
            for (Node node : model.nodes()) {
                layouts.put(node.name(), visit(node));
            }
            for (Segment s : layouts.get(model.output())) {
                fix(s, "its channels are the model's output");
            }
            return new ChannelDependencyGraph(collect());
        }

        private List<Segment> visit(Node node) {
            Layer layer = node.layer();
            List<Segment> in = layouts.get(node.inputs().get(0));
            String name = node.name();
            if (layer instanceof Linear l) {
                use(in, name, false);
                return produce(name, l.out());
            } else if (layer instanceof Conv2d c && c.isDepthwise()) {
                // One filter per channel: input channel c is output channel c, so the conv is cut with its input
                // like a normalisation's scale, and the channel goes on through it (MobileNet's depthwise chain).
                use(in, name, true);
                return in;
            } else if (layer instanceof Conv2d c && c.isGrouped()) {
                String reason = "grouped convolution '" + name + "' (groups = " + c.groups() + ") ties its "
                        + "channels in blocks; only depthwise convolutions (groups = channels) are pruned through";
                in.forEach(s -> fix(s, reason));
                List<Segment> out = produce(name, c.out());
                out.forEach(s -> fix(s, reason));
                return out;
            } else if (layer instanceof Conv2d c) {
                use(in, name, false);
                return produce(name, c.out());
            } else if (layer instanceof ConvTranspose2d c) {
                use(in, name, false);
                return produce(name, c.out());
            } else if (layer instanceof BatchNorm2d || layer instanceof InstanceNorm2d) {
                use(in, name, true);
                return in;
            } else if (layer instanceof Activation || layer instanceof Upsample || layer instanceof Resize2d
                    || layer instanceof Pad2d) {
                return in;
            } else if (layer instanceof DepthToSpace || layer instanceof SpaceToDepth) {
                // channels become pixels (and back) in blocks of b^2: dropping one channel would break a block
                in.forEach(s -> fix(s, layer.opName() + " '" + name + "' moves its channels into space"));
                return fixed(model.shape(name));
            } else if (layer instanceof Affine a) {
                // A per-tensor map commutes with dropping channels; a per-channel one would need slicing too.
                if (!a.isPerTensor()) {
                    in.forEach(s -> fix(s, "affine '" + name + "' has a per-channel constant"));
                }
                return in;
            } else if (layer instanceof Add) {
                return add(in, layouts.get(node.inputs().get(1)), model.shape(name));
            } else if (layer instanceof Concat) {
                List<Segment> out = new ArrayList<>();
                for (String src : node.inputs()) {
                    out.addAll(layouts.get(src));
                }
                return out;
            } else if (layer instanceof Reshape) {
                return reshape(node, in);
            } else if (layer instanceof Embedding) {
                return fixed(model.shape(name));
            }
            throw new IllegalStateException("channel dependency graph does not know layer " + layer.opName());
        }

        private List<Segment> fixed(Shape shape) {
            return List.of(new Segment(-1, shape.rank() == 0 ? 1 : shape.dim(0), 1));
        }

        private List<Segment> produce(String node, int channels) {
            RawGroup g = new RawGroup();
            g.channels = channels;
            g.producers.add(new Producer(node, 1));
            raw.add(g);
            parent.add(raw.size() - 1);
            return List.of(new Segment(raw.size() - 1, channels, 1));
        }

        /** A layout written before a Linear's rows were regrouped into channels no longer matches: fix it. */
        private boolean fresh(Segment s) {
            if (s.group() < 0) {
                return false;
            }
            if (raw.get(s.group()).channels != s.channels()) {
                fix(s, "its rows are read both as features and as channels");
                return false;
            }
            return true;
        }

        private void use(List<Segment> layout, String node, boolean norm) {
            int offset = 0;
            for (Segment s : layout) {
                if (fresh(s)) {
                    RawGroup g = raw.get(s.group());
                    (norm ? g.norms : g.consumers).add(new Use(node, offset, s.spatial()));
                }
                offset += s.features();
            }
        }

        private List<Segment> add(List<Segment> a, List<Segment> b, Shape shape) {
            boolean aligned = a.size() == b.size();
            for (int i = 0; aligned && i < a.size(); i++) {
                aligned = a.get(i).channels() == b.get(i).channels() && a.get(i).spatial() == b.get(i).spatial();
            }
            if (!aligned) {
                a.forEach(s -> fix(s, "it meets differently grouped channels in a residual Add"));
                b.forEach(s -> fix(s, "it meets differently grouped channels in a residual Add"));
                return fixed(shape);
            }
            List<Segment> out = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) {
                Segment x = a.get(i);
                Segment y = b.get(i);
                boolean fx = fresh(x);
                boolean fy = fresh(y);
                if (fx && fy) {
                    union(x.group(), y.group());
                    out.add(x);
                } else {
                    fix(x, "it is added to channels that cannot be pruned");
                    fix(y, "it is added to channels that cannot be pruned");
                    out.add(x.group() >= 0 ? x : y);
                }
            }
            return out;
        }

        private List<Segment> reshape(Node node, List<Segment> in) {
            Shape from = model.shape(node.inputs().get(0));
            Shape to = model.shape(node.name());
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
                if (in.size() == 1 && fresh(in.get(0)) && in.get(0).spatial() == 1
                        && model.consumers(node.inputs().get(0)).size() == 1) {
                    RawGroup g = raw.get(in.get(0).group());
                    if (!g.merged && g.consumers.isEmpty() && g.norms.isEmpty() && g.producers.size() == 1
                            && g.channels % hw == 0) {
                        Producer p = g.producers.get(0);
                        g.producers.set(0, new Producer(p.node(), p.unit() * hw));
                        g.channels /= hw;
                        return List.of(new Segment(in.get(0).group(), g.channels, 1));
                    }
                }
            }
            in.forEach(s -> fix(s, "reshape '" + node.name() + "' mixes its channels"));
            return fixed(to);
        }

        private int find(int g) {
            while (parent.get(g) != g) {
                g = parent.get(g);
            }
            return g;
        }

        private void union(int a, int b) {
            int ra = find(a);
            int rb = find(b);
            raw.get(a).merged = true;
            raw.get(b).merged = true;
            if (ra != rb) {
                parent.set(Math.max(ra, rb), Math.min(ra, rb));
            }
        }

        private void fix(Segment s, String reason) {
            if (s.group() >= 0 && raw.get(s.group()).fixedReason == null) {
                raw.get(s.group()).fixedReason = reason;
            }
        }

        private List<Group> collect() {
            List<Group> out = new ArrayList<>();
            for (int root = 0; root < raw.size(); root++) {
                if (find(root) != root) {
                    continue;
                }
                List<Producer> producers = new ArrayList<>();
                List<Use> norms = new ArrayList<>();
                List<Use> consumers = new ArrayList<>();
                String reason = null;
                for (int g = root; g < raw.size(); g++) {
                    if (find(g) == root) {
                        RawGroup r = raw.get(g);
                        producers.addAll(r.producers);
                        norms.addAll(r.norms);
                        consumers.addAll(r.consumers);
                        reason = reason != null ? reason : r.fixedReason;
                    }
                }
                out.add(new Group(producers.get(0).node(), raw.get(root).channels, producers, norms, consumers,
                        reason));
            }
            return out;
        }
    }
}
