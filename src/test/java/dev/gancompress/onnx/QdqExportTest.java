package dev.gancompress.onnx;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.model.Weights;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.runtime.OnnxRuntimeBackend;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Stored weights in ONNX: integer initializers with DequantizeLinear, 16-bit initializers with Cast; ONNX Runtime
 * computes what the engine computes; a round trip keeps every storage description and value bit-exactly.
 */
class QdqExportTest {
    private static final double TOLERANCE = 1e-4;

    /** A storage for one tensor from its values and output-channel axis (-1 for per tensor). */
    private interface StorageChoice extends Function<Weights, WeightStorage> {
    }

    private static float[] scales(Weights w, int axis, int qmax) {
        int channels = axis < 0 ? 1 : w.dim(axis);
        int inner = 1;
        for (int d = axis + 1; axis >= 0 && d < w.rank(); d++) {
            inner *= w.dim(d);
        }
        float[] max = new float[channels];
        for (int i = 0; i < w.size(); i++) {
            int c = axis < 0 ? 0 : (i / inner) % channels;
            max[c] = Math.max(max[c], Math.abs(w.data()[i]));
        }
        for (int c = 0; c < channels; c++) {
            max[c] = max[c] > 0 ? max[c] / qmax : 1f;
        }
        return max;
    }

    /** Every format, on every weight matrix or kernel; biases fp16, normalisation scales int8 per tensor. */
    private static final Map<String, Function<int[], Function<Weights, WeightStorage>>> KINDS = kinds();

    private static Map<String, Function<int[], Function<Weights, WeightStorage>>> kinds() {
        Map<String, Function<int[], Function<Weights, WeightStorage>>> k = new LinkedHashMap<>();
        k.put("int8 per channel", axis -> w -> WeightStorage.IntN.symmetric(8, axis[0], scales(w, axis[0], 127)));
        k.put("int8 per tensor, zero points", axis -> w -> new WeightStorage.IntN(8, false, -1,
                new float[] {scales(w, -1, 100)[0]}, new int[] {-7}));
        k.put("int4 per channel", axis -> w -> WeightStorage.IntN.symmetric(4, axis[0], scales(w, axis[0], 7)));
        k.put("int3 per channel, zero points", axis -> w -> {
            float[] s = scales(w, axis[0], 3);
            int[] z = new int[s.length];
            Arrays.fill(z, 1);
            return new WeightStorage.IntN(3, false, axis[0], s, z);
        });
        k.put("int6 per tensor", axis -> w -> WeightStorage.IntN.symmetric(6, -1, scales(w, -1, 31)));
        k.put("ternary", axis -> w -> WeightStorage.IntN.ternary(axis[0], scales(w, axis[0], 2)));
        k.put("binary", axis -> w -> new WeightStorage.Binary(axis[0], scales(w, axis[0], 2)));
        k.put("fp16", axis -> w -> new WeightStorage.Fp16());
        k.put("bf16", axis -> w -> new WeightStorage.Bf16());
        return k;
    }

    /** The model with {@code kind} on its weights (values projected onto the grid), a mask on binary ones. */
    private static Model stored(Model m, Function<int[], Function<Weights, WeightStorage>> kind, boolean binary) {
        for (Node n : m.nodes()) {
            for (WeightSlot slot : n.layer().weights()) {
                Weights w = slot.weights();
                if (slot.role().equals("weight") && w.rank() >= 2) {
                    w.setStorage(kind.apply(new int[] {n.layer().outputChannelAxis(slot)}).apply(w));
                    if (binary) {
                        float[] mask = new float[w.size()];
                        for (int i = 0; i < mask.length; i++) {
                            mask[i] = i % 3 == 0 ? 0 : 1;
                        }
                        w.setMask(mask);
                    }
                } else if (slot.role().equals("bias")) {
                    w.setStorage(new WeightStorage.Fp16());
                } else if (slot.role().equals("weight")) {
                    w.setStorage(WeightStorage.IntN.symmetric(8, -1, scales(w, -1, 127)));
                }
                w.projectToStorage();
            }
        }
        return m;
    }

    private static List<Model> models(long seed) {
        return List.of(OnnxTestModels.everyLayer(seed), OnnxTestModels.conditional(seed + 1),
                OnnxTestModels.imageInput(seed + 2));
    }

    @Test
    void ortComputesWhatTheEngineComputesForEveryStorage() {
        for (var kind : KINDS.entrySet()) {
            for (Model plain : models(50)) {
                Model m = stored(plain, kind.getValue(), kind.getKey().equals("binary"));
                Map<String, Tensor> inputs = OnnxTestModels.inputs(m, 3, 51);
                Tensor engine = new Network(m).forward(inputs, false);
                try (OnnxRuntimeBackend ort = new OnnxRuntimeBackend(OnnxExporter.toBytes(m, Map.of()), 1)) {
                    assertThat(ort.run(inputs).maxAbsDifference(engine)).as(kind.getKey() + ", " + m.name())
                            .isLessThan(TOLERANCE);
                }
            }
        }
    }

    @Test
    void aRoundTripKeepsEveryDescriptionAndValueBitExactly() {
        for (var kind : KINDS.entrySet()) {
            for (Model plain : models(60)) {
                Model m = stored(plain, kind.getValue(), kind.getKey().equals("binary"));
                byte[] bytes = OnnxExporter.toBytes(m, Map.of());
                Model back = OnnxImporter.fromBytes(bytes, "memory");
                String what = kind.getKey() + ", " + m.name();
                Map<String, WeightSlot> before = m.weightSlots();
                Map<String, WeightSlot> after = back.weightSlots();
                assertThat(after.keySet()).as(what).containsExactlyElementsOf(before.keySet());
                for (String t : before.keySet()) {
                    Weights a = before.get(t).weights();
                    Weights b = after.get(t).weights();
                    assertThat(b.storage()).as(what + " " + t).isEqualTo(a.storage());
                    assertThat(b.data()).as(what + " " + t).isEqualTo(a.data());
                    assertThat(b.codes()).as(what + " " + t).isEqualTo(a.codes());
                    assertThat(b.mask()).as(what + " " + t + " (binary code 0 is a pruned entry)").isEqualTo(a.mask());
                }
                Map<String, String> written = new LinkedHashMap<>(m.metadata());
                written.put(OnnxExporter.VERSION_KEY, OnnxExporter.TOOL_VERSION);
                assertThat(back.metadata()).as(what + ": no storage keys left in the IR").isEqualTo(written);
                assertThat(Arrays.equals(OnnxExporter.toBytes(back, Map.of()), bytes)).as(what + ": re-export is "
                        + "byte-identical").isTrue();
                assertThat(back.copy().weightSlots().get(before.keySet().iterator().next()).weights().storage())
                        .as("Model.copy keeps the description")
                        .isEqualTo(before.values().iterator().next().weights().storage());
            }
        }
    }

    @Test
    void integerWeightsAreWrittenAsIntegersNotFloats() {
        Model int8 = stored(OnnxTestModels.imageInput(70), KINDS.get("int8 per channel"), false);
        OnnxModelProto proto = OnnxExporter.toProto(int8, Map.of());
        assertThat(proto.irVersion()).isEqualTo(OnnxExporter.IR_VERSION);
        assertThat(proto.defaultOpsetVersion()).isEqualTo(OnnxExporter.OPSET);
        Map<String, OnnxTensor> init = new LinkedHashMap<>();
        proto.graph().initializers().forEach(t -> init.put(t.name(), t));
        assertThat(init).doesNotContainKey("c1.weight");
        OnnxTensor codes = init.get("c1.weight.quantized");
        assertThat(codes.dataType()).isEqualTo(OnnxTensor.INT8);
        assertThat(codes.ints()).isEqualTo(int8.node("c1").layer().weights().get(0).weights().codes());
        assertThat(init.get("c1.weight.scale").dims()).containsExactly(4);
        assertThat(init).doesNotContainKey("c1.weight.zero_point");
        OnnxNode dq = proto.graph().nodes().stream().filter(n -> n.opType().equals("DequantizeLinear")).findFirst()
                .orElseThrow();
        assertThat(dq.inputs()).containsExactly("c1.weight.quantized", "c1.weight.scale");
        assertThat(dq.outputs()).containsExactly("c1.weight");
        assertThat(dq.attribute("axis").i()).isZero();
        assertThat(proto.metadata()).containsEntry("gancompress.storage.c1.weight", "int8-narrow");

        Model int4 = stored(OnnxTestModels.everyLayer(71), KINDS.get("int4 per channel"), false);
        OnnxModelProto proto4 = OnnxExporter.toProto(int4, Map.of());
        assertThat(proto4.irVersion()).isEqualTo(OnnxExporter.INT4_IR_VERSION);
        assertThat(proto4.defaultOpsetVersion()).isEqualTo(OnnxExporter.INT4_OPSET);
        OnnxTensor rect = proto4.graph().initializers().stream().filter(t -> t.name().equals("rect.weight.quantized"))
                .findFirst().orElseThrow();
        assertThat(rect.dataType()).isEqualTo(OnnxTensor.INT4);
        // 10 x 3 x 4 x 3 = 360 codes: 180 bytes, two per byte
        assertThat(ProtoWriter.packInts(rect.ints(), 4)).hasSize(180);
        OnnxNode rectDq = proto4.graph().nodes().stream().filter(n -> n.outputs().contains("rect.weight"))
                .findFirst().orElseThrow();
        assertThat(rectDq.attribute("axis").i()).as("ConvTranspose output channels are axis 1").isEqualTo(1);

        Model fp32 = OnnxTestModels.imageInput(72);
        assertThat(OnnxExporter.toProto(fp32, Map.of()).defaultOpsetVersion()).isEqualTo(OnnxExporter.OPSET);
    }

    @Test
    void fourBitPackingIsLowNibbleFirstAndSignExtended() throws Exception {
        int[] values = {-8, 7, -1, 0, 3};
        byte[] packed = ProtoWriter.packInts(values, 4);
        assertThat(packed).containsExactly((byte) 0x78, (byte) 0x0F, (byte) 0x03);
        assertThat(ProtoReader.unpackInts("t", OnnxTensor.INT4, packed, 5)).containsExactly(values);
        assertThat(ProtoReader.unpackInts("t", OnnxTensor.UINT4, packed, 5)).containsExactly(8, 7, 15, 0, 3);
        assertThatThrownBy(() -> ProtoReader.unpackInts("t", OnnxTensor.INT4, packed, 7))
                .hasMessageContaining("tensor 't' has 3 bytes of raw_data, expected 4");
    }

    /** A Gemm reading a uint8 DequantizeLinear, as other quantisation tools write it. */
    private static OnnxModelProto foreignUint8(List<OnnxTensor> extra, String dqInput, String kind) {
        int[] codes = {0, 128, 255, 130, 100, 129};
        List<OnnxTensor> init = new ArrayList<>(List.of(
                OnnxTensor.ofInts("Bq", OnnxTensor.UINT8, new long[] {2, 3}, codes),
                new OnnxTensor("Bs", OnnxTensor.FLOAT, new long[] {2}, new float[] {0.5f, 0.25f}, null),
                OnnxTensor.ofInts("Bz", OnnxTensor.UINT8, new long[] {2}, new int[] {128, 127})));
        init.addAll(extra);
        List<OnnxNode> nodes = List.of(
                new OnnxNode("dq", "DequantizeLinear", "", List.of(dqInput, "Bs", "Bz"), List.of("B"),
                        List.of(OnnxAttribute.ofInt("axis", 0))),
                new OnnxNode("fc", "Gemm", "", List.of("x", "B"), List.of("y"),
                        List.of(OnnxAttribute.ofInt("transB", 1))));
        OnnxValueInfo x = new OnnxValueInfo("x", OnnxTensor.FLOAT, List.of(OnnxValueInfo.Dimension.symbolic("N"),
                OnnxValueInfo.Dimension.fixed(3)), "");
        OnnxValueInfo y = new OnnxValueInfo("y", OnnxTensor.FLOAT, List.of(OnnxValueInfo.Dimension.symbolic("N"),
                OnnxValueInfo.Dimension.fixed(2)), "");
        return new OnnxModelProto(8, "other-tool", "1", List.of(new OnnxModelProto.OpsetId("", 13)),
                new OnnxGraph("g", nodes, init, List.of(x), List.of(y)),
                kind == null ? Map.of() : Map.of("gancompress.storage.B", kind));
    }

    @Test
    void aForeignUint8QdqWeightImportsWithItsValuesAndRunsAsInOrt() {
        byte[] bytes = ProtoWriter.encode(foreignUint8(List.of(), "Bq", null));
        Model m = OnnxImporter.fromBytes(bytes, "foreign.onnx");
        Weights w = m.node("fc").layer().weights().get(0).weights();
        WeightStorage.IntN s = (WeightStorage.IntN) w.storage();
        assertThat(s.bits()).isEqualTo(8);
        assertThat(s.narrowRange()).isFalse();
        assertThat(s.axis()).isZero();
        assertThat(s.zeroPoints()).containsExactly(0, -1);
        // (q - z) x s of the uint8 codes, unchanged by the shift to int8
        assertThat(w.data()).containsExactly(-64f, 0f, 63.5f, 0.75f, -6.75f, 0.5f);
        Map<String, Tensor> inputs = OnnxTestModels.inputs(m, 4, 3);
        try (OnnxRuntimeBackend ort = new OnnxRuntimeBackend(bytes, 1)) {
            assertThat(ort.run(inputs).maxAbsDifference(new Network(m).forward(inputs, false))).isLessThan(TOLERANCE);
        }
    }

    @Test
    void aPerAxisWeightOfAnUntransposedGemmKeepsItsOutputChannelScales() {
        // B is [in 3, out 2] with one scale per output column (axis 1); the IR stores [out, in], scales on axis 0
        List<OnnxTensor> init = List.of(
                OnnxTensor.ofInts("Bq", OnnxTensor.INT8, new long[] {3, 2}, new int[] {1, -2, 3, -4, 5, -6}),
                new OnnxTensor("Bs", OnnxTensor.FLOAT, new long[] {2}, new float[] {0.5f, 0.25f}, null));
        List<OnnxNode> nodes = List.of(
                new OnnxNode("dq", "DequantizeLinear", "", List.of("Bq", "Bs"), List.of("B"),
                        List.of(OnnxAttribute.ofInt("axis", 1))),
                new OnnxNode("fc", "Gemm", "", List.of("x", "B"), List.of("y"), List.of()));
        OnnxValueInfo x = new OnnxValueInfo("x", OnnxTensor.FLOAT, List.of(OnnxValueInfo.Dimension.symbolic("N"),
                OnnxValueInfo.Dimension.fixed(3)), "");
        OnnxValueInfo y = new OnnxValueInfo("y", OnnxTensor.FLOAT, List.of(OnnxValueInfo.Dimension.symbolic("N"),
                OnnxValueInfo.Dimension.fixed(2)), "");
        byte[] bytes = ProtoWriter.encode(new OnnxModelProto(8, "other-tool", "1",
                List.of(new OnnxModelProto.OpsetId("", 13)), new OnnxGraph("g", nodes, init, List.of(x), List.of(y)),
                Map.of()));
        Model m = OnnxImporter.fromBytes(bytes, "untransposed.onnx");
        Weights w = m.node("fc").layer().weights().get(0).weights();
        assertThat(w.shape()).containsExactly(2, 3);
        assertThat(w.storage()).isEqualTo(new WeightStorage.IntN(8, false, 0, new float[] {0.5f, 0.25f},
                new int[2]));
        assertThat(w.data()).containsExactly(0.5f, 1.5f, 2.5f, -0.5f, -1f, -1.5f);
        assertThat(w.codes()).containsExactly(1, 3, 5, -2, -4, -6);
        Map<String, Tensor> inputs = OnnxTestModels.inputs(m, 4, 5);
        try (OnnxRuntimeBackend ort = new OnnxRuntimeBackend(bytes, 1)) {
            assertThat(ort.run(inputs).maxAbsDifference(new Network(m).forward(inputs, false))).isLessThan(TOLERANCE);
        }
    }

    @Test
    void storedWeightsThatHaveNoIrEquivalentAreRefusedWithTheReason() {
        OnnxTensor wide = OnnxTensor.ofInts("Bq8", OnnxTensor.UINT8, new long[] {2, 3}, new int[] {0, 1, 2, 3, 4, 5});
        assertThatThrownBy(() -> OnnxImporter.fromBytes(ProtoWriter.encode(foreignUint8(List.of(), "Bq", "int9")),
                "bad.onnx"))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("file bad.onnx: node 'dq' (op DequantizeLinear)")
                .hasMessageContaining("metadata 'gancompress.storage.B' = 'int9' does not fit tensor 'Bq', a 8-bit "
                        + "container; expected 2 to 8 bits");
        assertThatThrownBy(() -> OnnxImporter.fromBytes(ProtoWriter.encode(foreignUint8(List.of(wide), "Bq8",
                "int2-narrow")), "bad.onnx"))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("tensor 'Bq8' holds code -128 at index 0, outside the int2-narrow range [-1, 1]");
        assertThatThrownBy(() -> OnnxImporter.fromBytes(ProtoWriter.encode(foreignUint8(List.of(), "Bq",
                "ternary")), "bad.onnx"))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("metadata 'gancompress.storage.B' = 'ternary', but tensor 'Bq' has a non-zero "
                        + "zero point (zero points [0, -1]");
        // DequantizeLinear of an activation (the input x) is activation quantisation, not a stored weight
        assertThatThrownBy(() -> OnnxImporter.fromBytes(ProtoWriter.encode(foreignUint8(List.of(), "x", null)),
                "act.onnx"))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("it reads 'x', which is not a constant")
                .hasMessageContaining("DequantizeLinear of stored weights only");
    }
}
