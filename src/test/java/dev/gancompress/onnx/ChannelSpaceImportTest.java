package dev.gancompress.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.prune.ChannelCriterion;
import dev.gancompress.compress.prune.ChannelDependencyGraph;
import dev.gancompress.compress.prune.ChannelPruning;
import dev.gancompress.compress.prune.ChannelSurgery;
import dev.gancompress.model.DepthToSpace;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.model.SpaceToDepth;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.runtime.OnnxRuntimeBackend;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A sub-pixel generator as PyTorch exports it (Conv -> PixelShuffle, written DepthToSpace CRD) and TensorFlow's
 * depth_to_space (DCR) and space_to_depth import, compute what ONNX Runtime computes, survive channel pruning, and
 * re-export; so do the widened Flatten and Gemm forms.
 */
class ChannelSpaceImportTest {
    /** x [N, 3, 4, 4] -> stem Conv -> Relu -> Conv -> PixelShuffle(2) -> Conv -> DepthToSpace(2, DCR) -> S2D(4). */
    private static byte[] subPixelGenerator() {
        ExporterGraphs g = new ExporterGraphs(5);
        g.conv("/stem/Conv", "x", "stem", 3, 6, 3, 1, "/stem/out");
        g.node("/stem/Relu", "Relu", List.of("/stem/out"), "/stem/act");
        g.conv("/up1/Conv", "/stem/act", "up1", 6, 16, 3, 1, "/up1/out");
        g.node("/up1/DepthToSpace", "DepthToSpace", List.of("/up1/out"), "/ps1",
                OnnxAttribute.ofInt("blocksize", 2), OnnxAttribute.ofString("mode", "CRD"));
        g.conv("/up2/Conv", "/ps1", "up2", 4, 8, 3, 1, "/up2/out");
        g.node("/up2/DepthToSpace", "DepthToSpace", List.of("/up2/out"), "/ps2",
                OnnxAttribute.ofInt("blocksize", 2));
        g.node("/s2d", "SpaceToDepth", List.of("/ps2"), "/s2d/out", OnnxAttribute.ofInt("blocksize", 4));
        g.node("/Tanh", "Tanh", List.of("/s2d/out"), "y");
        return ExporterGraphs.bytes(g.model("subpixel", List.of(ExporterGraphs.info("x", OnnxTensor.FLOAT, "N", 3L,
                4L, 4L)), List.of(ExporterGraphs.info("y", OnnxTensor.FLOAT, "N", 32L, 4L, 4L)), 17));
    }

    @Test
    void subPixelGeneratorImportsMatchesOrtAndPrunes() {
        byte[] file = subPixelGenerator();
        Model m = OnnxImporter.fromBytes(file, "subpixel.onnx");
        assertThat(m.node("/up1/DepthToSpace").layer()).isEqualTo(new DepthToSpace(2, DepthToSpace.Mode.CRD));
        assertThat(m.node("/up2/DepthToSpace").layer()).isEqualTo(new DepthToSpace(2, DepthToSpace.Mode.DCR));
        assertThat(m.node("/s2d").layer()).isEqualTo(new SpaceToDepth(4));
        assertThat(m.outputShape()).isEqualTo(Shape.of(32, 4, 4));
        ExporterStyleImportTest.assertSameAsOrt(file, m, 2);
        // the re-export reads back to the same layers
        Model again = OnnxImporter.fromBytes(OnnxExporter.toBytes(m, Map.of()), "again.onnx");
        assertThat(again.nodes()).extracting(n -> n.layer().opName()).isEqualTo(m.nodes().stream()
                .map(n -> n.layer().opName()).toList());

        // channels that become pixels cannot be pruned one by one; the stem's can
        ChannelDependencyGraph graph = ChannelDependencyGraph.of(m);
        assertThat(graph.group("/up1/Conv").fixedReason()).contains("moves its channels into space");
        assertThat(graph.group("/stem/Conv").prunable()).isTrue();
        Model pruned = ChannelSurgery.removeChannels(m, graph,
                new ChannelPruning(ChannelPruning.Config.uniform(0.5, ChannelCriterion.L1_NORM)).plan(m, graph));
        assertThat(pruned.macs()).isLessThan(m.macs());
        Map<String, Tensor> x = OnnxTestModels.inputs(pruned, 2, 3);
        try (OnnxRuntimeBackend ort = new OnnxRuntimeBackend(OnnxExporter.toBytes(pruned, Map.of()), 1)) {
            assertThat(ort.run(x).maxAbsDifference(new Network(pruned).forward(x, false))).isLessThan(1e-4);
        }
    }

    @Test
    void badBlockSizesAreRefusedNamingTheNode() {
        ExporterGraphs g = new ExporterGraphs(6);
        g.node("/d2s", "DepthToSpace", List.of("x"), "y", OnnxAttribute.ofInt("blocksize", 2));
        byte[] file = ExporterGraphs.bytes(g.model("bad", List.of(ExporterGraphs.info("x", OnnxTensor.FLOAT, "N", 6L,
                2L, 2L)), List.of(ExporterGraphs.info("y", OnnxTensor.FLOAT, "N", 1L, 4L, 4L)), 13));
        assertThatThrownBy(() -> OnnxImporter.fromBytes(file, "bad.onnx")).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("node '/d2s' (op DepthToSpace) at opset 13")
                .hasMessageContaining("divisible by 4");
        ExporterGraphs h = new ExporterGraphs(6);
        h.node("/d2s", "DepthToSpace", List.of("x"), "y", OnnxAttribute.ofInt("blocksize", 2),
                OnnxAttribute.ofString("mode", "XYZ"));
        byte[] mode = ExporterGraphs.bytes(h.model("bad", List.of(ExporterGraphs.info("x", OnnxTensor.FLOAT, "N", 4L,
                2L, 2L)), List.of(ExporterGraphs.info("y", OnnxTensor.FLOAT, "N", 1L, 4L, 4L)), 13));
        assertThatThrownBy(() -> OnnxImporter.fromBytes(mode, "bad.onnx")).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("mode XYZ is not supported; DCR and CRD are");
    }

    /** x [3, 1, 1, 6] -> Flatten(axis -1) -> Gemm(alpha 0.5, beta 2) with B [6, 4] and C [3, 4]. */
    private static byte[] flattenGemm(float[] c) {
        ExporterGraphs g = new ExporterGraphs(7);
        g.node("/flat", "Flatten", List.of("x"), "f", OnnxAttribute.ofInt("axis", -1));
        g.initializerForTest(g.gaussian("w", 0.5, 6, 4)); // B [K, N], transB = 0
        g.initializerForTest(OnnxTensor.ofFloats("c", new int[] {3, 4}, c));
        g.node("/fc", "Gemm", List.of("f", "w", "c"), "y", OnnxAttribute.ofFloat("alpha", 0.5f),
                OnnxAttribute.ofFloat("beta", 2f));
        return ExporterGraphs.bytes(g.model("fg", List.of(ExporterGraphs.info("x", OnnxTensor.FLOAT, 3L, 1L, 1L, 6L)),
                List.of(ExporterGraphs.info("y", OnnxTensor.FLOAT, 3L, 4L)), 13));
    }

    @Test
    void flattenAfterSizeOneAxesAndGemmWithARepeatedMatrixBias() {
        // Flatten(axis -1) of [N, 1, 1, 6] is [N, 6]: the batch stays alone; C [3, 4] has equal rows
        float[] row = {0.1f, -0.2f, 0.3f, 0.4f};
        float[] c = new float[12];
        for (int i = 0; i < 12; i++) {
            c[i] = row[i % 4];
        }
        byte[] file = flattenGemm(c);
        Model m = OnnxImporter.fromBytes(file, "fg.onnx");
        assertThat(m.node("/flat").layer()).isEqualTo(new Reshape(Shape.of(6)));
        assertThat(((Linear) m.node("/fc").layer()).bias().data()).containsExactly(0.2f, -0.4f, 0.6f, 0.8f);
        ExporterStyleImportTest.assertSameAsOrt(file, m, 3);

        // a different bias per row is a bias per batch index: refused, as is a Flatten that merges the batch
        c[5] = 9f;
        assertThatThrownBy(() -> OnnxImporter.fromBytes(flattenGemm(c), "rows.onnx"))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("node '/fc' (op Gemm) at opset 13: bias C must hold 4 values");
        ExporterGraphs h = new ExporterGraphs(7);
        h.node("/flat", "Flatten", List.of("x"), "f", OnnxAttribute.ofInt("axis", 2));
        byte[] merge = ExporterGraphs.bytes(h.model("m", List.of(ExporterGraphs.info("x", OnnxTensor.FLOAT, "N", 2L,
                1L, 6L)), List.of(ExporterGraphs.info("f", OnnxTensor.FLOAT, "M", 6L)), 13));
        assertThatThrownBy(() -> OnnxImporter.fromBytes(merge, "m.onnx")).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("node '/flat' (op Flatten) at opset 13: axis 2 merges the batch with axis 1 of "
                        + "size 2");
    }
}
