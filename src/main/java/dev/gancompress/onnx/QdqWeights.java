package dev.gancompress.onnx;

import dev.gancompress.model.WeightStorage;
import dev.gancompress.model.Weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A weight tensor's {@link WeightStorage} in ONNX, both ways. Integer storage is written as QDQ: an integer
 * initializer "t.quantized" of the codes, "t.scale" (a scalar per tensor, [C] per channel) and, unless symmetric,
 * "t.zero_point", and a DequantizeLinear node (axis = the storage's axis) whose output "t" is what the layer reads,
 * the name an fp32 initializer would have had. fp16 and bf16 are a FLOAT16/BFLOAT16 initializer "t.half" and a Cast
 * to float. fp32 stays a float initializer.
 *
 * <p>Containers: integers of 5 to 8 bits are INT8; of 2 to 4 bits (ternary included) and binary are INT4, two
 * codes per byte (IR version 10, opset 21, which the exporter then declares). ONNX has no 2-bit or 1-bit type at
 * opset 21, so ternary and binary files take 4 bits per weight, not 2 or 1; the cost model counts the ideal bits.
 * Metadata "gancompress.storage.t" names the storage kind ("int8", "int4-narrow", "ternary", "binary", ...), which
 * the container alone does not tell; the importer reads it back, so a round trip keeps the description exactly.
 * A QDQ weight from another tool (no metadata) imports as integers of the container's width, uint8/uint4 codes and
 * zero points shifted to the signed range (the represented values are unchanged).
 */
final class QdqWeights {
    /** Metadata key prefix of a tensor's storage kind. */
    static final String STORAGE_PREFIX = "gancompress.storage.";
    /**
     * Metadata key prefix of a codebook tensor's centroids (comma-separated hexadecimal floats). A codebook weight is
     * written as its decoded fp32 values, which every runtime runs as they are; the storage kind "codebook" and the
     * centroids let the importer restore the description (and the .gcz container codes the values by index).
     */
    static final String CODEBOOK_PREFIX = "gancompress.codebook.";
    static final String DEQUANTIZE = "DequantizeLinear";
    static final String CAST = "Cast";

    /**
     * What one tensor adds to the graph: initializers, and the node producing the float tensor (null for fp32).
     */
    record Exported(List<OnnxTensor> initializers, OnnxNode node) {
    }

    /** A stored constant read back: its float values (named as the node's output), storage and mask (or null). */
    record Imported(OnnxTensor values, WeightStorage storage, float[] mask) {
    }

    private QdqWeights() {
    }

    /** Whether a tensor with this storage needs IR version 10 and opset 21 (INT4 containers). */
    static boolean needsInt4(WeightStorage storage) {
        return storage.isLossy() && storage.bits() <= 4 && !(storage instanceof WeightStorage.Codebook);
    }

    static Exported export(String name, Weights w) {
        return export(name, w, false);
    }

    /**
     * @param explicitZeroPoint write a zero-point tensor even for symmetric codes: ONNX Runtime's QGemm (1.23) reads
     *                          an omitted per-channel zero point as a scalar and then refuses the per-channel scale
     */
    static Exported export(String name, Weights w, boolean explicitZeroPoint) {
        WeightStorage storage = w.storage();
        long[] dims = Arrays.stream(w.shape()).asLongStream().toArray();
        return storage.accept(new WeightStorage.Visitor<>() {
            @Override
            public Exported fp32(WeightStorage.Fp32 s) {
                return new Exported(List.of(OnnxTensor.ofFloats(name, w.shape(), w.data())), null);
            }

            @Override
            public Exported fp16(WeightStorage.Fp16 s) {
                return cast(OnnxTensor.FLOAT16);
            }

            @Override
            public Exported bf16(WeightStorage.Bf16 s) {
                return cast(OnnxTensor.BFLOAT16);
            }

            private Exported cast(int type) {
                OnnxTensor half = OnnxTensor.ofInts(name + ".half", type, dims, w.codes());
                OnnxNode node = new OnnxNode(name + ".cast", CAST, "", List.of(half.name()), List.of(name),
                        List.of(OnnxAttribute.ofInt("to", OnnxTensor.FLOAT)));
                return new Exported(List.of(half), node);
            }

            @Override
            public Exported integer(WeightStorage.IntN s) {
                int container = s.bits() <= 4 ? OnnxTensor.INT4 : OnnxTensor.INT8;
                return dequantize(container, s.axis(), s.scales(),
                        s.symmetric() && !explicitZeroPoint ? null : s.zeroPoints());
            }

            @Override
            public Exported binary(WeightStorage.Binary s) {
                return dequantize(OnnxTensor.INT4, s.axis(), s.scales(), null);
            }

            @Override
            public Exported codebook(WeightStorage.Codebook s) {
                return new Exported(List.of(OnnxTensor.ofFloats(name, w.shape(), w.effectiveValues())), null);
            }

            private Exported dequantize(int container, int axis, float[] scales, int[] zeroPoints) {
                long[] paramDims = axis < 0 ? new long[0] : new long[] {scales.length};
                List<OnnxTensor> tensors = new ArrayList<>();
                tensors.add(OnnxTensor.ofInts(name + ".quantized", container, dims, w.codes()));
                tensors.add(new OnnxTensor(name + ".scale", OnnxTensor.FLOAT, paramDims, scales, null));
                List<String> inputs = new ArrayList<>(List.of(name + ".quantized", name + ".scale"));
                if (zeroPoints != null) {
                    tensors.add(OnnxTensor.ofInts(name + ".zero_point", container, paramDims, zeroPoints));
                    inputs.add(name + ".zero_point");
                }
                List<OnnxAttribute> attrs = axis < 0 ? List.of() : List.of(OnnxAttribute.ofInt("axis", axis));
                return new Exported(tensors, new OnnxNode(name + ".dequantize", DEQUANTIZE, "", inputs, List.of(name),
                        attrs));
            }
        });
    }

    /** The metadata entries that describe a codebook tensor: its kind and its centroids. */
    static Map<String, String> codebookMetadata(String name, WeightStorage.Codebook s) {
        StringBuilder text = new StringBuilder();
        for (float c : s.centroids()) {
            text.append(text.isEmpty() ? "" : ",").append(Float.toHexString(c));
        }
        return Map.of(STORAGE_PREFIX + name, s.kind(), CODEBOOK_PREFIX + name, text.toString());
    }

    /**
     * The codebook storage of float initializer {@code t} when the metadata says it has one, else null.
     *
     * @throws OnnxLayerDecoder.Unsupported when the centroids do not parse or a value is not one of them
     */
    static Imported codebook(OnnxTensor t, Map<String, String> metadata) {
        String text = metadata.get(CODEBOOK_PREFIX + t.name());
        if (text == null || !"codebook".equals(metadata.get(STORAGE_PREFIX + t.name())) || t.floats() == null) {
            return null;
        }
        WeightStorage.Codebook codebook;
        try {
            String[] parts = text.split(",");
            float[] centroids = new float[parts.length];
            for (int i = 0; i < parts.length; i++) {
                centroids[i] = Float.parseFloat(parts[i]);
            }
            codebook = new WeightStorage.Codebook(centroids);
        } catch (IllegalArgumentException e) {
            throw new OnnxLayerDecoder.Unsupported("metadata '" + CODEBOOK_PREFIX + t.name() + "' is not a list of "
                    + "ascending finite centroids: " + e.getMessage());
        }
        float[] values = t.floats();
        for (int i = 0; i < values.length; i++) {
            if (codebook.decode(codebook.encode(values[i], 0), 0) != values[i]) {
                throw new OnnxLayerDecoder.Unsupported("tensor '" + t.name() + "' holds " + values[i] + " at index "
                        + i + ", which is not one of its codebook's centroids");
            }
        }
        return new Imported(t, codebook, null);
    }

    /** Whether {@code node} turns constants into a stored weight (as opposed to quantising activations). */
    static boolean isStoredWeight(OnnxNode node, Map<String, OnnxTensor> constants) {
        return (node.opType().equals(DEQUANTIZE) || node.opType().equals(CAST)) && !node.inputs().isEmpty()
                && constants.containsKey(node.input(0));
    }

    /**
     * Decodes a DequantizeLinear or Cast of constants.
     *
     * @param kind the storage kind from the metadata, or null (a file from another tool)
     * @throws OnnxLayerDecoder.Unsupported when the node has no IR storage equivalent
     */
    static Imported decode(OnnxNode node, Map<String, OnnxTensor> constants, String kind) {
        String out = node.outputs().get(0);
        OnnxTensor x = constants.get(node.input(0));
        if (node.opType().equals(CAST)) {
            return cast(node, x, out);
        }
        if (x.ints() == null || OnnxTensor.bitsPerElement(x.dataType()) > 8) {
            throw new OnnxLayerDecoder.Unsupported("DequantizeLinear of " + OnnxTensor.typeName(x.dataType())
                    + " tensor '" + x.name() + "' is not supported; expected int8, uint8, int4 or uint4 codes");
        }
        OnnxAttribute blockSize = node.attribute("block_size");
        if (blockSize != null && blockSize.i() != 0) {
            throw new OnnxLayerDecoder.Unsupported("blocked quantisation (block_size " + blockSize.i()
                    + ") is not supported; only per-tensor and per-axis");
        }
        OnnxAttribute outputType = node.attribute("output_dtype");
        if (outputType != null && outputType.i() != 0 && outputType.i() != OnnxTensor.FLOAT) {
            throw new OnnxLayerDecoder.Unsupported("output_dtype " + OnnxTensor.typeName((int) outputType.i())
                    + " is not supported; expected float32");
        }
        OnnxTensor scale = constantInput(node, constants, 1, "x_scale");
        if (scale.floats() == null || scale.rank() > 1) {
            throw new OnnxLayerDecoder.Unsupported("x_scale '" + scale.name() + "' must be a float32 scalar or "
                    + "vector, got " + OnnxTensor.typeName(scale.dataType()) + " " + Arrays.toString(scale.dims()));
        }
        int axis = -1;
        if (scale.rank() == 1) {
            OnnxAttribute axisAttr = node.attribute("axis");
            long a = axisAttr == null ? 1 : axisAttr.i();
            a = a < 0 ? a + x.rank() : a;
            if (a < 0 || a >= x.rank() || x.dims()[(int) a] != scale.dims()[0]) {
                throw new OnnxLayerDecoder.Unsupported("per-axis x_scale of " + scale.dims()[0] + " values does not "
                        + "match axis " + a + " of '" + x.name() + "' " + Arrays.toString(x.dims()));
            }
            axis = (int) a;
        }
        float[] scales = scale.floats().clone();
        int[] zeroPoints = new int[scales.length];
        if (node.inputs().size() > 2 && !node.input(2).isEmpty()) {
            OnnxTensor zp = constantInput(node, constants, 2, "x_zero_point");
            if (zp.dataType() != x.dataType() || zp.size() != scales.length) {
                throw new OnnxLayerDecoder.Unsupported("x_zero_point '" + zp.name() + "' must be "
                        + OnnxTensor.typeName(x.dataType()) + " of the scale's shape, got "
                        + OnnxTensor.typeName(zp.dataType()) + " " + Arrays.toString(zp.dims()));
            }
            zeroPoints = zp.ints().clone();
        }
        int[] codes = x.ints().clone();
        int containerBits = OnnxTensor.bitsPerElement(x.dataType());
        if (OnnxTensor.minValue(x.dataType()) == 0) {
            // unsigned: q - z is unchanged when both move down by 2^(b-1), into the signed range
            int shift = 1 << (containerBits - 1);
            for (int i = 0; i < codes.length; i++) {
                codes[i] -= shift;
            }
            for (int i = 0; i < zeroPoints.length; i++) {
                zeroPoints[i] -= shift;
            }
        }
        WeightStorage storage = storage(kind == null ? "int" + containerBits : kind, containerBits, axis, scales,
                zeroPoints, x.name(), out);
        checkCodes(storage, codes, x.name());
        int[] shape = x.intDims();
        float[] values = new float[codes.length];
        storage.decode(codes, shape, values);
        float[] mask = null;
        if (storage instanceof WeightStorage.Binary) {
            // a binary code 0 is only written for a masked (pruned) entry
            for (int i = 0; i < codes.length; i++) {
                if (codes[i] == 0) {
                    if (mask == null) {
                        mask = new float[codes.length];
                        Arrays.fill(mask, 1f);
                    }
                    mask[i] = 0f;
                }
            }
        }
        return new Imported(new OnnxTensor(out, OnnxTensor.FLOAT, x.dims(), values, null), storage, mask);
    }

    private static Imported cast(OnnxNode node, OnnxTensor x, String out) {
        OnnxAttribute to = node.attribute("to");
        WeightStorage storage = x.dataType() == OnnxTensor.FLOAT16 ? new WeightStorage.Fp16()
                : x.dataType() == OnnxTensor.BFLOAT16 ? new WeightStorage.Bf16() : null;
        if (to == null || to.i() != OnnxTensor.FLOAT || storage == null) {
            throw new OnnxLayerDecoder.Unsupported("only a Cast of a float16 or bfloat16 constant to float32 is "
                    + "supported (a weight stored in 16 bits), got " + OnnxTensor.typeName(x.dataType()) + " to "
                    + (to == null ? "nothing" : OnnxTensor.typeName((int) to.i())));
        }
        float[] values = new float[x.ints().length];
        storage.decode(x.ints(), x.intDims(), values);
        return new Imported(new OnnxTensor(out, OnnxTensor.FLOAT, x.dims(), values, null), storage, null);
    }

    /** The storage named by {@code kind}: intB, intB-narrow, ternary or binary, within the container's bits. */
    private static WeightStorage storage(String kind, int containerBits, int axis, float[] scales, int[] zeroPoints,
                                         String tensor, String output) {
        String source = "metadata '" + STORAGE_PREFIX + output + "' = '" + kind + "'";
        if ((kind.equals("binary") || kind.equals("ternary")) && Arrays.stream(zeroPoints).anyMatch(z -> z != 0)) {
            throw new OnnxLayerDecoder.Unsupported(source + ", but tensor '" + tensor + "' has a non-zero zero point "
                    + "(zero points " + Arrays.toString(zeroPoints) + " after the shift to signed codes)");
        }
        if (kind.equals("binary")) {
            return new WeightStorage.Binary(axis, scales);
        }
        if (kind.equals("ternary")) {
            return WeightStorage.IntN.ternary(axis, scales);
        }
        String body = kind.startsWith("int") ? kind.substring(3) : "";
        boolean narrow = body.endsWith("-narrow");
        body = narrow ? body.substring(0, body.length() - "-narrow".length()) : body;
        int bits;
        try {
            bits = Integer.parseInt(body);
        } catch (NumberFormatException e) {
            throw new OnnxLayerDecoder.Unsupported(source + " is not a storage kind; expected intB or intB-narrow "
                    + "(B = 2 to 8), ternary or binary");
        }
        if (bits < 2 || bits > containerBits) {
            throw new OnnxLayerDecoder.Unsupported(source + " does not fit tensor '" + tensor + "', a "
                    + containerBits + "-bit container; expected 2 to " + containerBits + " bits");
        }
        return new WeightStorage.IntN(bits, narrow, axis, scales, zeroPoints);
    }

    private static void checkCodes(WeightStorage storage, int[] codes, String tensor) {
        int lo = storage instanceof WeightStorage.IntN n ? n.qmin() : -1;
        int hi = storage instanceof WeightStorage.IntN n ? n.qmax() : 1;
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] < lo || codes[i] > hi) {
                throw new OnnxLayerDecoder.Unsupported("tensor '" + tensor + "' holds code " + codes[i]
                        + " at index " + i + ", outside the " + storage.kind() + " range [" + lo + ", " + hi + "]");
            }
        }
    }

    private static OnnxTensor constantInput(OnnxNode node, Map<String, OnnxTensor> constants, int index,
                                            String role) {
        String name = node.inputs().size() > index ? node.input(index) : "";
        OnnxTensor t = constants.get(name);
        if (t == null) {
            throw new OnnxLayerDecoder.Unsupported(role + " ('" + name + "') must be an initializer or a Constant");
        }
        return t;
    }
}
