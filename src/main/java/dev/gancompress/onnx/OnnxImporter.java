package dev.gancompress.onnx;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.ActivationQuantization;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.Weights;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an ONNX file into a {@link Model}: the exact inverse of {@link OnnxExporter} (same names, shapes, metadata,
 * bit-identical weights and their storage descriptions, from DequantizeLinear and Cast of constants:
 * {@link QdqWeights}; activation grids from QuantizeLinear/DequantizeLinear pairs and ConvTransposes from their
 * sub-pixel form: {@link ActivationQdq}, {@link SubPixelConvTranspose}), and tolerant of the usual shapes of other exporters (Identity nodes, Constant
 * nodes, Flatten, initializers repeated as graph inputs, a fixed batch size). Anything else fails with a
 * {@link GanCompressException} naming the file, the node and the operator; so does a model with a NaN or infinite
 * weight ({@link FiniteWeights}).
 *
 * <p>Input kinds: an int64 [N] input is a class LABEL (its class count is the row count of the embedding table
 * that consumes it); a float input is an IMAGE when its type denotation says so, a LATENT when it says TENSOR,
 * and otherwise an IMAGE if it is [N, C, H, W] with H or W above 1.
 */
public final class OnnxImporter {
    private OnnxImporter() {
    }

    /** Reads a model file; a model with a NaN or infinite weight is refused ({@link FiniteWeights}). */
    public static Model read(Path file) {
        return FiniteWeights.require(readForInspection(file), file.toString());
    }

    /**
     * Reads a model file without the finite-weights check, for showing what a file holds ({@code info}); anything
     * that computes with the model uses {@link #read}.
     */
    public static Model readForInspection(Path file) {
        return importFile(file).model();
    }

    /** A model imported from another tool's file, and one line per rewrite the import made (for the user). */
    public record Imported(Model model, List<String> folded) {
        public Imported {
            folded = List.copyOf(folded);
        }
    }

    /**
     * Reads a model file as {@link #readForInspection} does and also reports what was folded on the way (Dropout,
     * MatMul + Add, zero Pads, NHWC Transposes, shape arithmetic); tensors in external data files are read from
     * next to {@code file}.
     */
    public static Imported importFile(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new GanCompressException("ONNX file " + file + " does not exist");
        } catch (IOException e) {
            throw new GanCompressException("cannot read ONNX file " + file + ": " + e.getMessage(), e);
        }
        OnnxModelProto proto = parse(bytes, file.toString(), ExternalData.nextTo(file));
        return translate(proto, file.toString());
    }

    /** @param sourceName the file name (or other origin) used in error messages */
    public static Model fromBytes(byte[] bytes, String sourceName) {
        return FiniteWeights.require(fromProto(parse(bytes, sourceName), sourceName), sourceName);
    }

    /** Decodes and sanity-checks the protobuf, without mapping it to the IR. */
    public static OnnxModelProto parse(byte[] bytes, String sourceName) {
        return parse(bytes, sourceName, null);
    }

    private static OnnxModelProto parse(byte[] bytes, String sourceName, ExternalData external) {
        if (bytes.length == 0) {
            throw notOnnx(sourceName, "the file is empty");
        }
        OnnxModelProto proto;
        try {
            proto = ProtoReader.decode(bytes, external);
        } catch (IOException e) {
            throw notOnnx(sourceName, "the protobuf does not decode (" + e.getMessage() + ")");
        } catch (OnnxLayerDecoder.Unsupported e) {
            throw new GanCompressException("file " + sourceName + ": " + e.getMessage(), e);
        }
        if (proto.graph() == null) {
            throw notOnnx(sourceName, "it has no graph (ModelProto.graph)");
        }
        if (proto.irVersion() <= 0) {
            throw notOnnx(sourceName, "it has no ir_version");
        }
        if (proto.defaultOpsetVersion() < 0) {
            throw notOnnx(sourceName, "it imports no default (ai.onnx) operator set");
        }
        return proto;
    }

    /** The IR of a parsed model, without the finite-weights check (the .gcz reader builds protos itself). */
    public static Model fromProto(OnnxModelProto proto, String sourceName) {
        return translate(proto, sourceName).model();
    }

    private static Imported translate(OnnxModelProto proto, String sourceName) {
        GraphSimplifier.Result simplified = GraphSimplifier.simplify(proto.graph());
        OnnxModelProto simple = new OnnxModelProto(proto.irVersion(), proto.producerName(), proto.producerVersion(),
                proto.opsets(), simplified.graph(), proto.metadata());
        GraphTranslation t = new GraphTranslation(simple, sourceName);
        Model model = t.toModel();
        List<String> folded = new ArrayList<>(simplified.folded());
        folded.addAll(t.folded);
        return new Imported(model, folded);
    }

    private static GanCompressException notOnnx(String sourceName, String what) {
        return new GanCompressException("file " + sourceName + " is not an ONNX model: " + what);
    }

    /** The state of one import: constants, value aliases and shapes, as nodes are visited in order. */
    private static final class GraphTranslation {
        private final OnnxModelProto proto;
        private final OnnxGraph graph;
        private final String source;
        private final Map<String, OnnxTensor> constants = new HashMap<>();
        /** Constants that a DequantizeLinear or Cast produced, with their storage, by value name. */
        private final Map<String, QdqWeights.Imported> stored = new HashMap<>();
        /** ONNX value name -> IR value name (differs for Identity outputs and renamed nodes). */
        private final Map<String, String> irName = new HashMap<>();
        private final Map<String, Shape> irShapes = new HashMap<>();
        private final Set<String> usedNames = new HashSet<>();
        /** QuantizeLinear outputs of activations (and their copies moved by a sub-pixel group), not yet dequantised. */
        private final Map<String, PendingQuantization> quantized = new HashMap<>();
        /** The int8 grids of IR values, from QuantizeLinear/DequantizeLinear pairs. */
        private final Map<String, ActivationQuantization> grids = new LinkedHashMap<>();

        /** An activation's codes: which IR value they quantise, on which grid. */
        private record PendingQuantization(String irValue, ActivationQuantization grid) {
        }
        private final List<String> folded = new ArrayList<>();
        private final ConstantFolding folding;

        GraphTranslation(OnnxModelProto proto, String source) {
            this.proto = proto;
            this.graph = proto.graph();
            this.source = source;
            this.folding = new ConstantFolding(constants, this::shapeOf, proto.defaultOpsetVersion());
            for (OnnxTensor t : graph.initializers()) {
                constants.put(t.name(), t);
            }
            for (OnnxTensor t : graph.initializers()) {
                QdqWeights.Imported codebook;
                try {
                    codebook = QdqWeights.codebook(t, proto.metadata());
                } catch (OnnxLayerDecoder.Unsupported e) {
                    throw new GanCompressException("file " + source + ": " + e.getMessage(), e);
                }
                if (codebook != null) {
                    stored.put(t.name(), codebook);
                }
            }
        }

        Model toModel() {
            if (graph.outputs().size() != 1) {
                List<String> described = new ArrayList<>();
                for (OnnxValueInfo o : graph.outputs()) {
                    described.add("'" + o.name() + "' (from " + producerOf(o.name()) + ")");
                }
                throw new GanCompressException("file " + source + ": the graph has " + graph.outputs().size()
                        + " outputs " + String.join(", ", described) + "; gancompress models have exactly one "
                        + "(export the generator alone, or with one output name)");
            }
            List<Input> inputs = inputs();
            OnnxLayerDecoder decoder = new OnnxLayerDecoder(constants, stored, this::shapeOf,
                    proto.defaultOpsetVersion());
            List<Node> nodes = new ArrayList<>();
            for (int index = 0; index < graph.nodes().size(); index++) {
                OnnxNode node = graph.nodes().get(index);
                Node translated = translate(node, index, decoder);
                if (translated != null) {
                    nodes.add(translated);
                }
            }
            String output = irName.get(graph.outputs().get(0).name());
            if (output == null || !irShapes.containsKey(output)) {
                throw new GanCompressException("file " + source + ": graph output '" + graph.outputs().get(0).name()
                        + "' is not produced by any supported node");
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            proto.metadata().forEach((k, v) -> {
                if (!k.startsWith(OnnxExporter.NUM_CLASSES_PREFIX) && !k.startsWith(QdqWeights.STORAGE_PREFIX)
                        && !k.startsWith(QdqWeights.CODEBOOK_PREFIX)
                        && !k.startsWith(SubPixelConvTranspose.METADATA_PREFIX)) {
                    metadata.put(k, v);
                }
            });
            try {
                return new Model(graph.name(), inputs, AffineChains.merge(nodes, output, grids.keySet()), output,
                        metadata, grids);
            } catch (IllegalArgumentException e) {
                throw new GanCompressException("file " + source + ": " + e.getMessage(), e);
            }
        }

        private Node translate(OnnxNode node, int index, OnnxLayerDecoder decoder) {
            if (!node.domain().isEmpty() && !node.domain().equals("ai.onnx")) {
                throw unsupportedOp(node, index, node.domain() + "::" + node.opType());
            }
            if (node.outputs().isEmpty()) {
                throw nodeError(node, index, "it has no output");
            }
            String out = node.outputs().get(0);
            switch (node.opType()) {
                case "Identity" -> {
                    if (constants.containsKey(node.input(0))) {
                        constants.put(out, constants.get(node.input(0)));
                    } else {
                        irName.put(out, resolve(node, index, node.input(0)));
                    }
                    return null;
                }
                case "Constant" -> {
                    constants.put(out, constantValue(node, index));
                    return null;
                }
                case "Dropout" -> throw nodeError(node, index, "only inference Dropout is imported (removed): its "
                        + "training_mode must be absent or a constant false, and its mask output unused");
                default -> {
                }
            }
            if (ActivationQdq.isInt32Bias(node, constants)) {
                try {
                    constants.put(out, ActivationQdq.decodeBias(node, constants));
                } catch (OnnxLayerDecoder.Unsupported e) {
                    throw nodeError(node, index, e.getMessage());
                }
                return null;
            }
            String group = subPixelGroup(node);
            if (group != null && node.opType().equals("Conv") && node.name().equals(group + ".subpixel")) {
                return restoreConvTranspose(node, index, group);
            }
            if (consumedAsQuantizationOrAlias(node, index, out, group)) {
                return null;
            }
            if (ConstantFolding.OPS.contains(node.opType())) {
                OnnxTensor value;
                try {
                    value = folding.fold(node);
                } catch (OnnxLayerDecoder.Unsupported | IllegalArgumentException | ArithmeticException
                         | IndexOutOfBoundsException e) {
                    throw nodeError(node, index, e.getMessage());
                }
                if (value != null) {
                    constants.put(out, value);
                    if (node.opType().equals("Shape")) {
                        folded.add("Shape '" + (node.name().isEmpty() ? out : node.name())
                                + "' and the arithmetic on it folded into constants");
                    }
                    return null;
                }
            }
            if (QdqWeights.isStoredWeight(node, constants)) {
                QdqWeights.Imported imported;
                try {
                    imported = QdqWeights.decode(node, constants,
                            proto.metadata().get(QdqWeights.STORAGE_PREFIX + out));
                } catch (OnnxLayerDecoder.Unsupported | IllegalArgumentException e) {
                    throw nodeError(node, index, e.getMessage());
                }
                constants.put(out, imported.values());
                stored.put(out, imported);
                return null;
            }
            if (node.opType().equals(QdqWeights.DEQUANTIZE) || node.opType().equals(QdqWeights.CAST)) {
                throw nodeError(node, index, "it reads '" + node.input(0) + "', which is not a constant: gancompress "
                        + "imports " + node.opType() + " of stored weights only, not of activations");
            }
            if (!OnnxLayerDecoder.supports(node.opType())) {
                throw unsupportedOp(node, index, node.opType());
            }
            OnnxLayerDecoder.Decoded decoded;
            try {
                decoded = decoder.decode(node);
            } catch (OnnxLayerDecoder.Unsupported | IllegalArgumentException | ArithmeticException e) {
                throw nodeError(node, index, e.getMessage());
            }
            List<String> inputs = new ArrayList<>();
            List<Shape> inputShapes = new ArrayList<>();
            for (String v : decoded.dataInputs()) {
                String ir = resolve(node, index, v);
                inputs.add(ir);
                inputShapes.add(irShapes.get(ir));
            }
            String name = uniqueName(node.name().isEmpty() ? out : node.name(), out);
            try {
                irShapes.put(name, decoded.layer().outputShape(inputShapes));
            } catch (IllegalArgumentException e) {
                throw nodeError(node, index, e.getMessage());
            }
            usedNames.add(name);
            irName.put(out, name);
            return new Node(name, decoded.layer(), inputs);
        }

        /**
         * Whether {@code node} was one of the quantised-activation nodes ({@link ActivationQdq}: QuantizeLinear of an
         * activation, its DequantizeLinear) or the data movement of a sub-pixel group ({@link SubPixelConvTranspose}),
         * which add no IR node: they record a grid or an alias.
         */
        private boolean consumedAsQuantizationOrAlias(OnnxNode node, int index, String out, String group) {
            String op = node.opType();
            if (op.equals(ActivationQdq.QUANTIZE) && !node.inputs().isEmpty() && !constants.containsKey(node.input(0))) {
                ActivationQuantization grid = ActivationQdq.grid(node, constants);
                if (grid == null) {
                    throw nodeError(node, index, "only QuantizeLinear of an activation with a constant float scalar "
                            + "scale and uint8 scalar zero point is supported");
                }
                quantized.put(out, new PendingQuantization(resolve(node, index, node.input(0)), grid));
                return true;
            }
            if (op.equals(QdqWeights.DEQUANTIZE) && quantized.containsKey(node.input(0))) {
                PendingQuantization p = quantized.get(node.input(0));
                if (!p.grid().equals(ActivationQdq.grid(node, constants))) {
                    throw nodeError(node, index, "it dequantises '" + node.input(0) + "' with another scale or "
                            + "zero point than it was quantised with");
                }
                irName.put(out, p.irValue());
                grids.put(p.irValue(), p.grid());
                return true;
            }
            if (group != null && ((op.equals("DepthToSpace") && node.name().equals(group + ".depth_to_space"))
                    || (op.equals("Slice") && node.name().equals(group + ".crop")))) {
                // data movement of the sub-pixel form: the restored ConvTranspose already produces its result
                if (quantized.containsKey(node.input(0))) {
                    quantized.put(out, quantized.get(node.input(0)));
                } else {
                    irName.put(out, resolve(node, index, node.input(0)));
                }
                return true;
            }
            return false;
        }

        /** The ConvTranspose name whose sub-pixel group {@code node} belongs to, by the metadata, or null. */
        private String subPixelGroup(OnnxNode node) {
            int dot = node.name().lastIndexOf('.');
            if (dot < 0) {
                return null;
            }
            String group = node.name().substring(0, dot);
            return proto.metadata().containsKey(SubPixelConvTranspose.METADATA_PREFIX + group) ? group : null;
        }

        private Node restoreConvTranspose(OnnxNode node, int index, String group) {
            String input = resolve(node, index, node.input(0));
            OnnxTensor w = constants.get(node.input(1));
            OnnxTensor b = node.input(2).isEmpty() ? null : constants.get(node.input(2));
            if (w == null || w.floats() == null || (!node.input(2).isEmpty() && (b == null || b.floats() == null))) {
                throw nodeError(node, index, "a sub-pixel Conv needs constant float (or dequantised) weight and bias");
            }
            ConvTranspose2d layer;
            try {
                Weights weight = importedWeights(w);
                Weights bias = b == null ? null : importedWeights(b);
                layer = SubPixelConvTranspose.restore(proto.metadata().get(SubPixelConvTranspose.METADATA_PREFIX
                        + group), weight, bias, irShapes.get(input));
                irShapes.put(group, layer.outputShape(List.of(irShapes.get(input))));
            } catch (IllegalArgumentException e) {
                throw nodeError(node, index, e.getMessage());
            }
            if (usedNames.contains(group)) {
                throw nodeError(node, index, "sub-pixel group '" + group + "' clashes with another value's name");
            }
            usedNames.add(group);
            irName.put(node.outputs().get(0), group);
            return new Node(group, layer, List.of(input));
        }

        /** A constant as IR weights, with its storage and mask when it came from a DequantizeLinear or Cast. */
        private Weights importedWeights(OnnxTensor t) {
            Weights w = new Weights(t.intDims(), t.floats().clone());
            QdqWeights.Imported s = stored.get(t.name());
            if (s != null) {
                w.setStorage(s.storage());
                if (s.mask() != null) {
                    w.setMask(s.mask().clone());
                }
            }
            return w;
        }

        private List<Input> inputs() {
            Map<String, Integer> labelClasses = labelClassesFromEmbeddings();
            List<Input> inputs = new ArrayList<>();
            for (OnnxValueInfo v : graph.inputs()) {
                if (constants.containsKey(v.name())) {
                    continue; // Older exporters list initializers among the graph inputs.
                }
                Input in = input(v, labelClasses);
                inputs.add(in);
                irName.put(in.name(), in.name());
                irShapes.put(in.name(), in.shape());
                usedNames.add(in.name());
            }
            return inputs;
        }

        private Input input(OnnxValueInfo v, Map<String, Integer> labelClasses) {
            String where = "file " + source + ": graph input '" + v.name() + "'";
            if (v.dims().isEmpty()) {
                throw new GanCompressException(where + " has no shape; expected [N, ...] with fixed sample sizes");
            }
            int[] sample = new int[v.dims().size() - 1];
            for (int i = 1; i < v.dims().size(); i++) {
                OnnxValueInfo.Dimension d = v.dims().get(i);
                if (d.isSymbolic() || d.value() < 1 || d.value() > Integer.MAX_VALUE) {
                    throw new GanCompressException(where + " has dimension " + i + " = " + d + ", read by node "
                            + consumerOf(v.name()) + ": a spatial or feature size that is not fixed cannot be folded"
                            + " into the layers; gancompress needs fixed sample sizes (only the batch may be "
                            + "symbolic; export with a fixed height and width)");
                }
                sample[i - 1] = (int) d.value();
            }
            if (v.elemType() == OnnxTensor.INT64) {
                if (sample.length != 0) {
                    throw new GanCompressException(where + " is int64 with shape " + v.dims()
                            + "; a class label input must be [N]");
                }
                Integer classes = labelClasses.get(v.name());
                if (classes == null) {
                    String meta = proto.metadata().get(OnnxExporter.NUM_CLASSES_PREFIX + v.name());
                    if (meta == null) {
                        throw new GanCompressException(where + " is a class label, but no Gather of an embedding "
                                + "table reads it and metadata '" + OnnxExporter.NUM_CLASSES_PREFIX + v.name()
                                + "' is absent, so its number of classes is unknown");
                    }
                    try {
                        classes = Integer.parseInt(meta);
                    } catch (NumberFormatException e) {
                        throw new GanCompressException(where + ": metadata '" + OnnxExporter.NUM_CLASSES_PREFIX
                                + v.name() + "' = '" + meta + "' is not an integer");
                    }
                }
                return new Input(v.name(), Input.Kind.LABEL, Shape.of(), classes);
            }
            if (v.elemType() != OnnxTensor.FLOAT && v.elemType() != OnnxTensor.FLOAT16) {
                throw new GanCompressException(where + " is " + OnnxTensor.typeName(v.elemType())
                        + "; expected float32 (latent or image) or int64 (class label)");
            }
            if (sample.length == 0) {
                throw new GanCompressException(where + " is a float per-sample scalar; expected [N, F] or [N, C, H, W]");
            }
            boolean image = v.denotation().equals("IMAGE")
                    || (v.denotation().isEmpty() && sample.length == 3 && (sample[1] > 1 || sample[2] > 1));
            return new Input(v.name(), image ? Input.Kind.IMAGE : Input.Kind.LATENT, new Shape(sample), 0);
        }

        /** The class count of each label input, as the row count of the embedding table gathered with it. */
        private Map<String, Integer> labelClassesFromEmbeddings() {
            Map<String, Integer> classes = new HashMap<>();
            for (OnnxNode n : graph.nodes()) {
                if (n.opType().equals("Gather") && n.inputs().size() == 2) {
                    OnnxTensor table = constants.get(storedSource(n.input(0)));
                    if (table != null && table.rank() == 2) {
                        classes.putIfAbsent(n.input(1), Math.toIntExact(table.dims()[0]));
                    }
                }
            }
            return classes;
        }

        /** The constant a stored weight (DequantizeLinear or Cast of a constant) decodes, else {@code value}. */
        private String storedSource(String value) {
            for (OnnxNode n : graph.nodes()) {
                if (!n.outputs().isEmpty() && n.outputs().get(0).equals(value)
                        && QdqWeights.isStoredWeight(n, constants)) {
                    return n.input(0);
                }
            }
            return value;
        }

        /** The node that writes {@code value}, described for an error message. */
        private String producerOf(String value) {
            for (int i = 0; i < graph.nodes().size(); i++) {
                OnnxNode n = graph.nodes().get(i);
                if (n.outputs().contains(value)) {
                    return "node " + describe(n, i) + ", op " + n.opType();
                }
            }
            return "a graph input or initializer";
        }

        /** The first node that reads {@code value}, described for an error message. */
        private String consumerOf(String value) {
            for (int i = 0; i < graph.nodes().size(); i++) {
                OnnxNode n = graph.nodes().get(i);
                if (n.inputs().contains(value)) {
                    return describe(n, i) + " (op " + n.opType() + ")";
                }
            }
            return "(none)";
        }

        private OnnxTensor constantValue(OnnxNode node, int index) {
            OnnxAttribute value = node.attribute("value");
            if (value != null && value.t() != null) {
                return value.t();
            }
            OnnxAttribute ints = node.attribute("value_ints");
            if (ints != null) {
                return OnnxTensor.ofLongs(node.outputs().get(0), new long[] {ints.ints().length}, ints.ints());
            }
            OnnxAttribute floats = node.attribute("value_floats");
            if (floats != null) {
                return new OnnxTensor(node.outputs().get(0), OnnxTensor.FLOAT, new long[] {floats.floats().length},
                        floats.floats(), null);
            }
            throw nodeError(node, index, "only Constant nodes with a tensor, value_ints or value_floats are supported");
        }

        private Shape shapeOf(String onnxValue) {
            String ir = irName.get(onnxValue);
            return ir == null ? null : irShapes.get(ir);
        }

        private String resolve(OnnxNode node, int index, String onnxValue) {
            String ir = irName.get(onnxValue);
            if (ir == null) {
                throw nodeError(node, index, "it reads '" + onnxValue
                        + "', which is not a graph input or an earlier node's output");
            }
            return ir;
        }

        /** The ONNX node name when free, else its output name, else a numbered variant. */
        private String uniqueName(String preferred, String fallback) {
            if (!usedNames.contains(preferred)) {
                return preferred;
            }
            if (!usedNames.contains(fallback)) {
                return fallback;
            }
            for (int k = 1; ; k++) {
                String candidate = fallback + "_" + k;
                if (!usedNames.contains(candidate)) {
                    return candidate;
                }
            }
        }

        private GanCompressException unsupportedOp(OnnxNode node, int index, String op) {
            return new GanCompressException("file " + source + ": node " + describe(node, index) + " uses op '" + op
                    + "' (opset " + proto.defaultOpsetVersion() + "), which gancompress cannot import; supported "
                    + "ops: " + String.join(", ", OnnxLayerDecoder.OPS) + "; folded at import: Identity, Constant, "
                    + "Dropout, MatMul + Add, NHWC Transposes, " + String.join(", ", new java.util.TreeSet<>(
                    ConstantFolding.OPS)) + " of constants");
        }

        private GanCompressException nodeError(OnnxNode node, int index, String why) {
            return new GanCompressException("file " + source + ": node " + describe(node, index) + " (op "
                    + node.opType() + ") at opset " + proto.defaultOpsetVersion() + ": " + why);
        }

        private static String describe(OnnxNode node, int index) {
            if (!node.name().isEmpty()) {
                return "'" + node.name() + "'";
            }
            return "#" + index + (node.outputs().isEmpty() ? "" : " (output '" + node.outputs().get(0) + "')");
        }
    }
}
