package dev.gancompress.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Model;
import dev.gancompress.model.Shape;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad files fail with a GanCompressException that names the file and what is wrong. */
class OnnxImportErrorsTest {
    @TempDir
    Path dir;

    @Test
    void randomBytesAreNotOnnx() throws Exception {
        Random rnd = new Random(1);
        for (int trial = 0; trial < 20; trial++) {
            byte[] junk = new byte[1 + rnd.nextInt(4096)];
            rnd.nextBytes(junk);
            Path file = dir.resolve("junk" + trial + ".onnx");
            Files.write(file, junk);
            assertThatThrownBy(() -> OnnxImporter.read(file))
                    .isInstanceOf(GanCompressException.class)
                    .hasMessageContaining("file " + file + " is not an ONNX model: ");
        }
    }

    @Test
    void truncatedFileIsNotOnnx() throws Exception {
        byte[] valid = OnnxExporter.toBytes(OnnxTestModels.everyLayer(1), Map.of());
        for (int cut : new int[] {1, 7, valid.length / 3, valid.length / 2, valid.length - 200}) {
            Path file = dir.resolve("cut" + cut + ".onnx");
            Files.write(file, Arrays.copyOf(valid, cut));
            assertThatThrownBy(() -> OnnxImporter.read(file))
                    .isInstanceOf(GanCompressException.class)
                    .hasMessageStartingWith("file " + file + " is not an ONNX model: ");
        }
    }

    @Test
    void textFileIsNotOnnx() throws Exception {
        Path file = dir.resolve("readme.onnx");
        Files.writeString(file, "# Model card\nThis generator was trained on Fashion-MNIST.\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> OnnxImporter.read(file))
                .isInstanceOf(GanCompressException.class)
                .hasMessageStartingWith("file " + file + " is not an ONNX model: ");
    }

    @Test
    void emptyFileIsNotOnnx() throws Exception {
        Path file = dir.resolve("empty.onnx");
        Files.write(file, new byte[0]);
        assertThatThrownBy(() -> OnnxImporter.read(file))
                .isInstanceOf(GanCompressException.class)
                .hasMessage("file " + file + " is not an ONNX model: the file is empty");
    }

    @Test
    void missingFileIsNamed() {
        Path file = dir.resolve("nope.onnx");
        assertThatThrownBy(() -> OnnxImporter.read(file))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void unsupportedOpIsNamedWithTheSupportedList() {
        OnnxNode softmax = new OnnxNode("probs", "Softmax", "", List.of("x"), List.of("y"),
                List.of(OnnxAttribute.ofInt("axis", 1)));
        byte[] bytes = ProtoWriter.encode(model(List.of(softmax), List.of()));
        assertThatThrownBy(() -> OnnxImporter.fromBytes(bytes, "classifier.onnx"))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("classifier.onnx")
                .hasMessageContaining("'probs'")
                .hasMessageContaining("'Softmax'")
                .hasMessageContaining("supported ops: Gemm, Conv, ConvTranspose");
    }

    @Test
    void unsupportedAttributeNamesNodeOpAndReason() {
        OnnxTensor w = OnnxTensor.ofFloats("w", new int[] {4, 2, 3, 3}, new float[72]);
        // group 3 divides neither W's 4 filters nor (with W's 2 channels per filter) the 4 input channels
        OnnxNode grouped = new OnnxNode("dw", "Conv", "", List.of("x", "w"), List.of("y"),
                List.of(OnnxAttribute.ofInt("group", 3)));
        byte[] bytes = ProtoWriter.encode(model(List.of(grouped), List.of(w)));
        assertThatThrownBy(() -> OnnxImporter.fromBytes(bytes, "grouped.onnx"))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("grouped.onnx")
                .hasMessageContaining("'dw' (op Conv)")
                .hasMessageContaining("group = 3");
    }

    @Test
    void asymmetricPaddingIsImportedAndNegativePaddingRefused() {
        OnnxTensor w = OnnxTensor.ofFloats("w", new int[] {4, 4, 3, 3}, new float[144]);
        OnnxNode conv = new OnnxNode("c", "Conv", "", List.of("x", "w"), List.of("y"),
                List.of(OnnxAttribute.ofInts("pads", 0, 0, 1, 1), OnnxAttribute.ofInts("strides", 2, 2)));
        Model m = OnnxImporter.fromBytes(ProtoWriter.encode(model(List.of(conv), List.of(w))), "pad.onnx");
        // TensorFlow's "same" at stride 2 on an even size: one row and column more at the end
        assertThat(((Conv2d) m.node("c").layer()).kernel()).isEqualTo(Kernel2d.square(3, 2, 0).padded(0, 0, 1, 1));
        assertThat(m.outputShape()).isEqualTo(Shape.of(4, 3, 3));
        OnnxNode cropped = new OnnxNode("c", "Conv", "", List.of("x", "w"), List.of("y"),
                List.of(OnnxAttribute.ofInts("pads", 1, 1, -1, 1)));
        byte[] bytes = ProtoWriter.encode(model(List.of(cropped), List.of(w)));
        assertThatThrownBy(() -> OnnxImporter.fromBytes(bytes, "neg.onnx"))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("'c' (op Conv)")
                .hasMessageContaining("negative");
    }

    @Test
    void twoGraphOutputsAreRefusedNamingBothAndTheirNodes() {
        OnnxNode relu = new OnnxNode("act", "Relu", "", List.of("x"), List.of("y"), List.of());
        OnnxNode tanh = new OnnxNode("side", "Tanh", "", List.of("x"), List.of("z"), List.of());
        OnnxModelProto one = model(List.of(relu, tanh), List.of());
        OnnxGraph g = one.graph();
        OnnxGraph two = new OnnxGraph(g.name(), g.nodes(), g.initializers(), g.inputs(),
                List.of(g.outputs().get(0), new OnnxValueInfo("z", OnnxTensor.FLOAT, List.of(), "")));
        byte[] bytes = ProtoWriter.encode(new OnnxModelProto(one.irVersion(), one.producerName(),
                one.producerVersion(), one.opsets(), two, one.metadata()));
        assertThatThrownBy(() -> OnnxImporter.fromBytes(bytes, "gd.onnx"))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("gd.onnx")
                .hasMessageContaining("2 outputs")
                .hasMessageContaining("'y'").hasMessageContaining("'z'")
                .hasMessageContaining("act").hasMessageContaining("side");
    }

    @Test
    void aSymbolicSpatialSizeIsRefusedNamingTheNodeThatReadsIt() {
        OnnxValueInfo x = new OnnxValueInfo("x", OnnxTensor.FLOAT, List.of(OnnxValueInfo.Dimension.symbolic("N"),
                OnnxValueInfo.Dimension.fixed(4), OnnxValueInfo.Dimension.symbolic("H"),
                OnnxValueInfo.Dimension.fixed(6)), "");
        OnnxTensor w = OnnxTensor.ofFloats("w", new int[] {4, 4, 3, 3}, new float[144]);
        OnnxNode conv = new OnnxNode("first_conv", "Conv", "", List.of("x", "w"), List.of("y"), List.of());
        OnnxModelProto base = model(List.of(conv), List.of(w));
        OnnxGraph g = base.graph();
        byte[] bytes = ProtoWriter.encode(new OnnxModelProto(base.irVersion(), base.producerName(),
                base.producerVersion(), base.opsets(),
                new OnnxGraph(g.name(), g.nodes(), g.initializers(), List.of(x), g.outputs()), base.metadata()));
        assertThatThrownBy(() -> OnnxImporter.fromBytes(bytes, "dynamic-hw.onnx"))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("dynamic-hw.onnx")
                .hasMessageContaining("first_conv")
                .hasMessageContaining("cannot be folded");
    }

    @Test
    void modelWithoutGraphIsNotOnnx() {
        byte[] headerOnly = new byte[] {0x08, 0x08}; // field 1 (ir_version), varint 8
        assertThatThrownBy(() -> OnnxImporter.fromBytes(headerOnly, "header.onnx"))
                .isInstanceOf(GanCompressException.class)
                .hasMessage("file header.onnx is not an ONNX model: it has no graph (ModelProto.graph)");
    }

    /** A model with one float input x [N, 4, 6, 6] and output y. */
    private static OnnxModelProto model(List<OnnxNode> nodes, List<OnnxTensor> initializers) {
        OnnxValueInfo x = new OnnxValueInfo("x", OnnxTensor.FLOAT, List.of(OnnxValueInfo.Dimension.symbolic("N"),
                OnnxValueInfo.Dimension.fixed(4), OnnxValueInfo.Dimension.fixed(6), OnnxValueInfo.Dimension.fixed(6)),
                "");
        OnnxValueInfo y = new OnnxValueInfo("y", OnnxTensor.FLOAT, List.of(), "");
        OnnxGraph g = new OnnxGraph("g", nodes, initializers, List.of(x), List.of(y));
        return new OnnxModelProto(8, "test", "1", List.of(new OnnxModelProto.OpsetId("", 17)), g, Map.of());
    }
}
