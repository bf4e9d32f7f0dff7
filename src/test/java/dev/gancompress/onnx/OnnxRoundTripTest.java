package dev.gancompress.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gancompress.model.Activation;
import dev.gancompress.model.Input;
import dev.gancompress.model.Layer;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Weights;
import dev.gancompress.nn.Tensor;
import dev.gancompress.runtime.OnnxRuntimeBackend;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxRoundTripTest {
    static final Map<String, String> PROVENANCE =
            Map.of("command", "gancompress export --seed 7", "seed", "7", "dataset_sha256", "ab12cd");

    @TempDir
    Path dir;

    @Test
    void everyLayerTypeSurvivesIrToBytesToIr() {
        assertRoundTrip(OnnxTestModels.everyLayer(1));
    }

    @Test
    void conditionalModelSurvivesRoundTrip() {
        Model m = OnnxTestModels.conditional(2);
        Model back = assertRoundTrip(m);
        assertThat(back.input(Input.Kind.LABEL).numClasses()).isEqualTo(5);
    }

    @Test
    void imageInputModelSurvivesRoundTrip() {
        Model back = assertRoundTrip(OnnxTestModels.imageInput(3));
        assertThat(back.inputs().get(0).kind()).isEqualTo(Input.Kind.IMAGE);
    }

    @Test
    void unusedLabelKeepsItsClassCountThroughMetadata() {
        Model m = new Model("with_label", List.of(Input.latent("z", 4), Input.label("y", 7)),
                List.of(Node.of("a", Activation.tanh(), "z")), "a", Map.of());
        Model back = OnnxImporter.fromBytes(OnnxExporter.toBytes(m, Map.of()), "mem");
        assertThat(back.input(Input.Kind.LABEL).numClasses()).isEqualTo(7);
        assertThat(back.metadata()).doesNotContainKey("gancompress.num_classes.y");
    }

    @Test
    void reExportIsByteIdentical() {
        byte[] first = OnnxExporter.toBytes(OnnxTestModels.everyLayer(4), PROVENANCE);
        byte[] second = OnnxExporter.toBytes(OnnxImporter.fromBytes(first, "mem"), Map.of());
        assertThat(second).isEqualTo(first);
    }

    @Test
    void writeIsAtomicAndReadable() throws Exception {
        Model m = OnnxTestModels.conditional(5);
        Path file = dir.resolve("sub/model.onnx");
        OnnxExporter.write(m, file, PROVENANCE);
        OnnxExporter.write(m, file, PROVENANCE); // overwriting an existing file works too
        try (var listing = Files.list(file.getParent())) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("model.onnx");
        }
        assertSameModel(m, OnnxImporter.read(file));
        try (OnnxRuntimeBackend ort = new OnnxRuntimeBackend(file, 1)) {
            Tensor y = ort.run(OnnxTestModels.inputs(m, 2, 9));
            assertThat(y.shape()).containsExactly(2, 3, 8, 8);
        }
    }

    @Test
    void fileCarriesOnnxHeaderFieldsAndBatchSymbol() {
        OnnxModelProto proto = OnnxImporter.parse(OnnxExporter.toBytes(OnnxTestModels.conditional(6), PROVENANCE), "m");
        assertThat(proto.irVersion()).isEqualTo(8);
        assertThat(proto.defaultOpsetVersion()).isEqualTo(17);
        assertThat(proto.graph().inputs().get(0).dims().get(0).param()).isEqualTo("N");
        assertThat(proto.graph().inputs().get(1).elemType()).isEqualTo(OnnxTensor.INT64);
        OnnxNode bn = proto.graph().nodes().stream().filter(n -> n.name().equals("bn")).findFirst().orElseThrow();
        assertThat(bn.attribute("momentum").f()).isEqualTo(0.9f); // ONNX momentum = 1 - PyTorch momentum
        OnnxTensor shape = proto.graph().initializers().stream().filter(t -> t.name().equals("fc_map.shape"))
                .findFirst().orElseThrow();
        assertThat(shape.longs()).containsExactly(0, 4, 4, 4);
    }

    @Test
    void ortRunsEveryWrittenModelWithTheBatchSizeGiven() {
        for (Model m : List.of(OnnxTestModels.everyLayer(1), OnnxTestModels.conditional(2),
                OnnxTestModels.imageInput(3))) {
            try (OnnxRuntimeBackend ort = new OnnxRuntimeBackend(OnnxExporter.toBytes(m, PROVENANCE), 1)) {
                for (int batch : new int[] {1, 3}) {
                    Tensor y = ort.run(OnnxTestModels.inputs(m, batch, 11));
                    int[] expected = new int[m.outputShape().rank() + 1];
                    expected[0] = batch;
                    System.arraycopy(m.outputShape().dims(), 0, expected, 1, m.outputShape().rank());
                    assertThat(y.shape()).as(m.name()).containsExactly(expected);
                    for (float v : y.data()) {
                        assertThat(Float.isFinite(v)).isTrue();
                    }
                }
            }
        }
    }

    private static Model assertRoundTrip(Model m) {
        Model back = OnnxImporter.fromBytes(OnnxExporter.toBytes(m, PROVENANCE), m.name() + ".onnx");
        assertSameModel(m, back);
        return back;
    }

    /** Same structure, names, shapes and hyperparameters; weights equal bit for bit; metadata plus provenance. */
    static void assertSameModel(Model expected, Model actual) {
        assertThat(actual.name()).isEqualTo(expected.name());
        assertThat(actual.inputs()).isEqualTo(expected.inputs());
        assertThat(actual.output()).isEqualTo(expected.output());
        assertThat(actual.shapes()).isEqualTo(expected.shapes());
        Map<String, String> meta = new LinkedHashMap<>(expected.metadata());
        meta.putAll(PROVENANCE);
        meta.put(OnnxExporter.VERSION_KEY, OnnxExporter.TOOL_VERSION);
        assertThat(actual.metadata()).isEqualTo(meta);
        assertThat(actual.nodes()).hasSameSizeAs(expected.nodes());
        for (int i = 0; i < expected.nodes().size(); i++) {
            Node e = expected.nodes().get(i);
            Node a = actual.nodes().get(i);
            assertThat(a.name()).isEqualTo(e.name());
            assertThat(a.inputs()).isEqualTo(e.inputs());
            assertSameLayer(e.name(), e.layer(), a.layer());
        }
    }

    private static void assertSameLayer(String node, Layer expected, Layer actual) {
        assertThat(actual.getClass()).as(node).isEqualTo(expected.getClass());
        for (RecordComponent c : expected.getClass().getRecordComponents()) {
            Object e = get(c, expected);
            Object a = get(c, actual);
            if (e instanceof Weights we) {
                Weights wa = (Weights) a;
                assertThat(wa.shape()).as(node + "." + c.getName()).containsExactly(we.shape());
                assertThat(Arrays.equals(wa.data(), we.data())).as(node + "." + c.getName() + " bits").isTrue();
            } else {
                assertThat(Objects.equals(a, e)).as(node + "." + c.getName() + ": " + a + " vs " + e).isTrue();
            }
        }
    }

    private static Object get(RecordComponent c, Object record) {
        try {
            return c.getAccessor().invoke(record);
        } catch (ReflectiveOperationException ex) {
            throw new AssertionError(ex);
        }
    }
}
