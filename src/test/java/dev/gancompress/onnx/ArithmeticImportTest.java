package dev.gancompress.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Activation;
import dev.gancompress.model.Affine;
import dev.gancompress.model.Input;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Weights;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Arithmetic by a constant (as one Affine layer) and Clip, as PyTorch exports them; checked against ORT. */
class ArithmeticImportTest {
    private static List<OnnxValueInfo> image(String name) {
        return List.of(ExporterGraphs.info(name, OnnxTensor.FLOAT, "batch", 3L, 4L, 4L));
    }

    @Test
    void tanhPlusOneOverTwoBecomesOneAffine() {
        ExporterGraphs g = new ExporterGraphs(17);
        g.initializerForTest(OnnxTensor.ofFloats("s", new int[] {1, 3, 1, 1}, new float[] {2f, -0.5f, 3f}));
        g.initializerForTest(OnnxTensor.ofFloats("one", new int[0], new float[] {1f}));
        g.initializerForTest(OnnxTensor.ofFloats("two", new int[0], new float[] {2f}));
        g.node("/Mul", "Mul", List.of("x", "s"), "m");
        g.node("/Tanh", "Tanh", List.of("m"), "t");
        g.node("/Add", "Add", List.of("t", "one"), "a");
        g.node("/Div", "Div", List.of("a", "two"), "y");
        byte[] file = ExporterGraphs.bytes(g.model("g", image("x"), image("y"), 17));
        Model m = OnnxImporter.fromBytes(file, "tanh.onnx");
        assertThat(m.nodes()).extracting(n -> n.layer().opName()).containsExactly("Affine", "Tanh", "Affine");
        Affine last = (Affine) m.node("/Div").layer();
        assertThat(last.scale().data()).containsExactly(0.5f);
        assertThat(last.shift().data()).containsExactly(0.5f);
        ExporterStyleImportTest.assertSameAsOrt(file, m, 3);
    }

    @Test
    void clipZeroSixAsInputsAndAsAttributes() {
        ExporterGraphs g = new ExporterGraphs(17);
        g.initializerForTest(OnnxTensor.ofFloats("k", new int[0], new float[] {8f}));
        g.initializerForTest(OnnxTensor.ofFloats("lo", new int[0], new float[] {0f}));
        g.initializerForTest(OnnxTensor.ofFloats("hi", new int[0], new float[] {6f}));
        g.node("/Mul", "Mul", List.of("k", "x"), "m");
        g.node("/Clip", "Clip", List.of("m", "lo", "hi"), "y");
        byte[] file = ExporterGraphs.bytes(g.model("g", image("x"), image("y"), 17));
        Model m = OnnxImporter.fromBytes(file, "relu6.onnx");
        assertThat(m.node("/Clip").layer()).isEqualTo(Activation.relu6());
        ExporterStyleImportTest.assertSameAsOrt(file, m, 3);

        ExporterGraphs old = new ExporterGraphs(9);
        old.initializerForTest(OnnxTensor.ofFloats("c", new int[] {3, 1, 1}, new float[] {1f, 2f, 3f}));
        old.node("/Sub", "Sub", List.of("c", "x"), "s");
        old.node("/Clip", "Clip", List.of("s"), "y", OnnxAttribute.ofFloat("min", -1f),
                OnnxAttribute.ofFloat("max", 1f));
        byte[] file9 = ExporterGraphs.bytes(old.model("g", image("x"), image("y"), 9));
        Model m9 = OnnxImporter.fromBytes(file9, "hardtanh.onnx");
        assertThat(m9.node("/Clip").layer()).isEqualTo(Activation.clip(-1f, 1f));
        ExporterStyleImportTest.assertSameAsOrt(file9, m9, 3);
    }

    @Test
    void productOfTwoActivationsIsRefusedNamingTheNode() {
        ExporterGraphs g = new ExporterGraphs(17);
        g.node("/Tanh", "Tanh", List.of("x"), "t");
        g.node("/gate/Mul", "Mul", List.of("x", "t"), "y");
        byte[] file = ExporterGraphs.bytes(g.model("g", image("x"), image("y"), 17));
        assertThatThrownBy(() -> OnnxImporter.fromBytes(file, "gate.onnx"))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("/gate/Mul")
                .hasMessageContaining("Mul of two computed values");
    }

    @Test
    void affineAndClipRoundTripThroughOurExport() {
        Model m = new Model("affine", List.of(Input.image("x", 3, 4, 4)), List.of(
                Node.of("scale", new Affine(new Weights(new int[] {3}, new float[] {2f, -1f, 0.25f}),
                        new Weights(new int[] {3}, new float[] {0.5f, 0f, -3f})), "x"),
                Node.of("relu6", Activation.relu6(), "scale"),
                Node.of("shift", Affine.perTensor(1f, -0.75f), "relu6"),
                Node.of("clip", Activation.clip(-0.5f, 2f), "shift")), "clip", Map.of());
        byte[] file = OnnxExporter.toBytes(m, OnnxRoundTripTest.PROVENANCE);
        Model back = OnnxImporter.fromBytes(file, "affine.onnx");
        OnnxRoundTripTest.assertSameModel(m, back);
        ExporterStyleImportTest.assertSameAsOrt(file, back, 2);
        ExporterStyleImportTest.assertSameAsOrt(file, m, 2);
    }
}
