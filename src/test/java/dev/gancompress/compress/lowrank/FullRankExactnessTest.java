package dev.gancompress.compress.lowrank;

import dev.gancompress.model.Layer;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.gancompress.compress.lowrank.LowRankFixtures.LAYER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * At full rank every decomposition is exact: the chain computes the layer's output (engine forward, seeded random
 * input) to float rounding, and its MACs are what the decomposition promised. This pins the weight layouts, the
 * sqrt(S) split, and the stride, padding and output padding each factor layer carries.
 */
class FullRankExactnessTest {
    static Stream<Arguments> layers() {
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of("Linear 12->7", LowRankFixtures.linear(12, 7, 1)));
        cases.add(Arguments.of("Linear 5->9", LowRankFixtures.linear(5, 9, 2)));
        for (int k : new int[]{3, 4}) {
            for (int stride : new int[]{1, 2}) {
                for (int pad : new int[]{0, 1}) {
                    cases.add(Arguments.of("Conv k" + k + " s" + stride + " p" + pad,
                            LowRankFixtures.conv(5, 6, k, stride, pad, 9, 10L * k + 3L * stride + pad)));
                }
            }
        }
        cases.add(Arguments.of("Conv 3x3 to 1 channel", LowRankFixtures.conv(6, 1, 3, 1, 1, 7, 4)));
        cases.add(Arguments.of("ConvT k4 s2 p1 6->4", LowRankFixtures.convTranspose(6, 4, 0, 0, 5, 5)));
        cases.add(Arguments.of("ConvT k4 s2 p1 3->8", LowRankFixtures.convTranspose(3, 8, 0, 0, 5, 6)));
        cases.add(Arguments.of("ConvT output padding 1", LowRankFixtures.convTranspose(6, 4, 1, 1, 5, 7)));
        cases.add(Arguments.of("ConvT output padding H only", LowRankFixtures.convTranspose(3, 8, 1, 0, 4, 8)));
        List<Arguments> all = new ArrayList<>();
        for (Arguments a : cases) {
            for (String method : LowRankConfig.METHODS) {
                all.add(Arguments.of(a.get()[0] + ", " + method, a.get()[1], method));
            }
        }
        return all.stream();
    }

    /** The layer's decomposition by {@code method} at {@code ranks}, as a model of its own. */
    static Model chain(Model model, String method, int[] ranks) {
        LayerDecomposition d = decomposition(model, method);
        List<Layer> layers = d.factor().layers(ranks == null ? d.fullRanks() : ranks);
        List<Node> nodes = new ArrayList<>();
        String previous = model.inputs().get(0).name();
        for (int i = 0; i < layers.size(); i++) {
            String name = i == layers.size() - 1 ? LAYER : "f" + i;
            nodes.add(Node.of(name, layers.get(i), previous));
            previous = name;
        }
        return new Model("chain", model.inputs(), nodes, LAYER, Map.of());
    }

    static LayerDecomposition decomposition(Model model, String method) {
        Node n = model.node(LAYER);
        return LayerDecomposition.of(method, n.layer(), model.shape(n.inputs().get(0)), model.shape(LAYER));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void fullRankChainReproducesTheLayer(String name, Model model, String method) {
        Model chain = chain(model, method, null);
        Map<String, Tensor> in = LowRankFixtures.inputs(model, 3, 42);
        Tensor expected = LowRankFixtures.run(model, in);
        Tensor actual = LowRankFixtures.run(chain, in);
        assertThat(actual.shape()).isEqualTo(expected.shape());
        assertThat(actual.maxAbsDifference(expected)).as(name).isLessThan(1e-4);
        LayerDecomposition d = decomposition(model, method);
        assertThat(chain.macs()).as("MACs of the chain").isEqualTo(d.macs(d.fullRanks()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void macsFormulaHoldsAtRankOne(String name, Model model, String method) {
        LayerDecomposition d = decomposition(model, method);
        int[] ones = new int[d.modes().size()];
        java.util.Arrays.fill(ones, 1);
        assertThat(chain(model, method, ones).macs()).as(name).isEqualTo(d.macs(ones));
    }

    @Test
    void convTransposeTakesTheCheaperChannelOrder() {
        // in 6 -> out 4 at 2x resolution: 1x1 at the input resolution first is cheaper per rank
        assertThat(decomposition(LowRankFixtures.convTranspose(6, 4, 0, 0, 5, 1), LowRankConfig.SVD_CHANNEL)
                .describe()).isEqualTo("Conv 1x1 6->r, ConvT 4x4 r->4");
        // in 3 -> out 8: 16 in < 12.5 out, so the ConvT first and the 1x1 at the output resolution
        assertThat(decomposition(LowRankFixtures.convTranspose(3, 8, 0, 0, 5, 1), LowRankConfig.SVD_CHANNEL)
                .describe()).isEqualTo("ConvT 4x4 3->r, Conv 1x1 r->8");
        assertThat(decomposition(LowRankFixtures.conv(5, 6, 3, 1, 1, 9, 1), LowRankConfig.SVD_CHANNEL)
                .describe()).isEqualTo("Conv 3x3 5->r, Conv 1x1 r->6");
        assertThat(decomposition(LowRankFixtures.conv(6, 1, 3, 1, 1, 7, 1), LowRankConfig.SVD_CHANNEL)
                .describe()).isEqualTo("Conv 1x1 6->r, Conv 3x3 r->1");
    }
}
