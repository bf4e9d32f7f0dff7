package dev.gancompress.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.model.Upsample;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.runtime.OnnxRuntimeBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A file shaped like PyTorch's exporter writes it, encoded field by field here (not with gancompress's writer):
 * doc strings, producer, model_version and value_info that the reader must skip; initializers repeated as graph
 * inputs; a fixed batch of 1; node names distinct from their output names; a bias-free Conv; an Identity; a
 * Constant feeding Resize in half-pixel mode; Flatten; Gemm with transB = 1 whose bias is packed float_data.
 */
class ForeignOnnxImportTest {
    private final Random rnd = new Random(5);
    private final float[] convWeight = gaussian(3 * 2 * 3 * 3);
    private final float[] fcWeight = gaussian(5 * 192);
    private final float[] fcBias = gaussian(5);

    @Test
    void importsPytorchStyleGraph() throws IOException {
        byte[] bytes = pytorchStyleFile();
        Model m = OnnxImporter.fromBytes(bytes, "torch.onnx");

        assertThat(m.name()).isEqualTo("main_graph");
        assertThat(m.inputs()).containsExactly(new Input("input", Input.Kind.IMAGE, Shape.of(2, 4, 4), 0));
        assertThat(m.nodes()).extracting(n -> n.name())
                .containsExactly("/conv/Conv", "/act/Relu", "/up/Resize", "/Flatten", "/fc/Gemm");
        assertThat(m.node("/up/Resize").inputs()).containsExactly("/act/Relu"); // Identity skipped
        assertThat(m.node("/up/Resize").layer()).isEqualTo(new Upsample(2));
        assertThat(m.node("/Flatten").layer()).isEqualTo(new Reshape(Shape.of(192)));
        Conv2d conv = (Conv2d) m.node("/conv/Conv").layer();
        assertThat(conv.bias()).isNull();
        assertThat(conv.weight().data()).containsExactly(convWeight);
        Linear fc = (Linear) m.node("/fc/Gemm").layer();
        assertThat(fc.weight().data()).containsExactly(fcWeight);
        assertThat(fc.bias().data()).containsExactly(fcBias);
        assertThat(m.output()).isEqualTo("/fc/Gemm");
        assertThat(m.outputShape()).isEqualTo(Shape.of(5));
        assertThat(m.metadata()).containsEntry("exported_by", "a test");

        // The imported model computes what the original file computes, in ORT and in the engine.
        Map<String, Tensor> x = OnnxTestModels.inputs(m, 1, 3);
        try (OnnxRuntimeBackend original = new OnnxRuntimeBackend(bytes, 1);
             OnnxRuntimeBackend reexported = new OnnxRuntimeBackend(OnnxExporter.toBytes(m, Map.of()), 1)) {
            Tensor expected = original.run(x);
            assertThat(reexported.run(x).maxAbsDifference(expected)).isLessThan(1e-6);
            assertThat(new Network(m).forward(x, false).maxAbsDifference(expected)).isLessThan(1e-4);
            assertThat(ReferenceForward.forward(m, x).maxAbsDifference(expected)).isLessThan(1e-4);
        }
    }

    @Test
    void gemmWithoutTransposeIsTransposedOnImport() {
        float[] b = {1, 2, 3, 4, 5, 6}; // B is [in = 2, out = 3]
        OnnxTensor weight = OnnxTensor.ofFloats("B", new int[] {2, 3}, b);
        OnnxNode gemm = new OnnxNode("g", "Gemm", "", List.of("v", "B"), List.of("y"), List.of());
        OnnxValueInfo v = new OnnxValueInfo("v", OnnxTensor.FLOAT,
                List.of(OnnxValueInfo.Dimension.symbolic("batch"), OnnxValueInfo.Dimension.fixed(2)), "");
        OnnxGraph g = new OnnxGraph("g", List.of(gemm), List.of(weight), List.of(v),
                List.of(new OnnxValueInfo("y", OnnxTensor.FLOAT, List.of(), "")));
        Model m = OnnxImporter.fromBytes(ProtoWriter.encode(new OnnxModelProto(7, "x", "1",
                List.of(new OnnxModelProto.OpsetId("", 13)), g, Map.of())), "gemm.onnx");
        Linear fc = (Linear) m.node("g").layer();
        assertThat(fc.weight().shape()).containsExactly(3, 2);
        assertThat(fc.weight().data()).containsExactly(1, 4, 2, 5, 3, 6);
        assertThat(m.inputs().get(0).kind()).isEqualTo(Input.Kind.LATENT);
    }

    private byte[] pytorchStyleFile() throws IOException {
        byte[] graph = message(out -> {
            out.writeByteArray(1, node("/conv/Conv", "Conv", List.of("input", "conv.weight"),
                    "/conv/Conv_output_0", List.of(ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1),
                            ints("strides", 1, 1), ints("dilations", 1, 1), intAttr("group", 1))));
            out.writeByteArray(1, node("/act/Relu", "Relu", List.of("/conv/Conv_output_0"), "/act/Relu_output_0",
                    List.of()));
            out.writeByteArray(1, node("/Identity", "Identity", List.of("/act/Relu_output_0"),
                    "/Identity_output_0", List.of()));
            out.writeByteArray(1, node("/up/Constant", "Constant", List.of(), "/up/Constant_output_0",
                    List.of(tensorAttr("value", rawFloatTensor("", new long[] {4}, new float[] {1, 1, 2, 2})))));
            out.writeByteArray(1, node("/up/Resize", "Resize", List.of("/Identity_output_0", "",
                    "/up/Constant_output_0"), "/up/Resize_output_0", List.of(stringAttr("mode", "nearest"))));
            out.writeByteArray(1, node("/Flatten", "Flatten", List.of("/up/Resize_output_0"),
                    "/Flatten_output_0", List.of(intAttr("axis", 1))));
            out.writeByteArray(1, node("/fc/Gemm", "Gemm", List.of("/Flatten_output_0", "fc.weight", "fc.bias"),
                    "logits", List.of(floatAttr("alpha", 1f), floatAttr("beta", 1f), intAttr("transB", 1))));
            out.writeString(2, "main_graph");
            out.writeByteArray(5, rawFloatTensor("conv.weight", new long[] {3, 2, 3, 3}, convWeight));
            out.writeByteArray(5, rawFloatTensor("fc.weight", new long[] {5, 192}, fcWeight));
            out.writeByteArray(5, message(t -> { // float_data, packed, instead of raw_data
                t.writeInt64(1, 5);
                t.writeInt32(2, OnnxTensor.FLOAT);
                t.writeString(8, "fc.bias");
                t.writeTag(4, 2);
                t.writeUInt32NoTag(4 * fcBias.length);
                for (float f : fcBias) {
                    t.writeFloatNoTag(f);
                }
            }));
            out.writeString(10, "graph doc string");
            out.writeByteArray(11, valueInfo("input", 1, 2, 4, 4));
            out.writeByteArray(11, valueInfo("conv.weight", 3, 2, 3, 3)); // initializer listed as input
            out.writeByteArray(12, valueInfo("logits", 1, 5));
            out.writeByteArray(13, valueInfo("/conv/Conv_output_0", 1, 3, 4, 4)); // value_info: skipped
        });
        return message(out -> {
            out.writeInt64(1, 8);
            out.writeString(2, "pytorch");
            out.writeString(3, "2.5.0");
            out.writeInt64(5, 1);
            out.writeString(6, "model doc string");
            out.writeByteArray(7, graph);
            out.writeByteArray(8, message(o -> o.writeInt64(2, 17)));
            out.writeByteArray(14, message(o -> {
                o.writeString(1, "exported_by");
                o.writeString(2, "a test");
            }));
        });
    }

    private float[] gaussian(int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = (float) (rnd.nextGaussian() * 0.3);
        }
        return d;
    }

    private interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        body.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] node(String name, String op, List<String> inputs, String output, List<byte[]> attrs)
            throws IOException {
        return message(out -> {
            for (String in : inputs) {
                out.writeString(1, in);
            }
            out.writeString(2, output);
            out.writeString(3, name);
            out.writeString(4, op);
            for (byte[] a : attrs) {
                out.writeByteArray(5, a);
            }
            out.writeString(6, "node doc string");
        });
    }

    private static byte[] ints(String name, long... values) throws IOException {
        return message(out -> {
            out.writeString(1, name);
            // packed, as proto3 writers do; the reader takes both forms
            out.writeTag(8, 2);
            int size = 0;
            for (long v : values) {
                size += CodedOutputStream.computeInt64SizeNoTag(v);
            }
            out.writeUInt32NoTag(size);
            for (long v : values) {
                out.writeInt64NoTag(v);
            }
            out.writeEnum(20, OnnxAttribute.INTS);
        });
    }

    private static byte[] intAttr(String name, long value) throws IOException {
        return message(out -> {
            out.writeString(1, name);
            out.writeInt64(3, value);
            out.writeEnum(20, OnnxAttribute.INT);
        });
    }

    private static byte[] floatAttr(String name, float value) throws IOException {
        return message(out -> {
            out.writeString(1, name);
            out.writeFloat(2, value);
            out.writeEnum(20, OnnxAttribute.FLOAT);
        });
    }

    private static byte[] stringAttr(String name, String value) throws IOException {
        return message(out -> {
            out.writeString(1, name);
            out.writeString(4, value);
            out.writeEnum(20, OnnxAttribute.STRING);
            out.writeString(13, "attribute doc string");
        });
    }

    private static byte[] tensorAttr(String name, byte[] tensor) throws IOException {
        return message(out -> {
            out.writeString(1, name);
            out.writeByteArray(5, tensor);
            out.writeEnum(20, OnnxAttribute.TENSOR);
        });
    }

    private static byte[] rawFloatTensor(String name, long[] dims, float[] values) throws IOException {
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return message(out -> {
            for (long d : dims) {
                out.writeInt64(1, d);
            }
            out.writeInt32(2, OnnxTensor.FLOAT);
            out.writeString(8, name);
            out.writeByteArray(9, raw.array());
            out.writeString(12, "tensor doc string");
        });
    }

    private static byte[] valueInfo(String name, long... dims) throws IOException {
        byte[] shape = message(out -> {
            for (long d : dims) {
                out.writeByteArray(1, message(o -> o.writeInt64(1, d)));
            }
        });
        byte[] tensorType = message(out -> {
            out.writeInt32(1, OnnxTensor.FLOAT);
            out.writeByteArray(2, shape);
        });
        return message(out -> {
            out.writeString(1, name);
            out.writeByteArray(2, message(o -> o.writeByteArray(1, tensorType)));
            out.writeString(3, "value doc string");
        });
    }
}
