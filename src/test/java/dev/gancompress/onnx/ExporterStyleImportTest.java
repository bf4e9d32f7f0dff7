package dev.gancompress.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Pad2d;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.runtime.OnnxRuntimeBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files in the shapes torch.onnx.export and tf2onnx write ({@link ExporterGraphs}) import, and the engine computes
 * what ONNX Runtime computes on the original file (within 1e-4), as does ORT on gancompress's re-export.
 */
class ExporterStyleImportTest {
    @TempDir
    Path dir;

    @Test
    void pytorchDcganFoldsTheDynamicReshapeChain() {
        byte[] file = ExporterGraphs.bytes(new ExporterGraphs(1).pytorchDcgan());
        OnnxImporter.Imported imported = OnnxImporter.importFile(write("g.onnx", file));
        Model m = imported.model();

        assertThat(m.inputs()).containsExactly(new Input("z", Input.Kind.LATENT, Shape.of(16), 0));
        assertThat(m.nodes()).extracting(n -> n.layer().opName()).containsExactly("Linear", "Reshape",
                "BatchNormalization", "Relu", "ConvTranspose", "BatchNormalization", "LeakyRelu", "ConvTranspose",
                "Conv", "Tanh");
        assertThat(m.node("/Reshape").layer()).isEqualTo(new Reshape(Shape.of(8, 4, 4)));
        assertThat(m.outputShape()).isEqualTo(Shape.of(3, 16, 16));
        assertThat(((BatchNorm2d) m.node("/bn1/BatchNormalization").layer()).eps()).isEqualTo(1e-5f);
        assertThat(imported.folded()).anyMatch(s -> s.contains("Dropout")).anyMatch(s -> s.contains("Shape"));
        assertSameAsOrt(file, m, 3);
    }

    @Test
    void reflectPadResidualBlockWithResize() {
        byte[] file = ExporterGraphs.bytes(new ExporterGraphs(2).pytorchResnetBlock());
        OnnxImporter.Imported imported = OnnxImporter.importFile(write("block.onnx", file));
        Model m = imported.model();

        assertThat(m.node("/pad1/Pad").layer()).isEqualTo(new Pad2d(Pad2d.Mode.REFLECT, 1, 1, 1, 1));
        assertThat(m.node("/pad3/Pad").layer()).isEqualTo(new Pad2d(Pad2d.Mode.EDGE, 0, 2, 1, 0));
        // The zero Pad moved into the second convolution's padding.
        assertThat(m.nodes()).extracting(Node::name).doesNotContain("/pad2/Pad");
        assertThat(((Conv2d) m.node("/c2/Conv").layer()).kernel().padH()).isEqualTo(1);
        assertThat(m.outputShape()).isEqualTo(Shape.of(4, 14, 16));
        assertSameAsOrt(file, m, 2);
        assertThat(ReferenceForward.forward(m, OnnxTestModels.inputs(m, 2, 9))
                .maxAbsDifference(new Network(m).forward(OnnxTestModels.inputs(m, 2, 9), false))).isLessThan(1e-4);
    }

    @Test
    void tf2onnxNhwcWrappingIsFolded() {
        byte[] file = ExporterGraphs.bytes(new ExporterGraphs(3).tf2onnxGenerator());
        OnnxImporter.Imported imported = OnnxImporter.importFile(write("tf.onnx", file));
        Model m = imported.model();

        assertThat(m.nodes()).extracting(n -> n.layer().opName()).containsExactly("Linear", "Reshape",
                "ConvTranspose", "Relu", "Conv", "Tanh");
        assertThat(m.outputShape()).isEqualTo(Shape.of(3, 8, 8));
        assertThat(imported.folded()).anyMatch(s -> s.contains("MatMul") && s.contains("Gemm"))
                .anyMatch(s -> s.contains("permuted to NCHW")).anyMatch(s -> s.contains("writes it NCHW"));

        Map<String, Tensor> x = OnnxTestModels.inputs(m, 3, 4);
        try (OnnxRuntimeBackend original = new OnnxRuntimeBackend(file, 1)) {
            Tensor nhwc = original.run(Map.of("z:0", x.get("z:0")));
            Tensor engine = new Network(m).forward(x, false);
            assertThat(toNhwc(engine).maxAbsDifference(nhwc)).isLessThan(1e-4);
        }
    }

    @Test
    void externalDataIsReadNextToTheModel() throws IOException {
        OnnxModelProto proto = new ExporterGraphs(1).pytorchDcgan();
        ByteArrayOutputStream side = new ByteArrayOutputStream();
        byte[] file = ProtoWriter.encode(proto, new ProtoWriter.ExternalSink("g.onnx.data", side, 256));
        Files.write(dir.resolve("g.onnx.data"), side.toByteArray());
        Path model = write("g.onnx", file);
        assertThat(side.size()).isGreaterThan(file.length); // the weights really are outside

        Model m = OnnxImporter.read(model);
        Model inline = OnnxImporter.fromBytes(ExporterGraphs.bytes(new ExporterGraphs(1).pytorchDcgan()), "inline");
        Linear fc = (Linear) m.node("/fc/Gemm").layer();
        assertThat(fc.weight().data()).containsExactly(((Linear) inline.node("/fc/Gemm").layer()).weight().data());
        Map<String, Tensor> x = OnnxTestModels.inputs(m, 2, 5);
        try (OnnxRuntimeBackend original = new OnnxRuntimeBackend(model, 1)) {
            assertThat(new Network(m).forward(x, false).maxAbsDifference(original.run(x))).isLessThan(1e-4);
        }
        // Bytes alone have no directory to resolve the side file against.
        assertThatThrownBy(() -> OnnxImporter.fromBytes(file, "mem.onnx")).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("external file 'g.onnx.data'");
    }

    @Test
    void externalDataOutsideTheModelDirectoryIsRefused() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("models"));
        for (String location : List.of("../secret.bin", dir.resolve("secret.bin").toAbsolutePath().toString())) {
            ByteArrayOutputStream side = new ByteArrayOutputStream();
            byte[] file = ProtoWriter.encode(new ExporterGraphs(1).pytorchDcgan(),
                    new ProtoWriter.ExternalSink(location, side, 256));
            Files.write(dir.resolve("secret.bin"), side.toByteArray());
            Path model = Files.write(sub.resolve("g.onnx"), file);
            assertThatThrownBy(() -> OnnxImporter.read(model)).isInstanceOf(GanCompressException.class)
                    .hasMessageContaining(location).hasMessageContaining("outside the model's directory");
        }
        ByteArrayOutputStream side = new ByteArrayOutputStream();
        Path model = Files.write(sub.resolve("h.onnx"), ProtoWriter.encode(new ExporterGraphs(1).pytorchDcgan(),
                new ProtoWriter.ExternalSink("missing.data", side, 256)));
        assertThatThrownBy(() -> OnnxImporter.read(model)).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void float16ModelIsUpcastExactly() {
        OnnxModelProto proto = new ExporterGraphs(6).float16Conv();
        byte[] file = ExporterGraphs.bytes(proto);
        Model m = OnnxImporter.fromBytes(file, "half.onnx");
        Conv2d conv = (Conv2d) m.node("/conv/Conv").layer();
        int[] bits = proto.graph().initializers().get(0).ints();
        for (int i = 0; i < bits.length; i++) {
            assertThat(conv.weight().data()[i]).isEqualTo(WeightStorage.Fp16.fromHalf(bits[i]));
        }
        Map<String, Tensor> x = OnnxTestModels.inputs(m, 2, 7);
        float[] d = x.get("x").data(); // inputs the float16 model can hold exactly
        for (int i = 0; i < d.length; i++) {
            d[i] = WeightStorage.Fp16.fromHalf(WeightStorage.Fp16.toHalf(d[i]));
        }
        Tensor engine = new Network(m).forward(x, false);
        try (OnnxRuntimeBackend original = new OnnxRuntimeBackend(file, 1);
             OnnxRuntimeBackend fp32 = new OnnxRuntimeBackend(OnnxExporter.toBytes(m, Map.of()), 1)) {
            assertThat(fp32.run(x).maxAbsDifference(engine)).isLessThan(1e-4);
            // ORT computes the original in float16 arithmetic: agreement to float16 precision.
            assertThat(original.run(x).maxAbsDifference(engine)).isLessThan(1e-2);
        }
    }

    @Test
    void gemmAlphaBetaAndScalarBiasFold() {
        ExporterGraphs g = new ExporterGraphs(8);
        g.gemm("/fc/Gemm", "z", "fc", 5, 4, "y");
        OnnxModelProto base = g.model("g", List.of(ExporterGraphs.info("z", OnnxTensor.FLOAT, "batch", 5L)),
                List.of(ExporterGraphs.info("y", OnnxTensor.FLOAT, "batch", 4L)), 17);
        OnnxNode gemm = base.graph().nodes().get(0);
        OnnxNode scaled = new OnnxNode(gemm.name(), "Gemm", "", List.of("z", "fc.weight", "c"), gemm.outputs(),
                List.of(OnnxAttribute.ofFloat("alpha", 0.5f), OnnxAttribute.ofFloat("beta", -2f),
                        OnnxAttribute.ofInt("transB", 1)));
        List<OnnxTensor> inits = new java.util.ArrayList<>(base.graph().initializers());
        inits.add(OnnxTensor.ofFloats("c", new int[] {1}, new float[] {0.25f}));
        byte[] file = ExporterGraphs.bytes(new OnnxModelProto(8, "p", "1", base.opsets(), new OnnxGraph("g",
                List.of(scaled), inits, base.graph().inputs(), base.graph().outputs()), Map.of()));
        assertSameAsOrt(file, OnnxImporter.fromBytes(file, "gemm.onnx"), 3);
    }

    @Test
    void opset9UpsampleAndSameConvTranspose() {
        ExporterGraphs g = new ExporterGraphs(9);
        g.initializerForTest(OnnxTensor.ofFloats("scales", new int[] {4}, new float[] {1, 1, 2, 2}));
        g.node("up", "Upsample", List.of("x", "scales"), "u", OnnxAttribute.ofString("mode", "nearest"));
        g.initializerForTest(g.gaussian("w", 0.3, 3, 2, 4, 4));
        g.node("ct", "ConvTranspose", List.of("u", "w"), "y", OnnxAttribute.ofString("auto_pad", "SAME_UPPER"),
                OnnxAttribute.ofInts("strides", 2, 2), OnnxAttribute.ofInts("kernel_shape", 4, 4));
        byte[] file = ExporterGraphs.bytes(g.model("old", List.of(ExporterGraphs.info("x", OnnxTensor.FLOAT, "N", 3L,
                3L, 4L)), List.of(ExporterGraphs.info("y", OnnxTensor.FLOAT, "N", 2L, 12L, 16L)), 9));
        Model m = OnnxImporter.fromBytes(file, "old.onnx");
        assertThat(m.outputShape()).isEqualTo(Shape.of(2, 12, 16));
        assertSameAsOrt(file, m, 2);
    }

    private static Tensor toNhwc(Tensor t) {
        int n = t.shape()[0];
        int c = t.shape()[1];
        int h = t.shape()[2];
        int w = t.shape()[3];
        float[] out = new float[t.data().length];
        for (int s = 0; s < n; s++) {
            for (int k = 0; k < c; k++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        out[((s * h + y) * w + x) * c + k] = t.data()[((s * c + k) * h + y) * w + x];
                    }
                }
            }
        }
        return new Tensor(new int[] {n, h, w, c}, out);
    }

    /** Engine and ORT (on the re-export) against ORT on the original file, on a seeded batch. */
    static void assertSameAsOrt(byte[] original, Model m, int batch) {
        Map<String, Tensor> x = OnnxTestModels.inputs(m, batch, 11);
        try (OnnxRuntimeBackend ort = new OnnxRuntimeBackend(original, 1);
             OnnxRuntimeBackend reexported = new OnnxRuntimeBackend(OnnxExporter.toBytes(m, Map.of()), 1)) {
            Tensor expected = ort.run(x);
            assertThat(new Network(m).forward(x, false).maxAbsDifference(expected)).isLessThan(1e-4);
            assertThat(reexported.run(x).maxAbsDifference(expected)).isLessThan(1e-4);
        }
    }

    private Path write(String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
