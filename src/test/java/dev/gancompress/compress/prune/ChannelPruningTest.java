package dev.gancompress.compress.prune;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.GanCompressException;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionRegistry;
import dev.gancompress.compress.prune.ChannelDependencyGraph.Group;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.runtime.OnnxRuntimeBackend;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChannelPruningTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Model dcgan(DcganSpec spec, long seed) {
        return PruneFixtures.randomize(Dcgan.generator(spec), seed);
    }

    /**
     * The smaller model equals the original with the removed channels silenced (evaluation mode), costs fewer
     * MACs and parameters, and ONNX Runtime runs its export to the engine's output.
     */
    private static Model assertRemovalMatchesMask(Model model, ChannelPruning pruning) {
        ChannelDependencyGraph graph = ChannelDependencyGraph.of(model);
        Map<String, int[]> keep = pruning.plan(model, graph);
        Model pruned = ChannelSurgery.removeChannels(model, graph, keep);
        Model masked = ChannelSurgery.zeroChannels(model, graph, keep);
        Map<String, Tensor> in = PruneFixtures.inputs(model, 5, 17);
        Tensor expected = new Network(masked).forward(in, false).copy();
        Tensor actual = new Network(pruned).forward(in, false).copy();
        assertThat(actual.shape()).isEqualTo(expected.shape());
        assertThat(actual.maxAbsDifference(expected)).as(model.name()).isLessThan(1e-6);
        Tensor original = new Network(model).forward(in, false);
        assertThat(original.maxAbsDifference(expected)).as("pruning changed the output at all").isGreaterThan(1e-4);
        assertThat(pruned.macs()).isLessThan(model.macs());
        assertThat(pruned.parameterCount()).isLessThan(model.parameterCount());
        try (OnnxRuntimeBackend ort = new OnnxRuntimeBackend(OnnxExporter.toBytes(pruned, Map.of()), 1)) {
            assertThat(ort.run(in).maxAbsDifference(actual)).as("ORT vs engine").isLessThan(1e-4);
        }
        return pruned;
    }

    @Test
    void dcganGeneratorsShrinkAndMatchTheirMaskedOriginal() {
        ChannelPruning half = new ChannelPruning(ChannelPruning.Config.uniform(0.5, ChannelCriterion.L1_NORM));
        for (DcganSpec spec : List.of(new DcganSpec(8, 1, 28, 4, 4, 0, 0), new DcganSpec(8, 1, 28, 4, 4, 3, 4),
                new DcganSpec(8, 3, 32, 4, 4, 0, 0))) {
            Model teacher = dcgan(spec, 2);
            Model pruned = assertRemovalMatchesMask(teacher, half);
            assertThat(pruned.shape("fc_reshape").channels()).isEqualTo(8);
            assertThat(pruned.shape("up1").channels()).isEqualTo(4);
            assertThat(pruned.shape("up2").channels()).isEqualTo(2);
            assertThat(pruned.outputShape()).isEqualTo(teacher.outputShape());
            // fc keeps 49 (or 16) rows per kept channel of the reshape.
            int side = spec.imageSize() == 28 ? 7 : 4;
            assertThat(pruned.node("fc").layer().weights().get(0).weights().dim(0)).isEqualTo(8 * side * side);
        }
    }

    @Test
    void fcRowsOfARemovedChannelAreTheBlockOfThatChannel() {
        Model teacher = dcgan(new DcganSpec(8, 1, 28, 4, 4, 0, 0), 3);
        ChannelDependencyGraph graph = ChannelDependencyGraph.of(teacher);
        Group fc = graph.group("fc");
        assertThat(fc.channels()).isEqualTo(16);
        assertThat(fc.producers()).containsExactly(new ChannelDependencyGraph.Producer("fc", 49));
        int[] keep = new int[15];
        for (int c = 0, k = 0; c < 16; c++) {
            if (c != 2) {
                keep[k++] = c;
            }
        }
        Model pruned = ChannelSurgery.removeChannels(teacher, graph, Map.of("fc", keep));
        float[] before = teacher.node("fc").layer().weights().get(0).weights().data();
        float[] after = pruned.node("fc").layer().weights().get(0).weights().data();
        int in = 8;
        assertThat(after).hasSize(15 * 49 * in);
        // Rows 0..97 (channels 0, 1) are unchanged; channel 3 (rows 147..195) now starts at row 98.
        assertThat(after[97 * in]).isEqualTo(before[97 * in]);
        assertThat(after[98 * in]).isEqualTo(before[147 * in]);
        assertThat(pruned.shape("fc_bn").channels()).isEqualTo(15);
    }

    @Test
    void residualAndConcatPartnersAreCutConsistently() {
        Model model = PruneFixtures.residualConcat(4);
        ChannelDependencyGraph graph = ChannelDependencyGraph.of(model);
        Group residual = graph.group("a");
        assertThat(residual.producers()).extracting(ChannelDependencyGraph.Producer::node).containsExactly("a", "b");
        assertThat(residual.consumers()).extracting(ChannelDependencyGraph.Use::node).containsExactly("b", "c");
        Group stem = graph.group("fc");
        assertThat(stem.consumers()).containsExactly(new ChannelDependencyGraph.Use("a", 0, 1),
                new ChannelDependencyGraph.Use("c", 6, 1));
        assertThat(graph.group("to_image").prunable()).isFalse();
        assertThat(graph.group("to_image").fixedReason()).contains("output");
        assertThat(graph.prunableGroups()).extracting(Group::name).containsExactly("fc", "a", "c");

        Model pruned = assertRemovalMatchesMask(model, new ChannelPruning(new ChannelPruning.Config(0.5,
                PruningScope.PER_LAYER, Map.of("c", 0.4), ChannelCriterion.L1_NORM, 1)));
        assertThat(pruned.shape("res").channels()).isEqualTo(3);
        assertThat(pruned.shape("skip").channels()).isEqualTo(7);
        assertThat(pruned.shape("c").channels()).isEqualTo(3);
        assertRemovalMatchesMask(model, new ChannelPruning(new ChannelPruning.Config(0.5, PruningScope.GLOBAL, null,
                ChannelCriterion.L1_NORM, 2)));
    }

    @Test
    void discriminatorFlattenConsumersLoseTheRemovedChannelsFeatures() {
        DcganSpec spec = new DcganSpec(8, 1, 28, 4, 4, 0, 0);
        Model d = PruneFixtures.randomize(Dcgan.discriminator(spec), 5);
        ChannelDependencyGraph graph = ChannelDependencyGraph.of(d);
        assertThat(graph.group("conv3").consumers()).containsExactly(new ChannelDependencyGraph.Use("logit", 0, 16));
        assertThat(graph.group("logit").prunable()).isFalse();
        Model pruned = assertRemovalMatchesMask(d, new ChannelPruning(ChannelPruning.Config.uniform(0.5,
                ChannelCriterion.L1_NORM)));
        assertThat(pruned.node("logit").layer().weights().get(0).weights().dim(1)).isEqualTo(8 * 16);
    }

    @Test
    void bnScaleCriterionRemovesTheSmallestAbsoluteGammas() {
        Model teacher = dcgan(new DcganSpec(8, 1, 28, 4, 4, 0, 0), 6);
        float[] gamma = ((BatchNorm2d) teacher.node("up1_bn").layer()).gamma().data();
        float[] chosen = {0.9f, -0.05f, 0.4f, 1.2f, -2.0f, 0.01f, 0.3f, -0.2f};
        System.arraycopy(chosen, 0, gamma, 0, 8);
        ChannelPruning slimming = new ChannelPruning(ChannelPruning.Config.uniform(0.5, ChannelCriterion.BN_SCALE));
        Map<String, int[]> keep = slimming.plan(teacher, ChannelDependencyGraph.of(teacher));
        assertThat(keep.get("up1")).containsExactly(0, 2, 3, 4);
        Model pruned = slimming.apply(teacher, null);
        assertThat(((BatchNorm2d) pruned.node("up1_bn").layer()).gamma().data())
                .containsExactly(0.9f, 0.4f, 1.2f, -2.0f);

        Model residual = PruneFixtures.residualConcat(7);
        assertThatThrownBy(() -> slimming.apply(residual, null)).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("BN_SCALE needs a BatchNorm after layer 'c'");
    }

    @Test
    void globalScopeRemovesTheRatioOfAllChannelsAboveTheFloor() {
        Model teacher = dcgan(new DcganSpec(8, 1, 28, 4, 4, 0, 0), 8);
        ChannelPruning global = new ChannelPruning(new ChannelPruning.Config(0.6, PruningScope.GLOBAL, null,
                ChannelCriterion.BN_SCALE, 3));
        Map<String, int[]> keep = global.plan(teacher, ChannelDependencyGraph.of(teacher));
        int kept = keep.values().stream().mapToInt(k -> k.length).sum();
        assertThat(kept).isEqualTo(28 - Math.round(0.6 * 28));
        assertThat(keep.values()).allMatch(k -> k.length >= 3);
    }

    @Test
    void ratioForMacsHitsACostTarget() {
        Model teacher = dcgan(new DcganSpec(16, 1, 28, 16, 4, 0, 0), 10);
        for (double fraction : new double[] {0.5, 0.25, 0.125}) {
            double ratio = ChannelPruning.ratioForMacs(teacher, fraction);
            Model pruned = new ChannelPruning(ChannelPruning.Config.uniform(ratio, ChannelCriterion.L1_NORM))
                    .apply(teacher, null);
            assertThat((double) pruned.macs() / teacher.macs()).as("fraction " + fraction)
                    .isCloseTo(fraction, org.assertj.core.api.Assertions.within(0.25 * fraction));
        }
    }

    @Test
    void configRoundTripsThroughJsonAndTheRegistry() throws Exception {
        ChannelPruning.Config config = new ChannelPruning.Config(0.25, PruningScope.PER_LAYER, Map.of("up1", 0.5),
                ChannelCriterion.BN_SCALE, 2);
        Compression c = CompressionRegistry.create(ChannelPruning.NAME, JSON.valueToTree(config));
        assertThat(c.config()).isEqualTo(config);
        Compression fromText = CompressionRegistry.create(ChannelPruning.NAME,
                JSON.readTree("{\"ratio\":0.5,\"criterion\":\"bn-scale\"}"));
        assertThat(fromText.config()).isEqualTo(ChannelPruning.Config.uniform(0.5, ChannelCriterion.BN_SCALE));
    }

    @Test
    void badConfigurationsFailBeforeAnyTraining() throws Exception {
        assertThatThrownBy(() -> CompressionRegistry.create(ChannelPruning.NAME, JSON.readTree("{\"ratio\":1.2}")))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("ratio must be in [0, 1), got 1.2");
        assertThatThrownBy(() -> CompressionRegistry.create(ChannelPruning.NAME,
                JSON.readTree("{\"ratio\":0.5,\"minChannels\":0}"))).hasMessageContaining("minChannels must be >= 1");
        assertThatThrownBy(() -> CompressionRegistry.create(ChannelPruning.NAME,
                JSON.readTree("{\"ratio\":0.5,\"criterion\":\"l2\"}")))
                .hasMessageContaining("criterion must be one of [L1_NORM, BN_SCALE], got 'l2'");
        Model teacher = dcgan(new DcganSpec(8, 1, 28, 4, 4, 0, 0), 9);
        assertThatThrownBy(() -> new ChannelPruning(ChannelPruning.Config.uniform(0.9, ChannelCriterion.L1_NORM))
                .apply(teacher, null)).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("ratio 0.9 leaves layer 'up2' with 0 of its 4 channels");
        assertThatThrownBy(() -> new ChannelPruning(new ChannelPruning.Config(0.5, null, Map.of("to_image", 0.5), null,
                null)).apply(teacher, null)).hasMessageContaining("layer 'to_image' cannot be pruned");
        assertThatThrownBy(() -> new ChannelPruning(new ChannelPruning.Config(0.5, null, Map.of("up3", 0.5), null,
                null)).apply(teacher, null)).hasMessageContaining("no prunable layer 'up3'; prunable: fc, up1, up2");
    }
}
