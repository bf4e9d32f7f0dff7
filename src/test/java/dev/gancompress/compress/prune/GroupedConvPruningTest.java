package dev.gancompress.compress.prune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.prune.ChannelDependencyGraph.Group;
import dev.gancompress.compress.prune.ChannelDependencyGraph.Use;
import dev.gancompress.model.Activation;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.runtime.OnnxRuntimeBackend;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Structured pruning through grouped convolutions: a depthwise conv passes its channels on (the channel is cut
 * from the producer before it, the depthwise filter, and the consumer after it), a grouped one fixes its channels.
 */
class GroupedConvPruningTest {
    /** x -> pw1 (1x1, 3 -> 8) -> BN -> ReLU -> dw (3x3, groups 8, stride 2) -> ReLU -> pw2 (1x1, 8 -> 6) -> to_image. */
    private static Model mobileNetBlock(long seed) {
        Kernel2d k1 = Kernel2d.square(1, 1, 0);
        List<Node> nodes = List.of(
                Node.of("pw1", Conv2d.create(3, 8, k1, true), "x"),
                Node.of("bn", BatchNorm2d.create(8), "pw1"),
                Node.of("act1", Activation.relu(), "bn"),
                Node.of("dw", Conv2d.create(8, 8, Kernel2d.square(3, 2, 1), 8, true), "act1"),
                Node.of("act2", Activation.relu(), "dw"),
                Node.of("pw2", Conv2d.create(8, 6, k1, false), "act2"),
                Node.of("act3", Activation.relu(), "pw2"),
                Node.of("to_image", Conv2d.create(6, 3, Kernel2d.square(3, 1, 1), true), "act3"));
        return PruneFixtures.randomize(new Model("mobile", List.of(Input.image("x", 3, 8, 8)), nodes, "to_image",
                Map.of()), seed);
    }

    @Test
    void aDepthwiseConvIsCutWithTheChannelsItReads() {
        Model model = mobileNetBlock(3);
        ChannelDependencyGraph graph = ChannelDependencyGraph.of(model);
        Group pw1 = graph.group("pw1");
        assertThat(pw1.prunable()).isTrue();
        assertThat(pw1.norms()).extracting(Use::node).containsExactly("bn", "dw");
        assertThat(pw1.consumers()).extracting(Use::node).containsExactly("pw2");
        assertThat(graph.group("dw")).as("a depthwise conv makes no channels of its own").isNull();

        ChannelPruning half = new ChannelPruning(ChannelPruning.Config.uniform(0.5, ChannelCriterion.L1_NORM));
        Map<String, int[]> keep = half.plan(model, graph);
        assertThat(keep.get("pw1")).hasSize(4);
        Model pruned = ChannelSurgery.removeChannels(model, graph, keep);
        Model masked = ChannelSurgery.zeroChannels(model, graph, keep);
        Conv2d dw = (Conv2d) pruned.node("dw").layer();
        assertThat(dw.isDepthwise()).isTrue();
        assertThat(dw.groups()).isEqualTo(4);
        // the kept filters are the original filters of the kept channels
        Conv2d before = (Conv2d) model.node("dw").layer();
        for (int i = 0; i < 4; i++) {
            int c = keep.get("pw1")[i];
            for (int t = 0; t < 9; t++) {
                assertThat(dw.weight().data()[i * 9 + t]).isEqualTo(before.weight().data()[c * 9 + t]);
            }
            assertThat(dw.bias().data()[i]).isEqualTo(before.bias().data()[c]);
        }
        Map<String, Tensor> in = PruneFixtures.inputs(model, 3, 7);
        Tensor expected = new Network(masked).forward(in, false).copy();
        Tensor actual = new Network(pruned).forward(in, false).copy();
        assertThat(actual.maxAbsDifference(expected)).isLessThan(1e-5);
        assertThat(new Network(model).forward(in, false).maxAbsDifference(expected)).isGreaterThan(1e-4);
        assertThat(pruned.macs()).isLessThan(model.macs());
        try (OnnxRuntimeBackend ort = new OnnxRuntimeBackend(OnnxExporter.toBytes(pruned, Map.of()), 1)) {
            assertThat(ort.run(in).maxAbsDifference(actual)).isLessThan(1e-4);
        }
    }

    @Test
    void aGroupedConvFixesItsChannelsAndSaysWhy() {
        Model model = mobileNetBlock(4);
        List<Node> nodes = model.nodes().stream().map(n -> n.name().equals("pw2")
                ? n.withLayer(Conv2d.create(8, 6, Kernel2d.square(1, 1, 0), 2, false)) : n).toList();
        Model grouped = PruneFixtures.randomize(model.withNodes(nodes), 4);
        ChannelDependencyGraph graph = ChannelDependencyGraph.of(grouped);
        assertThat(graph.group("pw1").prunable()).isFalse();
        assertThat(graph.group("pw1").fixedReason()).contains("grouped convolution 'pw2'", "groups = 2");
        assertThat(graph.group("pw2").prunable()).isFalse();
        assertThatThrownBy(() -> ChannelSurgery.removeChannels(grouped, graph, Map.of("pw1", new int[] {0, 1})))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("layer 'pw1'")
                .hasMessageContaining("grouped convolution 'pw2'");
        // automatic pruning leaves the grouped convolution and its neighbours whole and the model still runs
        Model pruned = new ChannelPruning(ChannelPruning.Config.uniform(0.5, ChannelCriterion.L1_NORM))
                .apply(grouped, null);
        assertThat(((Conv2d) pruned.node("pw2").layer()).in()).isEqualTo(8);
        assertThat(new Network(pruned).forward(PruneFixtures.inputs(pruned, 2, 1), false).shape())
                .containsExactly(2, 3, 4, 4);
    }
}
