package dev.gancompress.compress.quantize;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionContext;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Layer;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Weights;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Folds every inference-mode BatchNorm2d into the Conv2d, ConvTranspose2d or Linear (+ Reshape to an image) that
 * feeds it: y = gamma (W x + b - mean) / sqrt(var + eps) + beta = (s W) x + s (b - mean) + beta with
 * s = gamma / sqrt(var + eps) per output channel. Exact in real arithmetic, so the fp32 output only changes by float
 * rounding. Quantisation needs this first (Jacob et al. 2018, section 3.2; Krishnamoorthi 2018): the deployed kernel
 * is the folded one, so that is the tensor whose grid must be chosen and trained, and a deployed int8 conv has no
 * BatchNorm after it to absorb its rounding.
 *
 * <p>A BatchNorm is left in place when its input is not such a layer, when that layer's output (or the Reshape's)
 * has another reader that would see the change, when the BatchNorm is the model's output, or when the layer's
 * weight is already quantised (scaling it would move its values off their grid: fold before quantising).
 */
public final class BatchNormFolding implements Compression {
    public static final String NAME = "fold-batchnorm";

    /** No settings: every foldable BatchNorm is folded. */
    public record Config() {
    }

    /** The folded model and, per folded BatchNorm node, the node it went into. */
    public record Folded(Model model, Map<String, String> foldedInto) {
        public Folded {
            foldedInto = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(foldedInto));
        }

        /** "fc_bn -> fc, up1_bn -> up1", or "none". */
        public String describe() {
            return foldedInto.isEmpty() ? "none" : foldedInto.entrySet().stream()
                    .map(e -> e.getKey() + " -> " + e.getValue()).collect(Collectors.joining(", "));
        }
    }

    public static final String METADATA_KEY = "batchnorm_folded";

    private final Config config;

    public BatchNormFolding(Config config) {
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
        Folded folded = fold(model);
        return folded.model().withMetadata(Map.of(METADATA_KEY, folded.describe()));
    }

    /** A copy of {@code model} with every foldable BatchNorm folded away; the input model is untouched. */
    public static Folded fold(Model model) {
        Model copy = model.copy();
        Map<String, Node> byName = new HashMap<>();
        for (Node n : copy.nodes()) {
            byName.put(n.name(), n);
        }
        Map<String, Node> replaced = new HashMap<>();
        Map<String, String> removedReadsFrom = new HashMap<>();
        Map<String, String> foldedInto = new LinkedHashMap<>();
        for (Node n : copy.nodes()) {
            if (!(n.layer() instanceof BatchNorm2d bn) || n.name().equals(copy.output())) {
                continue;
            }
            String input = n.inputs().get(0);
            Node producer = byName.get(input);
            Node reshape = null;
            if (producer != null && producer.layer() instanceof Reshape && soleReader(copy, producer.name(), n)) {
                reshape = producer;
                producer = byName.get(producer.inputs().get(0));
            }
            if (producer == null || replaced.containsKey(producer.name())
                    || !soleReader(copy, producer.name(), reshape != null ? reshape : n)) {
                continue;
            }
            int spatial = reshape == null ? 0 : copy.shape(reshape.name()).size() / bn.channels();
            Layer folded = foldInto(producer.layer(), bn, spatial);
            if (folded == null) {
                continue;
            }
            replaced.put(producer.name(), producer.withLayer(folded));
            removedReadsFrom.put(n.name(), input);
            foldedInto.put(n.name(), producer.name());
        }
        List<Node> nodes = new ArrayList<>();
        for (Node n : copy.nodes()) {
            if (removedReadsFrom.containsKey(n.name())) {
                continue;
            }
            Node node = replaced.getOrDefault(n.name(), n);
            List<String> inputs = node.inputs().stream().map(i -> removedReadsFrom.getOrDefault(i, i)).toList();
            nodes.add(new Node(node.name(), node.layer(), inputs));
        }
        return new Folded(copy.withNodes(nodes), foldedInto);
    }

    /** Whether {@code reader} is the only node reading {@code value}, and the value is not the model output. */
    private static boolean soleReader(Model model, String value, Node reader) {
        List<Node> readers = model.consumers(value);
        return !value.equals(model.output()) && readers.size() == 1 && readers.get(0).name().equals(reader.name());
    }

    /**
     * {@code layer} with {@code bn} folded in, or null when it cannot take it. {@code spatial} is the number of
     * consecutive Linear outputs per BatchNorm channel (the Reshape to [C, H, W] is row-major), 0 when the BatchNorm
     * reads the layer directly (convolutions).
     */
    private static Layer foldInto(Layer layer, BatchNorm2d bn, int spatial) {
        if (layer instanceof Conv2d c && spatial == 0 && c.out() == bn.channels() && fp32(c.weight())) {
            Weights bias = foldedBias(c.bias(), bn, c.out(), 1);
            scale(c.weight(), bn, 0, 1);
            return c.withWeights(c.weight(), bias);
        }
        // the kernel is [in, out, kh, kw]: the BatchNorm's channels run along axis 1
        if (layer instanceof ConvTranspose2d t && spatial == 0 && t.out() == bn.channels() && fp32(t.weight())) {
            Weights bias = foldedBias(t.bias(), bn, t.out(), 1);
            scale(t.weight(), bn, 1, 1);
            return new ConvTranspose2d(t.in(), t.out(), t.kernel(), t.outputPadH(), t.outputPadW(), t.weight(), bias);
        }
        if (layer instanceof Linear l && spatial > 0 && l.out() == bn.channels() * spatial && fp32(l.weight())) {
            Weights bias = foldedBias(l.bias(), bn, l.out(), spatial);
            scale(l.weight(), bn, 0, spatial);
            return new Linear(l.in(), l.out(), l.weight(), bias);
        }
        return null;
    }

    private static boolean fp32(Weights w) {
        return !w.storage().isLossy();
    }

    /** s_c = gamma_c / sqrt(var_c + eps), in double. */
    private static double[] scales(BatchNorm2d bn) {
        double[] s = new double[bn.channels()];
        for (int c = 0; c < s.length; c++) {
            s[c] = bn.gamma().data()[c] / Math.sqrt((double) bn.runningVar().data()[c] + bn.eps());
        }
        return s;
    }

    /** Multiplies every entry of output unit o (along {@code axis}) by s[o / spatial]. */
    private static void scale(Weights w, BatchNorm2d bn, int axis, int spatial) {
        double[] s = scales(bn);
        int units = w.dim(axis);
        int inner = 1;
        for (int d = axis + 1; d < w.rank(); d++) {
            inner *= w.dim(d);
        }
        float[] data = w.data();
        for (int i = 0; i < data.length; i++) {
            int unit = (i / inner) % units;
            data[i] = (float) (data[i] * s[unit / spatial]);
        }
    }

    /** b'_o = s (b_o - mean) + beta for the BatchNorm channel of output unit o; a missing bias counts as 0. */
    private static Weights foldedBias(Weights bias, BatchNorm2d bn, int units, int spatial) {
        if (bias != null && bias.storage().isLossy()) {
            throw new GanCompressException("fold-batchnorm: a quantised bias cannot absorb a BatchNorm; fold before "
                    + "quantising");
        }
        double[] s = scales(bn);
        float[] out = new float[units];
        for (int o = 0; o < units; o++) {
            int c = o / spatial;
            double b = bias == null ? 0 : bias.data()[o];
            out[o] = (float) (s[c] * (b - bn.runningMean().data()[c]) + bn.beta().data()[c]);
        }
        return new Weights(new int[] {units}, out);
    }
}
