package dev.gancompress.compress.prune;

import dev.gancompress.compress.prune.ChannelDependencyGraph.Group;
import dev.gancompress.compress.prune.ChannelDependencyGraph.Producer;
import dev.gancompress.compress.prune.ChannelDependencyGraph.Use;
import dev.gancompress.model.Model;
import dev.gancompress.model.Pix2pix;
import dev.gancompress.model.Pix2pixSpec;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.runtime.OnnxVerification;
import dev.gancompress.runtime.VerifiedModelWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Channel pruning on the image-to-image graphs of issue 13: residual trunks (channels added together), U-Net
 * concatenations (a consumer reading two groups at offsets), instance norm, reflection padding, and the PatchGAN's
 * two inputs. Each pruned model must equal its masked original and run the same in ONNX Runtime.
 */
class Pix2pixPruningTest {
    private static final Pix2pixSpec TINY = new Pix2pixSpec(1, 1, 16, 4, 4, 2);

    /** Pruned vs masked (engine, 1e-5), pruned vs ORT (the writer's own check), and a real change of the output. */
    private static Model prunedEqualsMasked(Model model, ChannelPruning pruning, Path dir) throws Exception {
        ChannelDependencyGraph graph = ChannelDependencyGraph.of(model);
        Map<String, int[]> keep = pruning.plan(model, graph);
        Model pruned = ChannelSurgery.removeChannels(model, graph, keep);
        Model masked = ChannelSurgery.zeroChannels(model, graph, keep);
        Map<String, Tensor> in = PruneFixtures.inputs(model, 3, 21);
        Tensor expected = new Network(masked).forward(in, false).copy();
        Tensor actual = new Network(pruned).forward(in, false).copy();
        assertThat(actual.shape()).isEqualTo(expected.shape());
        assertThat(actual.maxAbsDifference(expected)).as(model.name() + " pruned vs masked").isLessThan(1e-5);
        Tensor original = new Network(model).forward(in, false);
        assertThat(original.maxAbsDifference(expected)).as("pruning changed the output at all").isGreaterThan(1e-4);
        assertThat(pruned.macs()).isLessThan(model.macs());
        assertThat(pruned.parameterCount()).isLessThan(model.parameterCount());
        OnnxVerification.Result r = VerifiedModelWriter.write(pruned, dir.resolve(model.name() + ".onnx"),
                Map.of(), true);
        assertThat(r.maxAbsDifference()).as("ORT vs engine").isLessThanOrEqualTo(r.tolerance());
        return pruned;
    }

    private static ChannelPruning uniform(double ratio) {
        return new ChannelPruning(ChannelPruning.Config.uniform(ratio, ChannelCriterion.L1_NORM));
    }

    @Test
    void resnetTrunkIsOneGroupAndPrunesToItsMaskedOriginal(@TempDir Path dir) throws Exception {
        Model g = PruneFixtures.randomize(Pix2pix.resnet(TINY), 3);
        ChannelDependencyGraph graph = ChannelDependencyGraph.of(g);
        Group trunk = graph.group("down2");
        assertThat(trunk.prunable()).isTrue();
        // down2 and every block's second convolution are added together: one set of channel indices.
        assertThat(trunk.producers()).extracting(Producer::node)
                .containsExactly("down2", "res1_conv2", "res2_conv2");
        assertThat(trunk.norms()).extracting(Use::node)
                .containsExactly("down2_norm", "res1_conv2_norm", "res2_conv2_norm");
        assertThat(trunk.consumers()).extracting(Use::node).containsExactly("res1_conv1", "res2_conv1", "up1");
        assertThat(graph.group("res1_conv1").producers()).extracting(Producer::node).containsExactly("res1_conv1");
        assertThat(graph.group("head").prunable()).isFalse();
        assertThat(graph.prunableGroups()).extracting(Group::name)
                .containsExactly("stem", "down1", "down2", "res1_conv1", "res2_conv1", "up1", "up2");

        Model pruned = prunedEqualsMasked(g, uniform(0.5), dir);
        assertThat(pruned.shape("res2").channels()).isEqualTo(8);
        assertThat(pruned.shape("res1_conv1").channels()).isEqualTo(8);
        assertThat(pruned.shape("up2").channels()).isEqualTo(2);
        assertThat(pruned.outputShape()).isEqualTo(g.outputShape());
        // Every producer of the trunk kept the same channel indices (the trunk's kept rows are one selection).
        int[] kept = uniform(0.5).plan(g, graph).get("down2");
        float[] before = g.node("res1_conv2").layer().weights().get(0).weights().data();
        float[] after = pruned.node("res1_conv2").layer().weights().get(0).weights().data();
        int rowBefore = 16 * 9;
        int rowAfter = 8 * 9;
        int[] keptIn = uniform(0.5).plan(g, graph).get("res1_conv1");
        for (int r = 0; r < kept.length; r++) {
            for (int i = 0; i < keptIn.length; i++) {
                assertThat(after[r * rowAfter + i * 9 + 4]).isEqualTo(before[kept[r] * rowBefore + keptIn[i] * 9 + 4]);
            }
        }
        // GLOBAL ranking, with per-layer floors, also keeps the graph consistent.
        prunedEqualsMasked(g, new ChannelPruning(new ChannelPruning.Config(0.6, PruningScope.GLOBAL, null,
                ChannelCriterion.L1_NORM, 1)), dir);
    }

    @Test
    void unetConcatenationsReadBothHalvesAtTheirOffsets(@TempDir Path dir) throws Exception {
        Model g = PruneFixtures.randomize(Pix2pix.unet(TINY), 4);
        ChannelDependencyGraph graph = ChannelDependencyGraph.of(g);
        // up2's input is concat(down1 [4], up3_norm [4]); its weight's input axis is read at offsets 0 and 4.
        assertThat(graph.group("down1").consumers()).containsExactly(new Use("down2", 0, 1), new Use("up1", 0, 1));
        assertThat(graph.group("up2").consumers()).containsExactly(new Use("up1", 4, 1));
        assertThat(graph.group("down3").consumers()).containsExactly(new Use("down4", 0, 1), new Use("up3", 0, 1));
        assertThat(graph.group("up4").consumers()).containsExactly(new Use("up3", 16, 1));
        assertThat(graph.group("up1").prunable()).isFalse();

        Model pruned = prunedEqualsMasked(g, uniform(0.5), dir);
        assertThat(pruned.shape("up2_skip").channels()).isEqualTo(4);
        assertThat(pruned.shape("up3_skip").channels()).isEqualTo(8);
        // Different ratios on the two halves of one concatenation: the offsets of the second half move.
        ChannelPruning uneven = new ChannelPruning(new ChannelPruning.Config(0.25, PruningScope.PER_LAYER,
                Map.of("down3", 0.75, "up4", 0.5), ChannelCriterion.L1_NORM, 1));
        Model unevenPruned = prunedEqualsMasked(g, uneven, dir);
        assertThat(unevenPruned.shape("up4_skip").channels()).isEqualTo(4 + 8);
    }

    @Test
    void patchDiscriminatorWithTwoInputsPrunesItsHiddenLayersOnly(@TempDir Path dir) throws Exception {
        Model d = PruneFixtures.randomize(Pix2pix.patchDiscriminator(TINY, "pix2pix-resnet"), 5);
        ChannelDependencyGraph graph = ChannelDependencyGraph.of(d);
        assertThat(graph.prunableGroups()).extracting(Group::name).containsExactly("conv1", "conv2", "conv3");
        assertThat(graph.group("logit").prunable()).isFalse();
        Model pruned = prunedEqualsMasked(d, uniform(0.5), dir);
        assertThat(pruned.inputs()).isEqualTo(d.inputs());
        assertThat(pruned.node("conv1").layer().weights().get(0).weights().dim(1)).isEqualTo(2);
    }

    @Test
    void widerSpecsKeepTheGroupsAndExportForEveryRatio(@TempDir Path dir) throws Exception {
        for (double ratio : List.of(0.25, 0.75)) {
            Pix2pixSpec spec = new Pix2pixSpec(1, 1, 32, 4, 4, 3);
            prunedEqualsMasked(PruneFixtures.randomize(Pix2pix.resnet(spec), 7), uniform(ratio), dir);
            prunedEqualsMasked(PruneFixtures.randomize(Pix2pix.unet(spec), 8), uniform(ratio), dir);
        }
    }
}
