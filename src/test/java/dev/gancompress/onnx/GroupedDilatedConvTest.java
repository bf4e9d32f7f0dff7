package dev.gancompress.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Layer;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Shape;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Grouped (ResNeXt), depthwise (MobileNet) and dilated (atrous) convolutions end to end: the engine against a plain
 * loop reference, a file in torch.onnx.export's style against ONNX Runtime (original and re-export), what stays
 * refused, and PyTorch's own converted test cases shipped in libonnx-testdata.
 */
class GroupedDilatedConvTest {
    private static final Path PYTORCH_CONVERTED = ConformanceSuite.DEBIAN_NODE_TESTS.resolveSibling("pytorch-converted");

    @TempDir
    Path dir;

    private static Model single(Shape in, Layer layer) {
        return OnnxTestModels.randomize(new Model("one", List.of(Input.image("x", in.channels(), in.height(),
                in.width())), List.of(Node.of("layer", layer, "x")), "layer", Map.of()), 5);
    }

    @Test
    void engineMatchesTheLoopReference() {
        List<Model> models = List.of(
                single(Shape.of(4, 7, 6), Conv2d.create(4, 6, Kernel2d.square(3, 1, 1), 2, true)),
                single(Shape.of(6, 9, 8), Conv2d.create(6, 6, Kernel2d.square(3, 2, 1), 6, true)),
                single(Shape.of(3, 6, 6), Conv2d.create(3, 6, Kernel2d.square(5, 1, 2), 3, false)),
                single(Shape.of(2, 9, 10), Conv2d.create(2, 3, new Kernel2d(3, 2, 1, 2, 2, 1, 2, 3), true)),
                single(Shape.of(4, 8, 8), Conv2d.create(4, 4, Kernel2d.square(3, 2, 2).dilated(2, 2), 2, true)),
                single(Shape.of(4, 5, 5), Conv2d.create(4, 8, Kernel2d.square(1, 1, 0), 4, true)),
                // few output channels at stride 1 would take the direct path if it ignored groups or dilation
                single(Shape.of(2, 6, 6), Conv2d.create(2, 2, Kernel2d.square(3, 1, 2).dilated(2, 2), 2, true)),
                single(Shape.of(3, 4, 5), ConvTranspose2d.create(3, 2, Kernel2d.square(3, 2, 1).dilated(2, 2), 1,
                        true)),
                single(Shape.of(3, 6, 6), Conv2d.create(3, 3, Kernel2d.square(3, 2, 0).padded(0, 1, 1, 0), 3, true)),
                single(Shape.of(2, 3, 4), ConvTranspose2d.create(2, 2, Kernel2d.square(3, 2, 0).padded(1, 0, 0, 2), 1,
                        false)));
        for (Model m : models) {
            Map<String, Tensor> x = OnnxTestModels.inputs(m, 2, 3);
            Tensor engine = new Network(m).forward(x, false);
            assertThat(engine.maxAbsDifference(ReferenceForward.forward(m, x))).as(m.node("layer").layer()
                    .toString()).isLessThan(1e-5);
        }
    }

    @Test
    void groupedMacsAndParameters() {
        Model m = single(Shape.of(8, 10, 10), Conv2d.create(8, 8, Kernel2d.square(3, 1, 1), 8, true));
        // depthwise: each of the 8 filters reads one channel, 9 taps at 100 positions
        assertThat(m.macs()).isEqualTo(8L * 100 * 9);
        assertThat(m.parameterCount()).isEqualTo(8 * 9 + 8);
        // the cost model reads the same accounting
        dev.gancompress.metrics.CostReport cost = dev.gancompress.metrics.CostModel.of(m,
                dev.gancompress.metrics.CostModel.Options.defaults());
        assertThat(cost.totals().macs()).isEqualTo(8L * 100 * 9);
        assertThat(cost.totals().parameters()).isEqualTo(8 * 9 + 8);
        Model g2 = single(Shape.of(8, 10, 10), Conv2d.create(8, 4, Kernel2d.square(3, 1, 2).dilated(2, 2), 2,
                false));
        assertThat(g2.macs()).isEqualTo(4L * 100 * 4 * 9);
        assertThat(g2.outputShape()).isEqualTo(Shape.of(4, 10, 10));
    }

    /**
     * What torch.onnx.export writes for a MobileNet-like generator tail: a dense conv, a depthwise conv (group = C,
     * stride 2), a grouped dilated conv, a dilated ConvTranspose back up, and convs with auto_pad SAME_UPPER /
     * SAME_LOWER / VALID as tf2onnx writes them.
     */
    static byte[] grouped() {
        ExporterGraphs g = new ExporterGraphs(21);
        g.conv("/stem/Conv", "x", "stem", 3, 8, 3, 1, "/stem/out");
        g.node("/act/Relu", "Relu", List.of("/stem/out"), "/act/out");
        g.initializerForTest(g.gaussian("dw.weight", 0.3, 8, 1, 3, 3));
        g.initializerForTest(g.gaussian("dw.bias", 0.1, 8));
        g.node("/dw/Conv", "Conv", List.of("/act/out", "dw.weight", "dw.bias"), "/dw/out",
                OnnxAttribute.ofInts("dilations", 1, 1), OnnxAttribute.ofInt("group", 8),
                OnnxAttribute.ofInts("kernel_shape", 3, 3), OnnxAttribute.ofInts("pads", 1, 1, 1, 1),
                OnnxAttribute.ofInts("strides", 2, 2));
        g.initializerForTest(g.gaussian("gd.weight", 0.3, 6, 4, 3, 3));
        g.node("/gd/Conv", "Conv", List.of("/dw/out", "gd.weight"), "/gd/out",
                OnnxAttribute.ofInts("dilations", 2, 2), OnnxAttribute.ofInt("group", 2),
                OnnxAttribute.ofInts("kernel_shape", 3, 3), OnnxAttribute.ofInts("pads", 2, 2, 2, 2),
                OnnxAttribute.ofInts("strides", 1, 1));
        g.initializerForTest(g.gaussian("up.weight", 0.3, 6, 4, 3, 3));
        g.initializerForTest(g.gaussian("up.bias", 0.1, 4));
        g.node("/up/ConvTranspose", "ConvTranspose", List.of("/gd/out", "up.weight", "up.bias"), "/up/out",
                OnnxAttribute.ofInts("dilations", 2, 2), OnnxAttribute.ofInt("group", 1),
                OnnxAttribute.ofInts("kernel_shape", 3, 3), OnnxAttribute.ofInts("output_padding", 1, 1),
                OnnxAttribute.ofInts("pads", 2, 2, 2, 2), OnnxAttribute.ofInts("strides", 2, 2));
        g.initializerForTest(g.gaussian("su.weight", 0.3, 4, 2, 3, 3));
        g.node("/su/Conv", "Conv", List.of("/up/out", "su.weight"), "/su/out",
                OnnxAttribute.ofString("auto_pad", "SAME_UPPER"), OnnxAttribute.ofInt("group", 2));
        g.initializerForTest(g.gaussian("sl.weight", 0.3, 4, 4, 3, 3));
        g.node("/sl/Conv", "Conv", List.of("/su/out", "sl.weight"), "/sl/out",
                OnnxAttribute.ofString("auto_pad", "SAME_LOWER"));
        g.initializerForTest(g.gaussian("valid.weight", 0.3, 3, 4, 3, 3));
        g.node("/valid/Conv", "Conv", List.of("/sl/out", "valid.weight"), "/valid/out",
                OnnxAttribute.ofString("auto_pad", "VALID"));
        g.node("/Tanh", "Tanh", List.of("/valid/out"), "image");
        return ExporterGraphs.bytes(g.model("main_graph", List.of(ExporterGraphs.info("x", OnnxTensor.FLOAT, "batch",
                3L, 12L, 12L)), List.of(ExporterGraphs.info("image", OnnxTensor.FLOAT, "batch", 3L, 10L, 10L)), 17));
    }

    @Test
    void pytorchStyleGroupedDilatedDepthwiseModelMatchesOrt() {
        byte[] file = grouped();
        Model m = OnnxImporter.fromBytes(file, "grouped.onnx");
        Conv2d dw = (Conv2d) m.node("/dw/Conv").layer();
        assertThat(dw.isDepthwise()).isTrue();
        assertThat(dw.groups()).isEqualTo(8);
        Conv2d gd = (Conv2d) m.node("/gd/Conv").layer();
        assertThat(gd.groups()).isEqualTo(2);
        assertThat(gd.in()).isEqualTo(8);
        assertThat(gd.kernel().dilationH()).isEqualTo(2);
        assertThat(((ConvTranspose2d) m.node("/up/ConvTranspose").layer()).kernel().dilationW()).isEqualTo(2);
        assertThat(((Conv2d) m.node("/su/Conv").layer()).kernel().padH()).isEqualTo(1);
        assertThat(m.outputShape()).isEqualTo(Shape.of(3, 10, 10));
        assertThat(m.macs(m.node("/dw/Conv"))).isEqualTo(8L * 6 * 6 * 9);
        ExporterStyleImportTest.assertSameAsOrt(file, m, 3);
        // The re-export carries group and dilations, and reads back to the same layers.
        Model back = OnnxImporter.fromBytes(OnnxExporter.toBytes(m, Map.of()), "back.onnx");
        Conv2d gdBack = (Conv2d) back.node("/gd/Conv").layer();
        assertThat(gdBack.groups()).isEqualTo(2);
        assertThat(gdBack.kernel()).isEqualTo(gd.kernel());
        assertThat(gdBack.weight().data()).containsExactly(gd.weight().data());
        assertThat(((ConvTranspose2d) back.node("/up/ConvTranspose").layer()).kernel())
                .isEqualTo(((ConvTranspose2d) m.node("/up/ConvTranspose").layer()).kernel());
    }

    /**
     * auto_pad SAME with a dilation pads by the dilated window's extent, as ONNX's reference implementation does
     * (ONNX Runtime refuses this combination, so the loop reference checks it): a 3x3 at dilation 2 spans 5, so
     * stride 1 pads 2 on each side and stride 2 keeps ceil(in / 2).
     */
    @Test
    void samePaddingOfADilatedConvUsesTheWindowExtent() {
        for (int stride : new int[] {1, 2}) {
            ExporterGraphs g = new ExporterGraphs(4);
            g.initializerForTest(g.gaussian("w", 0.3, 2, 2, 3, 3));
            g.node("/c/Conv", "Conv", List.of("x", "w"), "y", OnnxAttribute.ofString("auto_pad", "SAME_LOWER"),
                    OnnxAttribute.ofInts("dilations", 2, 2), OnnxAttribute.ofInts("strides", stride, stride));
            byte[] file = ExporterGraphs.bytes(g.model("m", List.of(ExporterGraphs.info("x", OnnxTensor.FLOAT, "N",
                    2L, 9L, 9L)), List.of(ExporterGraphs.info("y", OnnxTensor.FLOAT, "N", 2L, 9L, 9L)), 17));
            Model m = OnnxImporter.fromBytes(file, "same.onnx");
            Conv2d c = (Conv2d) m.node("/c/Conv").layer();
            assertThat(c.kernel().padH()).isEqualTo(2);
            assertThat(m.outputShape()).isEqualTo(Shape.of(2, (9 + stride - 1) / stride, (9 + stride - 1) / stride));
            Map<String, Tensor> x = OnnxTestModels.inputs(m, 2, 3);
            assertThat(new Network(m).forward(x, false).maxAbsDifference(ReferenceForward.forward(m, x)))
                    .isLessThan(1e-5);
        }
    }

    /**
     * tf2onnx writes TensorFlow's "same" either as auto_pad or as explicit pads; at stride 2 on an even size the total
     * is odd, so the sides differ: Conv SAME_UPPER / SAME_LOWER and explicit [0, 0, 1, 1], ConvTranspose SAME_UPPER
     * and SAME_LOWER (an odd total crops one side more), all against ONNX Runtime.
     */
    @Test
    void asymmetricSamePaddingMatchesOrt() {
        ExporterGraphs g = new ExporterGraphs(8);
        g.initializerForTest(g.gaussian("a.weight", 0.3, 4, 3, 3, 3));
        g.node("/a/Conv", "Conv", List.of("x", "a.weight"), "a", OnnxAttribute.ofString("auto_pad", "SAME_UPPER"),
                OnnxAttribute.ofInts("strides", 2, 2));
        g.initializerForTest(g.gaussian("b.weight", 0.3, 4, 4, 3, 3));
        g.node("/b/Conv", "Conv", List.of("a", "b.weight"), "b", OnnxAttribute.ofInts("pads", 0, 0, 1, 1),
                OnnxAttribute.ofInts("strides", 2, 2));
        g.initializerForTest(g.gaussian("c.weight", 0.3, 4, 3, 3, 3));
        g.node("/c/ConvTranspose", "ConvTranspose", List.of("b", "c.weight"), "c",
                OnnxAttribute.ofString("auto_pad", "SAME_UPPER"), OnnxAttribute.ofInts("strides", 2, 2));
        g.initializerForTest(g.gaussian("d.weight", 0.3, 3, 3, 3, 3));
        g.node("/d/ConvTranspose", "ConvTranspose", List.of("c", "d.weight"), "d",
                OnnxAttribute.ofString("auto_pad", "SAME_LOWER"), OnnxAttribute.ofInts("strides", 2, 2));
        g.initializerForTest(g.gaussian("e.weight", 0.3, 3, 3, 4, 4));
        g.node("/e/Conv", "Conv", List.of("d", "e.weight"), "image", OnnxAttribute.ofString("auto_pad",
                "SAME_LOWER"));
        byte[] file = ExporterGraphs.bytes(g.model("tf", List.of(ExporterGraphs.info("x", OnnxTensor.FLOAT, "N", 3L,
                8L, 8L)), List.of(ExporterGraphs.info("image", OnnxTensor.FLOAT, "N", 3L, 8L, 8L)), 13));
        Model m = OnnxImporter.fromBytes(file, "tf.onnx");
        assertThat(((Conv2d) m.node("/a/Conv").layer()).kernel()).isEqualTo(Kernel2d.square(3, 2, 0)
                .padded(0, 0, 1, 1));
        // a transposed conv's SAME_UPPER crops its extra row at the end too (ONNX's test data and ORT agree)
        assertThat(((ConvTranspose2d) m.node("/c/ConvTranspose").layer()).kernel()).isEqualTo(Kernel2d.square(3, 2, 0)
                .padded(0, 0, 1, 1));
        // an even kernel: 3 in total, SAME_LOWER puts 2 at the start
        assertThat(((Conv2d) m.node("/e/Conv").layer()).kernel()).isEqualTo(Kernel2d.square(4, 1, 0)
                .padded(2, 2, 1, 1));
        assertThat(m.outputShape()).isEqualTo(Shape.of(3, 8, 8));
        ExporterStyleImportTest.assertSameAsOrt(file, m, 2);
    }

    /** ConvTranspose with output_shape (tf2onnx's Conv2DTranspose): an even crop, and a larger output, against ORT. */
    @Test
    void convTransposeOutputShapeBecomesPadsOrOutputPadding() {
        for (long[] shape : new long[][] {{9, 9}, {12, 11}}) {
            byte[] file = outputShapeModel(shape);
            Model m = OnnxImporter.fromBytes(file, "os.onnx");
            assertThat(m.outputShape()).isEqualTo(Shape.of(2, (int) shape[0], (int) shape[1]));
            ExporterStyleImportTest.assertSameAsOrt(file, m, 2);
        }
        ConvTranspose2d t = (ConvTranspose2d) OnnxImporter.fromBytes(outputShapeModel(new long[] {12, 11}), "os.onnx")
                .node("/t/ConvTranspose").layer();
        assertThat(t.outputPadH()).isEqualTo(1);
        assertThat(t.kernel().padH()).isZero();
        assertThatThrownBy(() -> OnnxImporter.fromBytes(outputShapeModel(new long[] {10, 9}), "odd.onnx"))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("/t/ConvTranspose")
                .hasMessageContaining("output_shape [10, 9] crops 1 rows on axis 2 (odd)");
    }

    /** x [N, 3, 5, 5] -> ConvTranspose(3x3, stride 2, output_shape): the full output is 11 x 11. */
    private static byte[] outputShapeModel(long[] shape) {
        ExporterGraphs g = new ExporterGraphs(12);
        g.initializerForTest(g.gaussian("w", 0.3, 3, 2, 3, 3));
        g.initializerForTest(g.gaussian("b", 0.3, 2));
        g.node("/t/ConvTranspose", "ConvTranspose", List.of("x", "w", "b"), "y", OnnxAttribute.ofInts("strides", 2, 2),
                OnnxAttribute.ofInts("output_shape", shape));
        return ExporterGraphs.bytes(g.model("os", List.of(ExporterGraphs.info("x", OnnxTensor.FLOAT, "N", 3L, 5L, 5L)),
                List.of(ExporterGraphs.info("y", OnnxTensor.FLOAT, "N", 2L, shape[0], shape[1])), 13));
    }

    @Test
    void unsupportedGroupingIsRefusedWithOneLine() {
        ExporterGraphs g = new ExporterGraphs(3);
        g.initializerForTest(g.gaussian("w", 0.3, 4, 1, 3, 3));
        g.node("/up/ConvTranspose", "ConvTranspose", List.of("x", "w"), "y", OnnxAttribute.ofInt("group", 4),
                OnnxAttribute.ofInts("strides", 2, 2));
        byte[] file = ExporterGraphs.bytes(g.model("m", List.of(ExporterGraphs.info("x", OnnxTensor.FLOAT, "N", 4L,
                5L, 5L)), List.of(ExporterGraphs.info("y", OnnxTensor.FLOAT, "N", 4L, 11L, 11L)), 17));
        assertThatThrownBy(() -> OnnxImporter.fromBytes(file, "ct.onnx")).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("ct.onnx").hasMessageContaining("/up/ConvTranspose")
                .hasMessageContaining("ConvTranspose").hasMessageContaining("opset 17")
                .hasMessageContaining("group = 4").hasMessageNotContaining("\n");

        ExporterGraphs h = new ExporterGraphs(3);
        h.initializerForTest(h.gaussian("w", 0.3, 6, 2, 3, 3));
        h.node("/c/Conv", "Conv", List.of("x", "w"), "y", OnnxAttribute.ofInt("group", 3));
        byte[] mismatch = ExporterGraphs.bytes(h.model("m", List.of(ExporterGraphs.info("x", OnnxTensor.FLOAT, "N",
                4L, 5L, 5L)), List.of(ExporterGraphs.info("y", OnnxTensor.FLOAT, "N", 6L, 3L, 3L)), 17));
        assertThatThrownBy(() -> OnnxImporter.fromBytes(mismatch, "c.onnx")).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("/c/Conv").hasMessageContaining("group = 3")
                .hasMessageContaining("reads 6 input channels");
    }

    /**
     * PyTorch's own converted module tests (libonnx-testdata's pytorch-converted: depthwise with and without a
     * channel multiplier, groups, dilation, stride, padding): every 2-D Conv and ConvTranspose case passes.
     */
    @Test
    void pytorchConvertedConvolutionCasesPass() throws IOException {
        assumeTrue(Files.isDirectory(PYTORCH_CONVERTED), "libonnx-testdata is not installed");
        Path cases = Files.createDirectories(dir.resolve("cases"));
        List<String> names;
        try (var s = Files.list(PYTORCH_CONVERTED)) {
            names = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("test_Conv2d") || n.startsWith("test_ConvTranspose2d")).sorted().toList();
        }
        for (String n : names) { // copies (a few KB each) of the chosen cases, the suite runs a whole directory
            Path from = PYTORCH_CONVERTED.resolve(n);
            try (var files = Files.walk(from)) {
                for (Path f : files.toList()) {
                    Path to = cases.resolve(n).resolve(from.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(f, to);
                    }
                }
            }
        }
        List<ConformanceSuite.Outcome> outcomes = ConformanceSuite.run(cases);
        outcomes.forEach(o -> System.out.println(o.status() + " " + o.name() + " " + o.detail()));
        assertThat(outcomes).extracting(ConformanceSuite.Outcome::name).contains("test_Conv2d_depthwise",
                "test_Conv2d_depthwise_with_multiplier", "test_Conv2d_groups", "test_Conv2d_dilated");
        assertThat(outcomes).allSatisfy(o -> assertThat(o.status()).as(o.name() + ": " + o.detail())
                .isEqualTo(ConformanceSuite.Status.PASS));
    }
}
