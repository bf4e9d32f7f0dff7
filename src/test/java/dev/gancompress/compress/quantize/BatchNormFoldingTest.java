package dev.gancompress.compress.quantize;

import dev.gancompress.TestImages;
import dev.gancompress.TestModels;
import dev.gancompress.compress.CompressionRegistry;
import dev.gancompress.model.Activation;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxImporter;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Folding changes nothing but float rounding, for each layer kind, and survives an ONNX round trip. */
class BatchNormFoldingTest {
    private static final double RELATIVE = 1e-5;

    private static Model image(String name, Node... nodes) {
        return TestModels.randomize(new Model(name, List.of(Input.image("x", 3, 6, 6)), List.of(nodes),
                nodes[nodes.length - 1].name(), Map.of()), 11);
    }

    private static Tensor run(Model m, Map<String, Tensor> inputs) {
        return new Network(m).forward(inputs, false);
    }

    /** max |a - b| / max |a|: relative to the output's scale, so near-zero outputs do not blow it up. */
    private static double relativeError(Tensor reference, Tensor other) {
        double max = 0;
        for (float v : reference.data()) {
            max = Math.max(max, Math.abs(v));
        }
        return reference.maxAbsDifference(other) / max;
    }

    private static void assertFoldedExactly(Model m, List<String> expectedRemoved) {
        BatchNormFolding.Folded folded = BatchNormFolding.fold(m);
        assertThat(folded.foldedInto().keySet()).containsExactlyElementsOf(expectedRemoved);
        for (String bn : expectedRemoved) {
            assertThat(folded.model().nodes()).noneMatch(n -> n.name().equals(bn));
        }
        assertThat(folded.model().nodes()).noneMatch(n -> expectedRemoved.contains(n.name()));
        for (long seed = 1; seed <= 3; seed++) {
            Map<String, Tensor> inputs = TestImages.randomInputs(m, 4, seed);
            Tensor before = run(m, inputs);
            Tensor after = run(folded.model(), inputs);
            assertThat(relativeError(before, after)).as(m.name() + " seed " + seed).isLessThan(RELATIVE);
            // ONNX carries it as a plain conv (or Gemm) with a bias
            Model back = OnnxImporter.fromBytes(OnnxExporter.toBytes(folded.model(), Map.of()), "folded.onnx");
            assertThat(back.nodes()).noneMatch(n -> n.layer() instanceof BatchNorm2d
                    && expectedRemoved.contains(n.name()));
            assertThat(relativeError(before, run(back, inputs))).as(m.name() + " via ONNX").isLessThan(RELATIVE);
        }
    }

    @Test
    void convolutionWithoutBiasGainsOneAndComputesTheSame() {
        Model m = image("conv", Node.of("conv", Conv2d.create(3, 5, Kernel2d.square(3, 1, 1), false), "x"),
                Node.of("bn", BatchNorm2d.create(5), "conv"), Node.of("act", Activation.relu(), "bn"));
        assertFoldedExactly(m, List.of("bn"));
        Conv2d conv = (Conv2d) BatchNormFolding.fold(m).model().node("conv").layer();
        assertThat(conv.bias()).isNotNull();
        assertThat(BatchNormFolding.fold(m).model().node("act").inputs()).containsExactly("conv");
    }

    @Test
    void convolutionWithBiasFoldsItsBiasToo() {
        Model m = image("conv-bias", Node.of("conv", Conv2d.create(3, 4, Kernel2d.square(3, 2, 1), true), "x"),
                Node.of("bn", BatchNorm2d.create(4), "conv"), Node.of("act", Activation.tanh(), "bn"));
        assertFoldedExactly(m, List.of("bn"));
    }

    @Test
    void transposedConvolutionScalesAlongItsOutputAxisOne() {
        // in != out, so scaling along the wrong axis would not even fit, and the scales differ per channel
        Model m = image("convT", Node.of("up", ConvTranspose2d.create(3, 7, Kernel2d.square(4, 2, 1), 0, false), "x"),
                Node.of("bn", BatchNorm2d.create(7), "up"), Node.of("act", Activation.relu(), "bn"));
        assertFoldedExactly(m, List.of("bn"));
        Model square = image("convT-square",
                Node.of("up", ConvTranspose2d.create(3, 3, Kernel2d.square(3, 1, 1), 0, true), "x"),
                Node.of("bn", BatchNorm2d.create(3), "up"));
        // the BatchNorm is the output here: left in place (its name is the model's output)
        assertThat(BatchNormFolding.fold(square).foldedInto()).isEmpty();
        Model squareInner = image("convT-square", square.nodes().get(0), square.nodes().get(1),
                Node.of("act", Activation.relu(), "bn"));
        assertFoldedExactly(squareInner, List.of("bn"));
    }

    @Test
    void linearThroughAReshapeFoldsPerChannelBlock() {
        Model m = TestModels.randomize(new Model("linear", List.of(Input.latent("z", 6)), List.of(
                Node.of("fc", Linear.create(6, 4 * 3 * 3, false), "z"),
                Node.of("fc_reshape", new Reshape(Shape.of(4, 3, 3)), "fc"),
                Node.of("fc_bn", BatchNorm2d.create(4), "fc_reshape"),
                Node.of("fc_act", Activation.relu(), "fc_bn")), "fc_act", Map.of()), 12);
        assertFoldedExactly(m, List.of("fc_bn"));
    }

    @Test
    void dcganGeneratorFoldsEveryBatchNorm() {
        Model g = QuantizeFixtures.dcgan(7, 0);
        assertFoldedExactly(g, List.of("fc_bn", "up1_bn", "up2_bn"));
        assertFoldedExactly(QuantizeFixtures.dcgan(8, 3), List.of("fc_bn", "up1_bn", "up2_bn"));
        Model viaRegistry = CompressionRegistry.create(BatchNormFolding.NAME, (com.fasterxml.jackson.databind.JsonNode) null)
                .apply(g, null);
        assertThat(viaRegistry.metadata().get(BatchNormFolding.METADATA_KEY))
                .isEqualTo("fc_bn -> fc, up1_bn -> up1, up2_bn -> up2");
    }

    @Test
    void batchNormAfterSomethingUnfoldableOrASharedValueStays() {
        // after an activation: nothing to fold into
        Model afterAct = image("after-act", Node.of("conv", Conv2d.create(3, 4, Kernel2d.square(3, 1, 1), false), "x"),
                Node.of("act", Activation.relu(), "conv"), Node.of("bn", BatchNorm2d.create(4), "act"),
                Node.of("out", Activation.tanh(), "bn"));
        assertThat(BatchNormFolding.fold(afterAct).foldedInto()).isEmpty();
        assertThat(BatchNormFolding.fold(afterAct).model().nodes()).hasSize(4);
        // the conv's output is read by another node too: folding would change what that node sees
        Model shared = image("shared", Node.of("conv", Conv2d.create(3, 4, Kernel2d.square(3, 1, 1), false), "x"),
                Node.of("bn", BatchNorm2d.create(4), "conv"), Node.of("sum", new dev.gancompress.model.Add(), "bn", "conv"));
        assertThat(BatchNormFolding.fold(shared).foldedInto()).isEmpty();
    }

    @Test
    void theInputModelIsUntouched() {
        Model g = QuantizeFixtures.dcgan(9, 0);
        float[] before = ((ConvTranspose2d) g.node("up1").layer()).weight().data().clone();
        BatchNormFolding.fold(g);
        assertThat(((ConvTranspose2d) g.node("up1").layer()).weight().data()).isEqualTo(before);
        assertThat(g.nodes()).anyMatch(n -> n.name().equals("up1_bn"));
    }
}
