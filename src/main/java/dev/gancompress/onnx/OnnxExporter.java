package dev.gancompress.onnx;

import dev.gancompress.AtomicFiles;
import dev.gancompress.GanCompressException;
import dev.gancompress.model.Activation;
import dev.gancompress.model.ActivationQuantization;
import dev.gancompress.model.Add;
import dev.gancompress.model.Affine;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Concat;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Embedding;
import dev.gancompress.model.Input;
import dev.gancompress.model.InstanceNorm2d;
import dev.gancompress.model.Kernel2d;
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
import dev.gancompress.model.WeightSlot;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.model.Weights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a {@link Model} as an ONNX file (IR version 8, default opset 17; IR version 10, opset 21 when a weight
 * needs INT4 storage) that ONNX Runtime runs as is and {@link OnnxImporter} reads back to an identical model.
 * Every value has a batch dimension, the symbol "N".
 *
 * <p>Naming: a node's output value and the ONNX node carry the IR node name; its tensors are initializers
 * "node.role" (weight, bias, running_mean, running_var, as {@link Model#weightSlots()}), plus "node.shape" for
 * Reshape and "node.scales" for Resize. A tensor stored in another format than fp32 is written as its codes and a
 * DequantizeLinear or Cast node whose output is "node.role" ({@link QdqWeights}). Pruning masks are not written:
 * a masked weight already holds zeros.
 *
 * <p>Quantised activations ({@link Model#quantizedActivations()}) get a QuantizeLinear/DequantizeLinear pair
 * ({@link ActivationQdq}), and such a model's ConvTransposes are written in their exact sub-pixel form
 * ({@link SubPixelConvTranspose}, {@link ConvTransposeForm}), so that ONNX Runtime runs its convolutions as
 * QLinearConv.
 */
public final class OnnxExporter {
    public static final String TOOL_VERSION = dev.gancompress.Version.TOOL;
    /** Metadata key of the writing tool's version, set on every export. */
    public static final String VERSION_KEY = dev.gancompress.Provenance.VERSION_KEY;
    public static final long IR_VERSION = 8;
    public static final long OPSET = 17;
    /** IR version and opset of a model with INT4 weights (INT4 and its DequantizeLinear arrived together). */
    public static final long INT4_IR_VERSION = 10;
    public static final long INT4_OPSET = 21;
    public static final String BATCH_SYMBOL = "N";
    /** Metadata key prefix for a label's class count when no Embedding table tells it (see the importer). */
    static final String NUM_CLASSES_PREFIX = "gancompress.num_classes.";

    private OnnxExporter() {
    }

    /**
     * How a ConvTranspose2d is written: as ConvTranspose, or as its exact sub-pixel Conv + DepthToSpace (+ Slice)
     * ({@link SubPixelConvTranspose}), which ONNX Runtime can run as an int8 QLinearConv.
     */
    public enum ConvTransposeForm {
        CONV_TRANSPOSE, SUB_PIXEL;

        /** Sub-pixel for a model with quantised activations (its int8 path), ConvTranspose otherwise. */
        public static ConvTransposeForm defaultFor(Model model) {
            return model.quantizedActivations().isEmpty() ? CONV_TRANSPOSE : SUB_PIXEL;
        }
    }

    /**
     * Writes the model to {@code file} through a temporary file in the same directory and an atomic move
     * ({@link AtomicFiles}), so a crash never leaves a half-written model under the final name.
     */
    public static void write(Model model, Path file, Map<String, String> provenance) {
        AtomicFiles.writeBytes(file, toBytes(model, provenance));
    }

    /** The ONNX bytes; {@code provenance} (command, seed, dataset hash, ...) is merged into the metadata. */
    public static byte[] toBytes(Model model, Map<String, String> provenance) {
        return toBytes(model, provenance, ConvTransposeForm.defaultFor(model));
    }

    public static byte[] toBytes(Model model, Map<String, String> provenance, ConvTransposeForm form) {
        return ProtoWriter.encode(toProto(model, provenance, form));
    }

    /** The bytes of an ONNX model held as a proto (the .gcz container rebuilds files this way). */
    public static byte[] toBytes(OnnxModelProto proto) {
        return ProtoWriter.encode(proto);
    }

    public static OnnxModelProto toProto(Model model, Map<String, String> provenance) {
        return toProto(model, provenance, ConvTransposeForm.defaultFor(model));
    }

    public static OnnxModelProto toProto(Model model, Map<String, String> provenance, ConvTransposeForm form) {
        GraphBuilder b = new GraphBuilder(model);
        for (Input in : model.inputs()) {
            b.quantizeIfStored(in.name(), in.name());
        }
        for (Node node : model.nodes()) {
            if (form == ConvTransposeForm.SUB_PIXEL && node.layer() instanceof ConvTranspose2d c
                    && SubPixelConvTranspose.applies(c)) {
                b.subPixel(node, c);
            } else if (node.layer() instanceof Affine a) {
                b.affine(node, a);
                b.quantizeIfStored(node.name(), node.name());
            } else if (node.layer() instanceof Resize2d r) {
                b.resize(node, r);
                b.quantizeIfStored(node.name(), node.name());
            } else {
                b.layer(node.name(), node.layer(), node.inputs(), null);
                b.quantizeIfStored(node.name(), node.name());
            }
        }
        checkUniqueNames(model, b.initializers, b.storedOutputs);
        List<OnnxValueInfo> inputs = new ArrayList<>();
        for (Input in : model.inputs()) {
            inputs.add(inputInfo(in));
        }
        OnnxValueInfo output = valueInfo(model.output(), OnnxTensor.FLOAT, model.outputShape(), "");
        OnnxGraph graph = new OnnxGraph(model.name(), b.nodes, b.initializers, inputs, List.of(output));

        // storage kinds first: an imported model's metadata ends with the version key, so a re-export is identical
        Map<String, String> metadata = new LinkedHashMap<>(b.storageKinds);
        metadata.putAll(model.metadata());
        metadata.putAll(provenance);
        metadata.put(VERSION_KEY, TOOL_VERSION);
        for (Input in : model.inputs()) {
            if (in.kind() == Input.Kind.LABEL && !hasEmbeddingConsumer(model, in.name())) {
                metadata.put(NUM_CLASSES_PREFIX + in.name(), Integer.toString(in.numClasses()));
            }
        }
        return new OnnxModelProto(b.int4 ? INT4_IR_VERSION : IR_VERSION, "gancompress", dev.gancompress.Version.NUMBER,
                List.of(new OnnxModelProto.OpsetId("", b.int4 ? INT4_OPSET : OPSET)), graph, metadata);
    }

    /** The graph as it is written: nodes, initializers, and the ONNX name each IR value is read under. */
    private static final class GraphBuilder {
        final Model model;
        final List<OnnxNode> nodes = new ArrayList<>();
        final List<OnnxTensor> initializers = new ArrayList<>();
        final Map<String, String> storageKinds = new LinkedHashMap<>();
        final List<String> storedOutputs = new ArrayList<>();
        /** IR value -> the ONNX value its consumers read (its dequantised copy when it is quantised). */
        final Map<String, String> readAs = new java.util.HashMap<>();
        boolean int4;

        GraphBuilder(Model model) {
            this.model = model;
        }

        List<String> read(List<String> irValues) {
            return irValues.stream().map(v -> readAs.getOrDefault(v, v)).toList();
        }

        /**
         * Writes one layer as the ONNX node {@code name} reading the IR values {@code inputs}; {@code pads}, when not
         * null, replaces the kernel's symmetric padding (top, left, bottom, right).
         */
        void layer(String name, Layer layer, List<String> inputs, long[] pads) {
            ActivationQuantization inputGrid = inputs.isEmpty() ? null
                    : model.quantizedActivations().get(inputs.get(0));
            Weights weight = null;
            for (WeightSlot slot : layer.weights()) {
                String tensor = name + "." + slot.role();
                QdqWeights.Exported stored;
                if (slot.role().equals("bias") && weight != null
                        && ActivationQdq.int32Bias(inputGrid, weight, slot.weights())) {
                    stored = ActivationQdq.exportBias(tensor, slot.weights(), inputGrid,
                            (dev.gancompress.model.WeightStorage.IntN) weight.storage());
                } else {
                    stored = QdqWeights.export(tensor, slot.weights(), inputGrid != null);
                    if (stored.node() != null) {
                        storageKinds.put(QdqWeights.STORAGE_PREFIX + tensor, slot.weights().storage().kind());
                    }
                }
                initializers.addAll(stored.initializers());
                if (stored.node() != null) {
                    nodes.add(stored.node());
                    storedOutputs.addAll(stored.node().outputs());
                }
                int4 |= QdqWeights.needsInt4(slot.weights().storage());
                if (slot.weights().storage() instanceof WeightStorage.Codebook codebook) {
                    storageKinds.putAll(new java.util.TreeMap<>(QdqWeights.codebookMetadata(tensor, codebook)));
                }
                if (slot.role().equals("weight")) {
                    weight = slot.weights();
                }
            }
            OnnxNode node = node(new Node(name, layer, read(inputs)), initializers);
            if (pads != null) {
                List<OnnxAttribute> attrs = new ArrayList<>(node.attributes());
                attrs.replaceAll(a -> a.name().equals("pads") ? OnnxAttribute.ofInts("pads", pads) : a);
                node = new OnnxNode(node.name(), node.opType(), node.domain(), node.inputs(), node.outputs(), attrs);
            }
            nodes.add(node);
        }

        /**
         * An {@link Affine} as Mul by "n.scale" (node "n.mul") then Add of "n.shift" (node n), or the one of them that
         * is not the identity. A per-channel constant of an image is written [C, 1, 1] to broadcast over [N, C, H, W];
         * a vector's [F] broadcasts over [N, F] as it is.
         */
        void affine(Node node, Affine a) {
            String n = node.name();
            Shape in = model.shape(node.inputs().get(0));
            boolean scales = !allEqual(a.scale(), 1f);
            boolean shifts = !allEqual(a.shift(), 0f) || !scales;
            String value = read(node.inputs()).get(0);
            if (scales) {
                initializers.add(OnnxTensor.ofFloats(n + ".scale", broadcast(a.scale(), in), a.scale().data()));
                String out = shifts ? n + ".mul" : n;
                nodes.add(new OnnxNode(out, "Mul", "", List.of(value, n + ".scale"), List.of(out), List.of()));
                if (shifts) {
                    storedOutputs.add(out);
                }
                value = out;
            }
            if (shifts) {
                initializers.add(OnnxTensor.ofFloats(n + ".shift", broadcast(a.shift(), in), a.shift().data()));
                nodes.add(new OnnxNode(n, "Add", "", List.of(value, n + ".shift"), List.of(n), List.of()));
            }
        }

        private static boolean allEqual(Weights w, float v) {
            for (float x : w.data()) {
                if (Float.floatToIntBits(x) != Float.floatToIntBits(v)) {
                    return false;
                }
            }
            return true;
        }

        private static int[] broadcast(Weights w, Shape in) {
            if (w.size() == 1) {
                return new int[0];
            }
            return in.isImage() ? new int[] {w.size(), 1, 1} : new int[] {w.size()};
        }

        /** A {@link Resize2d} as {@link ResizeOnnx} writes it (a Resize, after a Shape chain when it needs sizes). */
        void resize(Node node, Resize2d r) {
            ResizeOnnx.Exported e = ResizeOnnx.export(node.name(), read(node.inputs()).get(0), r,
                    model.shape(node.inputs().get(0)));
            initializers.addAll(e.initializers());
            nodes.addAll(e.nodes());
            e.nodes().forEach(n -> {
                if (!n.name().equals(node.name())) {
                    storedOutputs.addAll(n.outputs());
                }
            });
        }

        /** A QDQ pair after {@code onnxValue} when the IR value {@code irValue} is quantised. */
        void quantizeIfStored(String irValue, String onnxValue) {
            ActivationQuantization grid = model.quantizedActivations().get(irValue);
            if (grid == null) {
                return;
            }
            ActivationQdq.Exported pair = ActivationQdq.export(onnxValue, onnxValue, grid);
            initializers.addAll(pair.initializers());
            nodes.addAll(pair.nodes());
            pair.nodes().forEach(n -> storedOutputs.addAll(n.outputs()));
            readAs.put(irValue, pair.output());
        }

        /**
         * ConvTranspose as Conv "n.subpixel", DepthToSpace "n.depth_to_space" and Slice "n.crop" (output n). A
         * quantised output is quantised right after the Conv, where ONNX Runtime fuses the QuantizeLinear into
         * QLinearConv, and dequantised after the crop (output n), so that DepthToSpace and Slice move uint8 codes
         * (ORT's float DepthToSpace took 40 % of the int8 teacher's time); quantisation is elementwise with one scale,
         * so it commutes with the data movement and the values are those of a QDQ after the ConvTranspose.
         */
        void subPixel(Node node, ConvTranspose2d layer) {
            String n = node.name();
            Shape input = model.shape(node.inputs().get(0));
            SubPixelConvTranspose.Geometry g = SubPixelConvTranspose.geometry(layer, input);
            String conv = n + ".subpixel";
            storageKinds.put(SubPixelConvTranspose.METADATA_PREFIX + n, SubPixelConvTranspose.describe(layer));
            layer(conv, SubPixelConvTranspose.conv(layer, input), node.inputs(),
                    new long[] {g.h().padBegin(), g.w().padBegin(), g.h().padEnd(), g.w().padEnd()});
            ActivationQuantization grid = model.quantizedActivations().get(n);
            ActivationQdq.Exported pair = grid == null ? null : ActivationQdq.export(n, conv, grid);
            String value = conv;
            if (pair != null) {
                initializers.addAll(pair.initializers());
                nodes.add(pair.nodes().get(0));
                storedOutputs.addAll(pair.nodes().get(0).outputs());
                value = pair.nodes().get(0).outputs().get(0);
            }
            boolean crop = g.cropped() || g.stride() == 1;
            if (g.stride() > 1) {
                String out = crop || pair != null ? n + ".depth_to_space" : n;
                nodes.add(new OnnxNode(n + ".depth_to_space", "DepthToSpace", "", List.of(value), List.of(out),
                        List.of(OnnxAttribute.ofInt("blocksize", g.stride()), OnnxAttribute.ofString("mode", "CRD"))));
                storedOutputs.add(n + ".depth_to_space");
                value = out;
            }
            if (crop) {
                String out = pair != null ? n + ".crop" : n;
                long[] starts = {g.h().cropBegin(), g.w().cropBegin()};
                long[] ends = {g.h().cropBegin() + g.h().outLength(), g.w().cropBegin() + g.w().outLength()};
                initializers.add(OnnxTensor.ofLongs(n + ".crop_starts", new long[] {2}, starts));
                initializers.add(OnnxTensor.ofLongs(n + ".crop_ends", new long[] {2}, ends));
                initializers.add(OnnxTensor.ofLongs(n + ".crop_axes", new long[] {2}, new long[] {2, 3}));
                nodes.add(new OnnxNode(n + ".crop", "Slice", "",
                        List.of(value, n + ".crop_starts", n + ".crop_ends", n + ".crop_axes"), List.of(out),
                        List.of()));
                storedOutputs.add(n + ".crop");
                value = out;
            }
            if (pair != null) {
                OnnxNode dq = pair.nodes().get(1);
                List<String> in = new ArrayList<>(dq.inputs());
                in.set(0, value);
                nodes.add(new OnnxNode(dq.name(), dq.opType(), "", in, List.of(n), List.of()));
            }
        }
    }

    private static OnnxNode node(Node node, List<OnnxTensor> initializers) {
        String n = node.name();
        List<String> in = new ArrayList<>(node.inputs());
        List<OnnxAttribute> attrs = new ArrayList<>();
        String op = node.layer().opName();
        Layer layer = node.layer();
        if (layer instanceof Linear l) {
            op = "Gemm";
            in.add(n + ".weight");
            if (l.bias() != null) {
                in.add(n + ".bias");
            }
            attrs.add(OnnxAttribute.ofInt("transB", 1));
        } else if (layer instanceof Conv2d c) {
            in.add(n + ".weight");
            if (c.bias() != null) {
                in.add(n + ".bias");
            }
            attrs.addAll(geometry(c.kernel(), c.groups()));
        } else if (layer instanceof ConvTranspose2d c) {
            in.add(n + ".weight");
            if (c.bias() != null) {
                in.add(n + ".bias");
            }
            attrs.addAll(geometry(c.kernel(), 1));
            attrs.add(OnnxAttribute.ofInts("output_padding", c.outputPadH(), c.outputPadW()));
        } else if (layer instanceof BatchNorm2d b) {
            in.addAll(List.of(n + ".weight", n + ".bias", n + ".running_mean", n + ".running_var"));
            attrs.add(OnnxAttribute.ofFloat("epsilon", b.eps()));
            attrs.add(OnnxAttribute.ofFloat("momentum", MomentumConvention.toOnnx(b.momentum())));
        } else if (layer instanceof InstanceNorm2d i) {
            in.addAll(List.of(n + ".weight", n + ".bias"));
            attrs.add(OnnxAttribute.ofFloat("epsilon", i.eps()));
        } else if (layer instanceof Activation a) {
            if (a.function() == Activation.Function.LEAKY_RELU) {
                attrs.add(OnnxAttribute.ofFloat("alpha", a.alpha()));
            } else if (a.function() == Activation.Function.CLIP) {
                // Opset 11+: the bounds are scalar inputs.
                initializers.add(OnnxTensor.ofFloats(n + ".min", new int[0], new float[] {a.alpha()}));
                initializers.add(OnnxTensor.ofFloats(n + ".max", new int[0], new float[] {a.beta()}));
                in.add(n + ".min");
                in.add(n + ".max");
            }
        } else if (layer instanceof Reshape r) {
            int[] dims = r.target().dims();
            long[] shape = new long[dims.length + 1];
            // 0 copies the input's dimension (allowzero = 0): the batch passes through whatever its size.
            for (int i = 0; i < dims.length; i++) {
                shape[i + 1] = dims[i];
            }
            initializers.add(OnnxTensor.ofLongs(n + ".shape", new long[] {shape.length}, shape));
            in.add(n + ".shape");
        } else if (layer instanceof Upsample u) {
            initializers.add(OnnxTensor.ofFloats(n + ".scales", new int[] {4},
                    new float[] {1f, 1f, u.scale(), u.scale()}));
            in.add("");
            in.add(n + ".scales");
            attrs.add(OnnxAttribute.ofString("mode", "nearest"));
            attrs.add(OnnxAttribute.ofString("coordinate_transformation_mode", "asymmetric"));
            attrs.add(OnnxAttribute.ofString("nearest_mode", "floor"));
        } else if (layer instanceof DepthToSpace || layer instanceof SpaceToDepth) {
            attrs.addAll(ChannelSpaceOnnx.attributes(layer));
        } else if (layer instanceof Pad2d p) {
            // Opset 11+: pads is an int64 input [N, C, H, W begins, then ends]; constant_value omitted is 0.
            initializers.add(OnnxTensor.ofLongs(n + ".pads", new long[] {8},
                    new long[] {0, 0, p.top(), p.left(), 0, 0, p.bottom(), p.right()}));
            in.add(n + ".pads");
            attrs.add(OnnxAttribute.ofString("mode", p.mode().onnxName()));
        } else if (layer instanceof Embedding) {
            // Gather(data = table, indices = label): the table comes first.
            in.add(0, n + ".weight");
            attrs.add(OnnxAttribute.ofInt("axis", 0));
        } else if (layer instanceof Concat) {
            attrs.add(OnnxAttribute.ofInt("axis", 1));
        } else if (!(layer instanceof Add)) {
            throw new IllegalStateException("no ONNX mapping for layer " + layer.getClass().getSimpleName());
        }
        return new OnnxNode(n, op, "", in, List.of(n), attrs);
    }

    /** Conv/ConvTranspose attributes; explicit pads (never auto_pad), so the file does not depend on input sizes. */
    private static List<OnnxAttribute> geometry(Kernel2d k, int groups) {
        return List.of(
                OnnxAttribute.ofInts("kernel_shape", k.kh(), k.kw()),
                OnnxAttribute.ofInts("strides", k.strideH(), k.strideW()),
                OnnxAttribute.ofInts("pads", k.padH(), k.padW(), k.padEndH(), k.padEndW()),
                OnnxAttribute.ofInts("dilations", k.dilationH(), k.dilationW()),
                OnnxAttribute.ofInt("group", groups));
    }

    private static OnnxValueInfo inputInfo(Input in) {
        return switch (in.kind()) {
            case LABEL -> valueInfo(in.name(), OnnxTensor.INT64, in.shape(), "TENSOR");
            case IMAGE -> valueInfo(in.name(), OnnxTensor.FLOAT, in.shape(), "IMAGE");
            case LATENT -> valueInfo(in.name(), OnnxTensor.FLOAT, in.shape(), "TENSOR");
        };
    }

    private static OnnxValueInfo valueInfo(String name, int elemType, Shape shape, String denotation) {
        List<OnnxValueInfo.Dimension> dims = new ArrayList<>();
        dims.add(OnnxValueInfo.Dimension.symbolic(BATCH_SYMBOL));
        for (int d : shape.dims()) {
            dims.add(OnnxValueInfo.Dimension.fixed(d));
        }
        return new OnnxValueInfo(name, elemType, dims, denotation);
    }

    private static boolean hasEmbeddingConsumer(Model model, String value) {
        for (Node n : model.consumers(value)) {
            if (n.layer() instanceof Embedding) {
                return true;
            }
        }
        return false;
    }

    /**
     * ONNX has one namespace for values and initializers; a node named like another's tensor (or like the output
     * of a weight's DequantizeLinear or Cast) would clash.
     */
    private static void checkUniqueNames(Model model, List<OnnxTensor> initializers, List<String> storedOutputs) {
        Set<String> names = new HashSet<>(model.valueNames());
        List<String> tensors = new ArrayList<>(storedOutputs);
        initializers.forEach(t -> tensors.add(t.name()));
        for (String t : tensors) {
            if (!names.add(t)) {
                throw new GanCompressException("model " + model.name() + ": tensor name '" + t
                        + "' is also used by another value; rename the node to export it to ONNX");
            }
        }
    }
}
