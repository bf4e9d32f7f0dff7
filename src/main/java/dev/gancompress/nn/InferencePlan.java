package dev.gancompress.nn;

import dev.gancompress.model.Activation;
import dev.gancompress.model.ActivationQuantization;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.Layer;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernels of a model compiled for inference (see {@link InferenceNetwork}) and their activation buffers, at
 * one batch size at a time. Each Linear, Conv2d or ConvTranspose2d is fused with what follows it when that value
 * has no other reader: a Reshape to [C, H, W] (after a Linear), an evaluation-mode BatchNorm (its scale folded into
 * the weights, its shift into the bias) and an activation (applied in the GEMM epilogue or the col2im pass).
 * Everything else runs on {@link Network}'s kernels. A value carrying an int8 activation grid ends a fusion there,
 * because the grid has to see it. Not thread-safe: {@link InferenceNetwork} gives each thread its own plan.
 */
final class InferencePlan {
    /** One kernel of the plan: the node names it covers, its input values and its output value. */
    private record Step(String name, Kernel kernel, int[] inputs, int output) {
    }

    private final Model model;
    private final Map<String, Integer> valueIndex = new HashMap<>();
    private final Shape[] valueShapes;
    private final ActivationQuantization[] valueGrids;
    private final List<Step> steps = new ArrayList<>();
    private final int outputIndex;
    private int batch = -1;
    private float[][] values;
    private long[] stepNanos;

    InferencePlan(Model model, WeightValues weights) {
        this.model = model;
        int count = model.inputs().size() + model.nodes().size();
        valueShapes = new Shape[count];
        int v = 0;
        for (Input in : model.inputs()) {
            valueIndex.put(in.name(), v);
            valueShapes[v++] = in.shape();
        }
        for (Node node : model.nodes()) {
            valueIndex.put(node.name(), v);
            valueShapes[v++] = model.shape(node.name());
        }
        valueGrids = new ActivationQuantization[count];
        model.quantizedActivations().forEach((value, grid) -> valueGrids[valueIndex.get(value)] = grid);
        outputIndex = valueIndex.get(model.output());
        boolean[] fused = new boolean[model.nodes().size()];
        for (int k = 0; k < model.nodes().size(); k++) {
            if (fused[k]) {
                continue;
            }
            Node node = model.nodes().get(k);
            List<Node> chain = chain(node);
            for (Node n : chain) {
                fused[model.nodes().indexOf(n)] = true;
            }
            Node last = chain.get(chain.size() - 1);
            Kernel kernel = chain.size() == 1 && !isProducer(node.layer())
                    ? Network.kernelFor(model, node, weights, (n, role) -> null)
                    : fusedKernel(chain, weights);
            StringBuilder name = new StringBuilder(node.name());
            for (int i = 1; i < chain.size(); i++) {
                name.append('+').append(chain.get(i).name());
            }
            steps.add(new Step(name.toString(), kernel,
                    node.inputs().stream().mapToInt(valueIndex::get).toArray(), valueIndex.get(last.name())));
        }
    }

    /**
     * The layers the fused kernels implement. Grouped, dilated and asymmetrically padded convolutions (imported
     * models) keep the general kernels: the fused ones pack dense, undilated, symmetric windows only.
     */
    private static boolean isProducer(Layer layer) {
        if (layer instanceof Conv2d c) {
            return c.groups() == 1 && !c.kernel().isDilated() && c.kernel().isSymmetric();
        }
        if (layer instanceof ConvTranspose2d c) {
            return !c.kernel().isDilated() && c.kernel().isSymmetric();
        }
        return layer instanceof Linear;
    }

    /** The node, and after a producer the Reshape / BatchNorm / activation that can be fused into it. */
    private List<Node> chain(Node node) {
        List<Node> chain = new ArrayList<>(List.of(node));
        if (!isProducer(node.layer())) {
            return chain;
        }
        Node next = soleReader(node);
        if (node.layer() instanceof Linear && next != null && next.layer() instanceof Reshape
                && model.shape(next.name()).isImage()) {
            chain.add(next);
            next = soleReader(next);
        }
        if (next != null && next.layer() instanceof BatchNorm2d
                && (!(node.layer() instanceof Linear) || chain.size() == 2)) {
            chain.add(next);
            next = soleReader(next);
        }
        if (next != null && next.layer() instanceof Activation) {
            chain.add(next);
        }
        return chain;
    }

    /** The one node reading this node's value, when fusing it away is allowed; else null. */
    private Node soleReader(Node node) {
        if (node.name().equals(model.output()) || valueGrids[valueIndex.get(node.name())] != null) {
            return null;
        }
        List<Node> readers = model.consumers(node.name());
        return readers.size() == 1 && readers.get(0).inputs().size() == 1 ? readers.get(0) : null;
    }

    private Kernel fusedKernel(List<Node> chain, WeightValues weights) {
        Node producer = chain.get(0);
        BatchNorm2d bn = null;
        Activation act = null;
        for (Node n : chain.subList(1, chain.size())) {
            if (n.layer() instanceof BatchNorm2d b) {
                bn = b;
            } else if (n.layer() instanceof Activation a) {
                act = a;
            }
        }
        ChannelAffine affine = bn == null ? null : ChannelAffine.of(bn, weights);
        Shape in = model.shape(producer.inputs().get(0));
        Shape out = model.shape(chain.get(chain.size() - 1).name());
        Layer layer = producer.layer();
        if (layer instanceof Linear l) {
            int spatial = out.isImage() ? out.height() * out.width() : 1;
            float[] w = scaledRows(weights.of(l.weight()), l.out(), l.in(), affine, spatial);
            float[] bias = ChannelAffine.fusedBias(l.bias() == null ? null : weights.of(l.bias()), affine, l.out(),
                    spatial);
            return new FusedLinear(l.in(), l.out(), w, bias, act, spatial);
        }
        if (layer instanceof Conv2d c) {
            int perRow = c.in() * c.kernel().area();
            float[] w = scaledRows(weights.of(c.weight()), c.out(), perRow, affine, 1);
            float[] bias = ChannelAffine.fusedBias(c.bias() == null ? null : weights.of(c.bias()), affine, c.out(), 1);
            return new FusedConv2d(c.in(), c.out(), c.kernel(), in, out, w, bias, act);
        }
        ConvTranspose2d c = (ConvTranspose2d) layer;
        // weight [in][out][kh][kw]: the BatchNorm channel is the second index
        float[] w = weights.of(c.weight()).clone();
        if (affine != null) {
            int area = c.kernel().area();
            for (int i = 0; i < c.in(); i++) {
                for (int o = 0; o < c.out(); o++) {
                    float s = affine.scale()[o];
                    for (int t = 0, p = (i * c.out() + o) * area; t < area; t++, p++) {
                        w[p] *= s;
                    }
                }
            }
        }
        float[] bias = ChannelAffine.fusedBias(c.bias() == null ? null : weights.of(c.bias()), affine, c.out(), 1);
        return new FusedConvTranspose2d(c.in(), c.out(), c.kernel(), in.height(), in.width(), out.height(),
                out.width(), w, bias, act);
    }

    /** A copy of a [rows][perRow] weight with row r scaled by the BatchNorm scale of channel r / rowsPerChannel. */
    private static float[] scaledRows(float[] weight, int rows, int perRow, ChannelAffine affine, int rowsPerChannel) {
        float[] w = weight.clone();
        if (affine != null) {
            for (int r = 0; r < rows; r++) {
                float s = affine.scale()[r / rowsPerChannel];
                for (int i = r * perRow; i < (r + 1) * perRow; i++) {
                    w[i] *= s;
                }
            }
        }
        return w;
    }

    private void ensureBatch(int n) {
        if (n == batch) {
            return;
        }
        batch = n;
        values = new float[valueShapes.length][];
        for (Input in : model.inputs()) {
            int v = valueIndex.get(in.name());
            values[v] = new float[valueShapes[v].size() * n];
        }
        for (Step s : steps) {
            values[s.output()] = new float[valueShapes[s.output()].size() * n];
            s.kernel().resize(n);
        }
    }

    /** Runs the model on batch-first inputs by input name, already checked against the model's inputs. */
    Tensor forward(Map<String, Tensor> inputs, int n) {
        ensureBatch(n);
        for (Input in : model.inputs()) {
            int v = valueIndex.get(in.name());
            Layout.toInternal(inputs.get(in.name()).data(), in.shape(), n, values[v]);
            quantize(v);
        }
        float[][] in = new float[4][];
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            long t0 = stepNanos == null ? 0 : System.nanoTime();
            if (in.length != s.inputs().length) {
                in = new float[s.inputs().length][];
            }
            for (int j = 0; j < in.length; j++) {
                in[j] = values[s.inputs()[j]];
            }
            s.kernel().forward(in, values[s.output()], n, false);
            quantize(s.output());
            if (stepNanos != null) {
                stepNanos[i] += System.nanoTime() - t0;
            }
        }
        Shape os = valueShapes[outputIndex];
        float[] out = new float[os.size() * n];
        Layout.toPublic(values[outputIndex], os, n, out);
        return new Tensor(Network.batchShape(os, n), out);
    }

    private void quantize(int v) {
        if (valueGrids[v] != null) {
            valueGrids[v].fakeQuantize(values[v], 0, values[v].length);
        }
    }


    /** The kernels of the plan by the node names they cover ("up1+up1_bn+up1_act"), in order. */
    List<String> plan() {
        return steps.stream().map(Step::name).toList();
    }

    /** Starts (or restarts) per-step timing of forward passes. */
    void startProfiling() {
        stepNanos = new long[steps.size()];
    }

    /** Milliseconds per step since {@link #startProfiling()}, by {@link #plan()} name. */
    Map<String, Double> profile() {
        Map<String, Double> map = new LinkedHashMap<>();
        for (int i = 0; stepNanos != null && i < steps.size(); i++) {
            map.put(steps.get(i).name(), stepNanos[i] / 1e6);
        }
        return map;
    }
}
