package dev.gancompress.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites the patterns that exporters emit around what gancompress's IR expresses as one layer, before the
 * graph is translated: so the decoder maps one operator to one layer and need not know each exporter.
 * Shape arithmetic (PyTorch's Shape -> Gather -> Unsqueeze -> Concat -> Reshape) is folded during the translation
 * instead ({@link ConstantFolding}), because it needs the shapes the translation computes.
 *
 * <ul>
 *   <li>Dropout (inference) becomes Identity, which the translation aliases away;</li>
 *   <li>MatMul by a constant matrix, and the Add of a constant that follows it (tf2onnx's dense layer), becomes
 *       one Gemm;</li>
 *   <li>a zero Pad whose only consumer is a Conv moves into the Conv's pads when the result stays symmetric;</li>
 *   <li>tf2onnx's NHWC wrapping: a Transpose pair that cancels is removed; a Transpose NHWC -> NCHW right after a
 *       graph input makes that input NCHW; a Transpose NCHW -> NHWC that produces the graph output makes the output
 *       NCHW; a Reshape of a dense layer to [H, W, C] followed by that Transpose permutes the dense layer's output
 *       features instead, so a plain Reshape to [C, H, W] gives the same tensor. The two boundary folds change the
 *       model's layout: they are listed in {@link Result#folded()} for the user.</li>
 * </ul>
 */
final class GraphSimplifier {
    /** The simplified graph and one line per rewrite, for the import report. */
    record Result(OnnxGraph graph, List<String> folded) {
    }

    private static final long[] TO_NCHW = {0, 3, 1, 2};
    private static final long[] TO_NHWC = {0, 2, 3, 1};

    private final List<OnnxNode> nodes;
    private final Map<String, OnnxTensor> initializers = new LinkedHashMap<>();
    private final List<OnnxValueInfo> inputs;
    private final List<OnnxValueInfo> outputs;
    private final List<String> folded = new ArrayList<>();
    private final String name;

    private GraphSimplifier(OnnxGraph graph) {
        this.nodes = new ArrayList<>(graph.nodes());
        graph.initializers().forEach(t -> initializers.put(t.name(), t));
        this.inputs = new ArrayList<>(graph.inputs());
        this.outputs = new ArrayList<>(graph.outputs());
        this.name = graph.name();
    }

    static Result simplify(OnnxGraph graph) {
        GraphSimplifier s = new GraphSimplifier(graph);
        s.dropoutToIdentity();
        s.matMulAddToGemm();
        s.zeroPadIntoConv();
        s.transposes();
        return new Result(new OnnxGraph(s.name, s.nodes, new ArrayList<>(s.initializers.values()), s.inputs,
                s.outputs), List.copyOf(s.folded));
    }

    private void dropoutToIdentity() {
        for (int i = 0; i < nodes.size(); i++) {
            OnnxNode n = nodes.get(i);
            if (n.opType().equals("Dropout") && (n.outputs().size() < 2 || consumers(n.outputs().get(1)) == 0)
                    && inferenceMode(n)) {
                nodes.set(i, new OnnxNode(n.name(), "Identity", n.domain(), List.of(n.input(0)),
                        List.of(n.outputs().get(0)), List.of()));
                folded.add("Dropout '" + label(n) + "' removed (inference)");
            }
        }
    }

    /** Dropout is the identity unless its training_mode input (opset 12+) is true or not a constant. */
    private boolean inferenceMode(OnnxNode dropout) {
        if (dropout.input(2).isEmpty()) {
            return true;
        }
        OnnxTensor mode = constant(dropout.input(2));
        return mode != null && mode.ints() != null && mode.ints().length == 1 && mode.ints()[0] == 0;
    }

    private void matMulAddToGemm() {
        for (int i = 0; i < nodes.size(); i++) {
            OnnxNode m = nodes.get(i);
            if (!m.opType().equals("MatMul") || m.inputs().size() != 2) {
                continue;
            }
            OnnxTensor b = constant(m.input(1));
            if (b == null || b.rank() != 2 || constant(m.input(0)) != null) {
                continue;
            }
            String y = m.outputs().get(0);
            OnnxNode add = onlyConsumer(y);
            List<String> gemmInputs = new ArrayList<>(List.of(m.input(0), m.input(1)));
            String out = y;
            if (add != null && add.opType().equals("Add") && !isGraphOutput(y)) {
                String other = add.input(0).equals(y) ? add.input(1) : add.input(0);
                OnnxTensor c = constant(other);
                if (c != null && c.floats() != null && c.size() == b.dims()[1]) {
                    gemmInputs.add(other);
                    out = add.outputs().get(0);
                    nodes.remove(add);
                    folded.add("MatMul '" + label(m) + "' + Add '" + label(add) + "' -> Gemm");
                }
            }
            if (gemmInputs.size() == 2) {
                folded.add("MatMul '" + label(m) + "' by a constant -> Gemm");
            }
            nodes.set(i, new OnnxNode(m.name(), "Gemm", m.domain(), gemmInputs, List.of(out), List.of()));
        }
    }

    private void zeroPadIntoConv() {
        for (int i = 0; i < nodes.size(); i++) {
            OnnxNode p = nodes.get(i);
            if (!p.opType().equals("Pad")) {
                continue;
            }
            String mode = p.attribute("mode") == null ? "constant" : p.attribute("mode").s();
            long[] pads = padsOf(p);
            OnnxNode conv = onlyConsumer(p.outputs().get(0));
            if (!mode.equals("constant") || pads == null || pads.length != 8 || !zeroFill(p) || conv == null
                    || !conv.opType().equals("Conv") || !conv.input(0).equals(p.outputs().get(0))
                    || isGraphOutput(p.outputs().get(0)) || pads[0] != 0 || pads[1] != 0 || pads[4] != 0
                    || pads[5] != 0) {
                continue;
            }
            OnnxAttribute autoPad = conv.attribute("auto_pad");
            if (autoPad != null && !autoPad.s().equals("NOTSET")) {
                continue;
            }
            OnnxAttribute convPadsAttr = conv.attribute("pads");
            long[] cp = convPadsAttr == null ? new long[4] : convPadsAttr.ints();
            if (cp.length != 4) {
                continue;
            }
            long[] merged = {cp[0] + pads[2], cp[1] + pads[3], cp[2] + pads[6], cp[3] + pads[7]};
            if (merged[0] != merged[2] || merged[1] != merged[3]) {
                continue; // asymmetric: stays a Pad layer
            }
            List<OnnxAttribute> attrs = new ArrayList<>();
            for (OnnxAttribute a : conv.attributes()) {
                if (!a.name().equals("pads")) {
                    attrs.add(a);
                }
            }
            attrs.add(OnnxAttribute.ofInts("pads", merged));
            List<String> convInputs = new ArrayList<>(conv.inputs());
            convInputs.set(0, p.input(0));
            nodes.set(nodes.indexOf(conv), new OnnxNode(conv.name(), conv.opType(), conv.domain(), convInputs,
                    conv.outputs(), attrs));
            nodes.remove(i);
            i--;
            folded.add("zero Pad '" + label(p) + "' folded into the padding of Conv '" + label(conv) + "'");
        }
    }

    private void transposes() {
        for (int i = 0; i < nodes.size(); i++) {
            OnnxNode t = nodes.get(i);
            if (!t.opType().equals("Transpose")) {
                continue;
            }
            long[] perm = t.attribute("perm") == null ? null : t.attribute("perm").ints();
            String x = t.input(0);
            String y = t.outputs().get(0);
            OnnxNode next = onlyConsumer(y);
            if (next != null && next.opType().equals("Transpose") && next.attribute("perm") != null && perm != null
                    && cancels(perm, next.attribute("perm").ints()) && !isGraphOutput(y)) {
                nodes.set(nodes.indexOf(next), identity(next, x));
                nodes.remove(i);
                i = -1;
                folded.add("Transpose pair '" + label(t) + "', '" + label(next) + "' cancels");
                continue;
            }
            if (!Arrays.equals(perm, TO_NCHW) && !Arrays.equals(perm, TO_NHWC)) {
                continue;
            }
            int in = graphInput(x);
            if (Arrays.equals(perm, TO_NCHW) && in >= 0 && consumers(x) == 1 && inputs.get(in).dims().size() == 4) {
                OnnxValueInfo v = inputs.get(in);
                List<OnnxValueInfo.Dimension> d = v.dims();
                inputs.set(in, new OnnxValueInfo(v.name(), v.elemType(), List.of(d.get(0), d.get(3), d.get(1),
                        d.get(2)), v.denotation()));
                nodes.set(i, identity(t, x));
                folded.add("graph input '" + x + "' was NHWC " + d + "; the imported model takes it NCHW (Transpose '"
                        + label(t) + "' folded)");
                continue;
            }
            int out = graphOutput(y);
            if (Arrays.equals(perm, TO_NHWC) && out >= 0) {
                OnnxValueInfo v = outputs.get(out);
                List<OnnxValueInfo.Dimension> d = v.dims();
                if (d.size() == 4) {
                    outputs.set(out, new OnnxValueInfo(v.name(), v.elemType(), List.of(d.get(0), d.get(3), d.get(1),
                            d.get(2)), v.denotation()));
                }
                nodes.set(i, identity(t, x));
                folded.add("graph output '" + y + "' was NHWC; the imported model writes it NCHW (Transpose '"
                        + label(t) + "' folded)");
                continue;
            }
            if (Arrays.equals(perm, TO_NCHW) && reshapeOfDenseToNchw(i, t)) {
                i = -1;
            }
        }
    }

    /** Reshape(Gemm(x), [b, H, W, C]) -> Transpose(0, 3, 1, 2) becomes Reshape(Gemm'(x), [b, C, H, W]). */
    private boolean reshapeOfDenseToNchw(int transposeIndex, OnnxNode t) {
        OnnxNode reshape = producer(t.input(0));
        if (reshape == null || !reshape.opType().equals("Reshape") || consumers(t.input(0)) != 1) {
            return false;
        }
        OnnxTensor spec = constant(reshape.input(1));
        OnnxNode gemm = producer(reshape.input(0));
        if (spec == null || spec.longs() == null || spec.longs().length != 4 || gemm == null
                || !gemm.opType().equals("Gemm") || consumers(reshape.input(0)) != 1) {
            return false;
        }
        long[] s = spec.longs();
        if ((s[0] != -1 && s[0] != 0) || s[1] <= 0 || s[2] <= 0 || s[3] <= 0) {
            return false;
        }
        OnnxAttribute transB = gemm.attribute("transB");
        boolean bIsOutIn = transB != null && transB.i() == 1;
        OnnxTensor b = constant(gemm.input(1));
        OnnxTensor c = gemm.input(2).isEmpty() ? null : constant(gemm.input(2));
        int h = (int) s[1];
        int w = (int) s[2];
        int ch = (int) s[3];
        int features = h * w * ch;
        if (b == null || b.floats() == null || b.rank() != 2 || b.dims()[bIsOutIn ? 0 : 1] != features
                || (c == null) != gemm.input(2).isEmpty() || (c != null && (c.floats() == null
                || c.size() != features))) {
            return false;
        }
        // New feature (k, y, x) in NCHW order reads old feature (y, x, k) in NHWC order.
        int[] from = new int[features];
        for (int k = 0; k < ch; k++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    from[(k * h + y) * w + x] = (y * w + x) * ch + k;
                }
            }
        }
        int in = (int) b.dims()[bIsOutIn ? 1 : 0];
        float[] src = b.floats();
        float[] dst = new float[src.length];
        for (int f = 0; f < features; f++) {
            for (int i = 0; i < in; i++) {
                if (bIsOutIn) {
                    dst[f * in + i] = src[from[f] * in + i];
                } else {
                    dst[i * features + f] = src[i * features + from[f]];
                }
            }
        }
        String bName = b.name() + ".nchw";
        initializers.put(bName, new OnnxTensor(bName, OnnxTensor.FLOAT, b.dims(), dst, null));
        List<String> gemmInputs = new ArrayList<>(gemm.inputs());
        gemmInputs.set(1, bName);
        if (c != null) {
            float[] cd = new float[features];
            for (int f = 0; f < features; f++) {
                cd[f] = c.floats()[from[f]];
            }
            String cName = c.name() + ".nchw";
            initializers.put(cName, new OnnxTensor(cName, OnnxTensor.FLOAT, c.dims(), cd, null));
            gemmInputs.set(2, cName);
        }
        String specName = reshape.input(1) + ".nchw";
        initializers.put(specName, OnnxTensor.ofLongs(specName, new long[] {4}, new long[] {s[0], ch, h, w}));
        nodes.set(nodes.indexOf(gemm), new OnnxNode(gemm.name(), gemm.opType(), gemm.domain(), gemmInputs,
                gemm.outputs(), gemm.attributes()));
        nodes.set(nodes.indexOf(reshape), new OnnxNode(reshape.name(), "Reshape", reshape.domain(),
                List.of(reshape.input(0), specName), reshape.outputs(), List.of()));
        nodes.set(transposeIndex, identity(t, t.input(0)));
        folded.add("Reshape '" + label(reshape) + "' to NHWC + Transpose '" + label(t) + "': the output features of '"
                + label(gemm) + "' permuted to NCHW order");
        return true;
    }

    private static boolean cancels(long[] p, long[] q) {
        if (p.length != q.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (q[i] < 0 || q[i] >= p.length || p[(int) q[i]] != i) {
                return false;
            }
        }
        return true;
    }

    private static OnnxNode identity(OnnxNode n, String input) {
        return new OnnxNode(n.name(), "Identity", "", List.of(input), List.of(n.outputs().get(0)), List.of());
    }

    private long[] padsOf(OnnxNode p) {
        if (p.attribute("pads") != null) {
            return p.attribute("pads").ints();
        }
        OnnxTensor t = constant(p.input(1));
        return t == null || !p.input(3).isEmpty() ? null : t.longs();
    }

    private boolean zeroFill(OnnxNode p) {
        if (p.attribute("value") != null && p.attribute("value").f() != 0f) {
            return false;
        }
        if (p.input(2).isEmpty()) {
            return true;
        }
        OnnxTensor v = constant(p.input(2));
        return v != null && v.floats() != null && v.floats().length == 1 && v.floats()[0] == 0f;
    }

    private OnnxTensor constant(String value) {
        if (value.isEmpty()) {
            return null;
        }
        OnnxTensor t = initializers.get(value);
        if (t != null) {
            return t;
        }
        OnnxNode p = producer(value);
        if (p != null && p.opType().equals("Constant") && p.attribute("value") != null) {
            return p.attribute("value").t();
        }
        return null;
    }

    private OnnxNode producer(String value) {
        for (OnnxNode n : nodes) {
            if (n.outputs().contains(value)) {
                return n;
            }
        }
        return null;
    }

    private int consumers(String value) {
        int count = 0;
        for (OnnxNode n : nodes) {
            for (String in : n.inputs()) {
                if (in.equals(value)) {
                    count++;
                }
            }
        }
        return count + (isGraphOutput(value) ? 1 : 0);
    }

    private OnnxNode onlyConsumer(String value) {
        if (consumers(value) != 1) {
            return null;
        }
        for (OnnxNode n : nodes) {
            if (n.inputs().contains(value)) {
                return n;
            }
        }
        return null;
    }

    private boolean isGraphOutput(String value) {
        return graphOutput(value) >= 0;
    }

    private int graphOutput(String value) {
        for (int i = 0; i < outputs.size(); i++) {
            if (outputs.get(i).name().equals(value)) {
                return i;
            }
        }
        return -1;
    }

    private int graphInput(String value) {
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).name().equals(value)) {
                return i;
            }
        }
        return -1;
    }

    private static String label(OnnxNode n) {
        return n.name().isEmpty() ? n.outputs().get(0) : n.name();
    }
}
