package dev.gancompress.compress.prune;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.prune.ChannelDependencyGraph.Group;
import dev.gancompress.compress.prune.ChannelDependencyGraph.Producer;
import dev.gancompress.compress.prune.ChannelDependencyGraph.Use;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.InstanceNorm2d;
import dev.gancompress.model.Layer;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.model.Weights;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a channel selection to a model. {@link #removeChannels} physically cuts the removed channels out of
 * every tensor of their group (producer rows and biases, normalisation parameters and statistics, consumer input
 * channels or features) and returns a smaller model; {@link #zeroChannels} keeps the shapes and silences the same
 * channels instead (producer rows, biases, normalisation scales and shifts set to zero), the masked equivalent
 * that the smaller model must reproduce when the removed channels output zero after their activation.
 */
public final class ChannelSurgery {
    private ChannelSurgery() {
    }

    /** Rows, features or channels to drop per node: outputs of producers, inputs of norms and consumers. */
    private record Cuts(Map<String, BitSet> outputs, Map<String, BitSet> inputs) {
        BitSet out(String node) {
            return outputs.get(node);
        }

        BitSet in(String node) {
            return inputs.get(node);
        }
    }

    /**
     * A smaller copy of {@code model}: for each group named in {@code keep}, only the listed channel indices
     * (ascending) remain. Groups not named keep all channels. Pruning masks of surviving weights are kept.
     */
    public static Model removeChannels(Model model, ChannelDependencyGraph graph, Map<String, int[]> keep) {
        Cuts cuts = cuts(graph, keep);
        Map<String, Shape> shapes = new HashMap<>();
        for (Input in : model.inputs()) {
            shapes.put(in.name(), in.shape());
        }
        List<Node> nodes = new ArrayList<>();
        for (Node node : model.nodes()) {
            List<Shape> inShapes = node.inputs().stream().map(shapes::get).toList();
            Layer layer = cut(node, cuts, inShapes.get(0));
            nodes.add(node.withLayer(layer));
            shapes.put(node.name(), layer.outputShape(inShapes));
        }
        return model.withNodes(nodes);
    }

    /** A same-shaped copy whose removed channels are silenced: producer rows and biases, norm scales and shifts 0. */
    public static Model zeroChannels(Model model, ChannelDependencyGraph graph, Map<String, int[]> keep) {
        Model copy = model.copy();
        Cuts cuts = cuts(graph, keep);
        for (Node node : copy.nodes()) {
            Layer l = node.layer();
            BitSet out = cuts.out(node.name());
            BitSet in = cuts.in(node.name());
            if (l instanceof Conv2d c && c.isDepthwise() && in != null) {
                zero(c.weight(), 0, in); // filter c reads and writes channel c
                zero(c.bias(), 0, in);
            } else if (l instanceof Conv2d c && out != null) {
                zero(c.weight(), 0, out);
                zero(c.bias(), 0, out);
            } else if (l instanceof ConvTranspose2d c && out != null) {
                zero(c.weight(), 1, out);
                zero(c.bias(), 0, out);
            } else if (l instanceof Linear c && out != null) {
                zero(c.weight(), 0, out);
                zero(c.bias(), 0, out);
            } else if (l instanceof BatchNorm2d b && in != null) {
                zero(b.gamma(), 0, in);
                zero(b.beta(), 0, in);
            } else if (l instanceof InstanceNorm2d b && in != null) {
                zero(b.gamma(), 0, in);
                zero(b.beta(), 0, in);
            }
        }
        return copy;
    }

    private static Cuts cuts(ChannelDependencyGraph graph, Map<String, int[]> keep) {
        Map<String, BitSet> outputs = new HashMap<>();
        Map<String, BitSet> inputs = new HashMap<>();
        for (Map.Entry<String, int[]> e : keep.entrySet()) {
            Group g = graph.group(e.getKey());
            if (g == null) {
                throw new GanCompressException("no channel group named '" + e.getKey() + "'");
            }
            if (!g.prunable()) {
                throw new GanCompressException("channels of layer '" + g.name() + "' cannot be pruned: "
                        + g.fixedReason());
            }
            BitSet removed = removed(g, e.getValue());
            for (Producer p : g.producers()) {
                mark(outputs, p.node(), removed, 0, p.unit());
            }
            for (Use u : g.norms()) {
                mark(inputs, u.node(), removed, u.offset(), u.spatial());
            }
            for (Use u : g.consumers()) {
                mark(inputs, u.node(), removed, u.offset(), u.spatial());
            }
        }
        return new Cuts(outputs, inputs);
    }

    private static BitSet removed(Group g, int[] kept) {
        BitSet removed = new BitSet();
        removed.set(0, g.channels());
        int previous = -1;
        for (int c : kept) {
            if (c <= previous || c >= g.channels()) {
                throw new IllegalArgumentException("kept channels of '" + g.name() + "' must be ascending in [0, "
                        + g.channels() + ")");
            }
            removed.clear(c);
            previous = c;
        }
        if (kept.length == 0) {
            throw new GanCompressException("layer '" + g.name() + "' would keep 0 of its " + g.channels()
                    + " channels; at least one must remain");
        }
        return removed;
    }

    private static void mark(Map<String, BitSet> map, String node, BitSet removedChannels, int offset, int span) {
        BitSet bits = map.computeIfAbsent(node, k -> new BitSet());
        for (int c = removedChannels.nextSetBit(0); c >= 0; c = removedChannels.nextSetBit(c + 1)) {
            bits.set(offset + c * span, offset + (c + 1) * span);
        }
    }

    private static Layer cut(Node node, Cuts cuts, Shape input) {
        Layer l = node.layer();
        BitSet out = cuts.out(node.name());
        BitSet in = cuts.in(node.name());
        if (l instanceof Linear c) {
            Weights w = drop(drop(c.weight(), 0, out), 1, in);
            return new Linear(w.dim(1), w.dim(0), w, drop(c.bias(), 0, out));
        } else if (l instanceof Conv2d c && c.isDepthwise()) {
            Weights w = drop(c.weight(), 0, in); // [C, 1, kh, kw]: filter c reads and writes channel c
            return new Conv2d(w.dim(0), w.dim(0), c.kernel(), w, drop(c.bias(), 0, in), w.dim(0));
        } else if (l instanceof Conv2d c) {
            if (c.isGrouped() && ((in != null && !in.isEmpty()) || (out != null && !out.isEmpty()))) {
                // the dependency graph fixes a grouped convolution's channels, so no cut may reach it
                throw new IllegalStateException("grouped convolution '" + node.name() + "' cannot be cut");
            }
            Weights w = drop(drop(c.weight(), 0, out), 1, in);
            return new Conv2d(w.dim(1) * c.groups(), w.dim(0), c.kernel(), w, drop(c.bias(), 0, out), c.groups());
        } else if (l instanceof ConvTranspose2d c) {
            Weights w = drop(drop(c.weight(), 1, out), 0, in);
            return new ConvTranspose2d(w.dim(0), w.dim(1), c.kernel(), c.outputPadH(), c.outputPadW(), w,
                    drop(c.bias(), 0, out));
        } else if (l instanceof BatchNorm2d b) {
            Weights gamma = drop(b.gamma(), 0, in);
            return new BatchNorm2d(gamma.dim(0), b.eps(), b.momentum(), gamma, drop(b.beta(), 0, in),
                    drop(b.runningMean(), 0, in), drop(b.runningVar(), 0, in));
        } else if (l instanceof InstanceNorm2d b) {
            Weights gamma = drop(b.gamma(), 0, in);
            return new InstanceNorm2d(gamma.dim(0), b.eps(), gamma, drop(b.beta(), 0, in));
        } else if (l instanceof Reshape r) {
            Shape t = r.target();
            if (t.rank() == 3) {
                return new Reshape(Shape.of(input.size() / (t.height() * t.width()), t.height(), t.width()));
            }
            return t.rank() == 1 ? new Reshape(Shape.of(input.size())) : r;
        }
        return l.copy();
    }

    /** A copy of {@code w} without the indices {@code removed} along {@code axis} (data and mask alike). */
    static Weights drop(Weights w, int axis, BitSet removed) {
        if (w == null) {
            return null;
        }
        if (removed == null || removed.isEmpty()) {
            return w.copy();
        }
        int[] shape = w.shape();
        int n = shape[axis];
        if (removed.length() > n) {
            throw new IllegalStateException("cut index " + (removed.length() - 1) + " outside axis " + axis + " of "
                    + w);
        }
        int[] keep = new int[n - removed.cardinality()];
        for (int i = 0, k = 0; i < n; i++) {
            if (!removed.get(i)) {
                keep[k++] = i;
            }
        }
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= shape[i];
        }
        int inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        shape[axis] = keep.length;
        Weights result = new Weights(shape, gather(w.data(), outer, n, inner, keep));
        if (w.mask() != null) {
            result.setMask(gather(w.mask(), outer, n, inner, keep));
        }
        return result;
    }

    private static float[] gather(float[] src, int outer, int n, int inner, int[] keep) {
        float[] dst = new float[outer * keep.length * inner];
        for (int o = 0; o < outer; o++) {
            for (int k = 0; k < keep.length; k++) {
                System.arraycopy(src, (o * n + keep[k]) * inner, dst, (o * keep.length + k) * inner, inner);
            }
        }
        return dst;
    }

    private static void zero(Weights w, int axis, BitSet indices) {
        if (w == null) {
            return;
        }
        int[] shape = w.shape();
        int n = shape[axis];
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= shape[i];
        }
        int inner = w.size() / (outer * n);
        float[] d = w.data();
        for (int o = 0; o < outer; o++) {
            for (int i = indices.nextSetBit(0); i >= 0 && i < n; i = indices.nextSetBit(i + 1)) {
                java.util.Arrays.fill(d, (o * n + i) * inner, (o * n + i + 1) * inner, 0f);
            }
        }
    }
}
