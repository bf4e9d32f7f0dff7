package dev.gancompress.compress.quantize;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.GanCompressException;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionContext;
import dev.gancompress.compress.CompressionRegistry;
import dev.gancompress.model.Model;
import dev.gancompress.model.Weights;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The chosen widths fit the budget, follow the layers' sensitivity, and an impossible budget is refused. */
class MixedPrecisionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> LAYERS = List.of("fc", "up1", "up2", "to_image");

    private static CompressionContext seeded(long seed) {
        return new CompressionContext(null, null, null, null, seed, null);
    }

    private static Weights weight(Model m, String node) {
        return m.node(node).layer().weights().get(0).weights();
    }

    private static Compression technique(String json) throws Exception {
        return CompressionRegistry.create(MixedPrecision.NAME, JSON.readTree(json));
    }

    @Test
    void everyChosenAssignmentFitsItsBudgetAndIsWhatIsStored() throws Exception {
        Model g = QuantizeFixtures.dcgan(31, 0);
        for (double budget : new double[] {0.12, 0.15, 0.2, 0.25}) {
            MixedPrecision mp = (MixedPrecision) technique("{\"budget\": " + budget + "}");
            MixedPrecision.Assignment a = mp.choose(g, 1);
            Model q = mp.apply(g, seeded(1));
            // the cost model, counting the stored model, agrees with the allocation's sum
            assertThat(MixedPrecision.weightByteFraction(q)).as("budget " + budget)
                    .isLessThanOrEqualTo(budget).isCloseTo(a.reachedFraction(), org.assertj.core.data.Offset.offset(1e-9));
            assertThat(a.bits().keySet()).containsExactlyElementsOf(LAYERS);
            for (String layer : LAYERS) {
                assertThat(weight(q, layer).storage().bits()).as(layer).isEqualTo(a.bits().get(layer));
            }
            assertThat(q.metadata().get(MixedPrecision.METADATA_KEY)).isEqualTo(a.describe())
                    .startsWith("budget " + budget + ", reached ").contains("fc ").contains(" bits (");
        }
        // a generous budget buys the widest candidate everywhere; the same seed gives the same choice
        MixedPrecision wide = new MixedPrecision(MixedPrecision.Config.of(0.9));
        assertThat(wide.choose(g, 1).bits().values()).containsOnly(8);
        assertThat(new MixedPrecision(MixedPrecision.Config.of(0.2)).choose(g, 3))
                .isEqualTo(new MixedPrecision(MixedPrecision.Config.of(0.2)).choose(g, 3));
    }

    @Test
    void aLayerMadeSensitiveGetsMoreBits() {
        Model normal = QuantizeFixtures.dcgan(31, 0);
        Model sensitive = QuantizeFixtures.dcgan(31, 0);
        // one large weight per output channel (axis 1 of the [in, out, k, k] kernel) stretches every channel's grid,
        // so at 4 bits the layer's other weights round to zero, while 8 bits still resolves them
        Weights up1 = weight(sensitive, "up1");
        float max = 0;
        for (float v : up1.data()) {
            max = Math.max(max, Math.abs(v));
        }
        int perChannel = up1.dim(2) * up1.dim(3);
        for (int out = 0; out < up1.dim(1); out++) {
            up1.data()[out * perChannel] = 12 * max;
        }
        MixedPrecision mp = new MixedPrecision(MixedPrecision.Config.of(0.2));
        MixedPrecision.Assignment before = mp.choose(normal, 1);
        MixedPrecision.Assignment after = mp.choose(sensitive, 1);
        assertThat(after.bits().get("up1")).as(after.describe() + " vs " + before.describe())
                .isGreaterThan(before.bits().get("up1"));
        assertThat(after.reachedFraction()).isLessThanOrEqualTo(0.2);
    }

    @Test
    void anImpossibleBudgetIsRefusedWithTheSmallestReachableSize() throws Exception {
        Model g = QuantizeFixtures.dcgan(31, 0);
        float[] before = weight(g, "fc").data().clone();
        Compression mp = technique("{\"budget\": 0.1}");
        assertThatThrownBy(() -> mp.apply(g, seeded(1))).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("'budget' 0.1 is below the smallest size the candidate bits [8, 4, 2] reach")
                .hasMessageContaining("0.1131 of the fp32 weight bytes").hasMessageContaining("raise the budget");
        assertThat(weight(g, "fc").data()).isEqualTo(before);
        // binary as a candidate makes it reachable
        assertThat(MixedPrecision.weightByteFraction(technique("{\"budget\": 0.1, \"bits\": [8, 4, 2, 1]}")
                .apply(g, seeded(1)))).isLessThanOrEqualTo(0.1);
    }

    @Test
    void badSettingsAreRefusedListingWhatIsAccepted() {
        assertThatThrownBy(() -> technique("{\"bits\": [8, 3]}")).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("'bits'").hasMessageContaining("[1, 2, 4, 8, 16]").hasMessageContaining("[8, 3]");
        assertThatThrownBy(() -> technique("{\"bits\": [4, 4]}")).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("distinct");
        assertThatThrownBy(() -> technique("{\"budget\": 0}")).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> technique("{\"samples\": 0}")).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("samples");
        assertThatThrownBy(() -> technique("{\"layers\": [\"nope\"]}").apply(QuantizeFixtures.dcgan(31, 0), seeded(1)))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("no node named 'nope'")
                .hasMessageContaining("quantisable: fc, up1, up2, to_image");
    }

    /** The Pareto-frontier knapsack finds the same optimum as trying every assignment. */
    @Test
    void allocationIsTheExactOptimumOfTheKnapsack() {
        Random rnd = new Random(4);
        for (int trial = 0; trial < 200; trial++) {
            int layers = 1 + rnd.nextInt(5);
            List<Integer> bits = List.of(8, 4, 2);
            double[][] mse = new double[layers][3];
            long[][] bytes = new long[layers][3];
            for (int l = 0; l < layers; l++) {
                long size = 10 + rnd.nextInt(1000);
                for (int b = 0; b < 3; b++) {
                    bytes[l][b] = size * bits.get(b) / 8 + rnd.nextInt(5);
                    mse[l][b] = rnd.nextDouble() * (b + 1) * (b + 1);
                }
            }
            long fp32 = 0;
            for (long[] b : bytes) {
                fp32 += 4 * b[0];
            }
            LayerSensitivity s = new LayerSensitivity(List.of("a", "b", "c", "d", "e").subList(0, layers), bits, mse,
                    bytes, fp32, 7);
            double budget = 0.05 + 0.3 * rnd.nextDouble();
            long limit = (long) Math.floor(budget * fp32);
            double best = Double.POSITIVE_INFINITY;
            int combos = (int) Math.pow(3, layers);
            for (int code = 0; code < combos; code++) {
                long total = 7;
                double err = 0;
                for (int l = 0, c = code; l < layers; l++, c /= 3) {
                    total += bytes[l][c % 3];
                    err += mse[l][c % 3];
                }
                if (total <= limit) {
                    best = Math.min(best, err);
                }
            }
            if (best == Double.POSITIVE_INFINITY) {
                assertThatThrownBy(() -> BitAllocation.choose(s, budget)).isInstanceOf(GanCompressException.class);
            } else {
                BitAllocation.Choice c = BitAllocation.choose(s, budget);
                assertThat(c.bytes()).isLessThanOrEqualTo(limit);
                assertThat(c.mse()).as("trial " + trial).isCloseTo(best, org.assertj.core.data.Offset.offset(1e-12));
            }
        }
    }
}
