package dev.gancompress.compress.lowrank;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.GanCompressException;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionRegistry;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.nn.Tensor;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.runtime.OnnxVerification;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pass on a small DCGAN generator: budgets, refusals, bad input, graph rewiring and ONNX export. */
class LowRankFactorizationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LowRankFactorization.Outcome run(LowRankConfig config, Model model) {
        return new LowRankFactorization(config).factorise(model);
    }

    @Test
    void macsBudgetIsMetAtTheHighestSharedEnergy() {
        Model teacher = LowRankFixtures.dcgan(3);
        for (String method : LowRankConfig.METHODS) {
            for (double budget : new double[]{0.3, 0.6}) {
                LowRankFactorization.Outcome o = run(LowRankConfig.ofMacsBudget(method, budget), teacher);
                Model student = o.model();
                String what = method + " budget " + budget;
                assertThat(student.macs()).as(what).isLessThanOrEqualTo((long) (budget * teacher.macs()));
                long saved = o.decisions().stream().mapToLong(d -> d.macsBefore() - d.macsAfter()).sum();
                assertThat(student.macs()).as(what + ": the decisions account for every MAC")
                        .isEqualTo(teacher.macs() - saved);
                assertThat(o.energy()).as(what).isGreaterThan(0).isLessThan(1);
                // the threshold is the highest that fits: any higher one breaks the budget
                LowRankConfig above = LowRankConfig.ofEnergy(method, Math.min(1, o.energy() + 1e-9));
                assertThat(run(above, teacher).model().macs()).as(what + " just above the threshold")
                        .isGreaterThan((long) (budget * teacher.macs()));
                assertThat(student.outputShape()).isEqualTo(teacher.outputShape());
            }
        }
    }

    @Test
    void anUnreachableBudgetFailsBeforeFactorising() {
        assertThatThrownBy(() -> run(LowRankConfig.ofMacsBudget(LowRankConfig.SVD_CHANNEL, 0.01),
                LowRankFixtures.dcgan(3)))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("'macsBudget' 0.01")
                .hasMessageContaining("even rank 1 in every selected layer");
    }

    @Test
    void factorisedLayersKeepTheirNamesAndFullRankKeepsTheOutput() {
        Model teacher = LowRankFixtures.dcgan(4);
        Map<String, Tensor> z = LowRankFixtures.inputs(teacher, 4, 8);
        Tensor expected = LowRankFixtures.run(teacher, z);
        for (String method : LowRankConfig.METHODS) {
            Model student = run(LowRankConfig.ofEnergy(method, 1.0).withForce(true), teacher).model();
            assertThat(LowRankFixtures.run(student, z).maxAbsDifference(expected)).as(method).isLessThan(1e-4);
            int links = method.equals(LowRankConfig.TUCKER2) ? 3 : 2;
            for (String layer : List.of("up1", "up2", "to_image")) {
                assertThat(student.node(layer).inputs()).containsExactly(layer + ".lr" + (links - 2));
                assertThat(student.node(layer + ".lr0").inputs()).containsExactly(teacher.node(layer).inputs().get(0));
            }
            assertThat(student.node("up1_bn").inputs()).containsExactly("up1");
            assertThat(student.node("fc.lr0").layer()).isInstanceOf(dev.gancompress.model.Linear.class);
        }
    }

    @Test
    void factorisingTwiceGivesFreshNames() {
        LowRankConfig config = LowRankConfig.ofEnergy(LowRankConfig.SVD_CHANNEL, 0.9).withForce(true);
        Model once = run(config, LowRankFixtures.dcgan(5)).model();
        Model twice = run(config, once).model();
        assertThat(twice.node("fc").inputs()).containsExactly("fc.lr1");
        assertThat(twice.node("fc.lr0").inputs()).containsExactly("fc.lr0.lr0");
    }

    @Test
    void ranksThatDoNotReduceMacsAreRefusedUnlessForced() {
        Model teacher = LowRankFixtures.dcgan(6);
        // energy 1 needs (nearly) full rank, which costs more than the layer everywhere in this generator
        LowRankFactorization.Outcome kept = run(LowRankConfig.ofEnergy(LowRankConfig.SVD_CHANNEL, 1.0), teacher);
        assertThat(kept.decisions()).hasSize(4).noneMatch(LayerDecision::applied);
        LayerDecision fc = kept.decisions().get(0);
        assertThat(fc.layer()).isEqualTo("fc");
        assertThat(fc.macsAfter()).isEqualTo(fc.macsBefore()).isEqualTo(16L * 1568);
        assertThat(fc.reason()).contains("25,344 MACs", "25,088", "force");
        assertThat(kept.report()).contains("fc (Linear 16->1568)", "kept:");
        assertThat(kept.model().macs()).isEqualTo(teacher.macs());
        assertThat(kept.model().nodes()).extracting(Node::name)
                .containsExactlyElementsOf(teacher.nodes().stream().map(Node::name).toList());

        LowRankFactorization.Outcome forced = run(LowRankConfig.ofEnergy(LowRankConfig.SVD_CHANNEL, 1.0)
                .withForce(true), teacher);
        assertThat(forced.decisions()).allMatch(LayerDecision::applied);
        assertThat(forced.model().macs()).isGreaterThan(teacher.macs());
    }

    @Test
    void aFixedRankThatAddsMacsIsAnError() {
        Model teacher = LowRankFixtures.dcgan(7);
        LowRankConfig config = LowRankConfig.ofRank(LowRankConfig.SVD_CHANNEL, 16, List.of("fc"));
        assertThatThrownBy(() -> run(config, teacher))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("layer 'fc' (Linear 16->1568)")
                .hasMessageContaining("25,344 factorised vs 25,088 now")
                .hasMessageContaining("force");
        LowRankFactorization.Outcome forced = run(config.withForce(true), teacher);
        assertThat(forced.decisions()).singleElement().satisfies(d -> {
            assertThat(d.applied()).isTrue();
            assertThat(d.macsAfter()).isEqualTo(25_344);
        });
        // a rank that pays is applied to just the named layers
        LowRankFactorization.Outcome cheap = run(LowRankConfig.ofRank(LowRankConfig.TUCKER2, 4,
                List.of("up1", "up2")), teacher);
        assertThat(cheap.decisions()).extracting(LayerDecision::layer).containsExactly("up1", "up2");
        assertThat(cheap.decisions()).allSatisfy(d -> assertThat(d.ranks()).containsExactly(4, 4));
        assertThat(cheap.model().valueNames()).contains("up1.lr0", "up1.lr1", "up2.lr1").doesNotContain("fc.lr0");
        assertThat(cheap.model().macs()).isLessThan(teacher.macs());
    }

    @Test
    void badInputIsRefusedWithTheFieldNamed() {
        Model teacher = LowRankFixtures.dcgan(8);
        assertThatThrownBy(() -> run(LowRankConfig.ofRank(LowRankConfig.SPATIAL, 2, List.of("up1", "nope")), teacher))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("field 'layers'")
                .hasMessageContaining("'nope'")
                .hasMessageContaining("factorisable: fc, up1, up2, to_image");
        assertThatThrownBy(() -> run(LowRankConfig.ofRank(LowRankConfig.SPATIAL, 2, List.of("fc_bn")), teacher))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("'fc_bn'");
        assertThatThrownBy(() -> LowRankConfig.ofRank(LowRankConfig.SPATIAL, 0, List.of()))
                .isInstanceOf(GanCompressException.class)
                .hasMessage("low-rank configuration: field 'rank' must be an integer >= 1, got 0");
        assertThatThrownBy(() -> run(LowRankConfig.ofRank(LowRankConfig.SVD_CHANNEL, 17, List.of("fc")), teacher))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("'rank' 17 exceeds the full rank 16 of r in layer 'fc'");
        assertThatThrownBy(() -> run(LowRankConfig.ofRank(LowRankConfig.TUCKER2, 2, List.of()), teacher))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("full rank 1 of r_out in layer 'to_image' (Conv 3x3 8->1)");
        assertThatThrownBy(() -> new LowRankConfig(null, 0.9, 4, null, null, null))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("field 'energy/rank/macsBudget' must be given one at a time")
                .hasMessageContaining("energy=0.9, rank=4, macsBudget=null");
        assertThatThrownBy(() -> new LowRankConfig(null, null, null, 1.5, null, null))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("'macsBudget' must be a number in (0, 1]");
        assertThatThrownBy(() -> new LowRankConfig(null, 0.0, null, null, null, null))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("'energy' must be a number in (0, 1]");
        assertThatThrownBy(() -> new LowRankConfig("svd", null, null, null, null, null))
                .isInstanceOf(GanCompressException.class)
                .hasMessage("low-rank configuration: field 'method' must be one of svd-channel, spatial, tucker2, "
                        + "got 'svd'");
        assertThatThrownBy(() -> new LowRankConfig(null, null, 2, null, List.of("up1", "up1"), null))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("field 'layers'");
    }

    @Test
    void registeredAsLowRankAndRoundTripsThroughJson() throws Exception {
        Compression c = CompressionRegistry.create("low-rank",
                JSON.readTree("{\"method\": \"tucker2\", \"macsBudget\": 0.5, \"layers\": [\"up1\"]}"));
        assertThat(c).isInstanceOf(LowRankFactorization.class);
        LowRankConfig config = (LowRankConfig) c.config();
        assertThat(config).isEqualTo(new LowRankConfig("tucker2", null, null, 0.5, List.of("up1"), false));
        JsonNode json = JSON.valueToTree(config);
        assertThat(CompressionRegistry.create("low-rank", json).config()).isEqualTo(config);
        assertThat(((LowRankConfig) CompressionRegistry.create("low-rank", JSON.readTree("{}")).config()))
                .isEqualTo(new LowRankConfig("svd-channel", 0.95, null, null, List.of(), false));
        assertThatThrownBy(() -> CompressionRegistry.create("low-rank", JSON.readTree("{\"rank\": 2, \"energy\": 0.9}")))
                .isInstanceOf(GanCompressException.class)
                .hasMessageStartingWith("compression 'low-rank': invalid configuration: low-rank configuration: "
                        + "field 'energy/rank/macsBudget'");
    }

    @Test
    void factorisedGeneratorExportsToOnnxAndAgreesWithOnnxRuntime() {
        Model teacher = LowRankFixtures.dcgan(9);
        for (String method : LowRankConfig.METHODS) {
            // force, so that every layer kind of every chain (ConvT k x 1, 1 x k, 1x1 at both resolutions) is in
            Model student = new LowRankFactorization(LowRankConfig.ofEnergy(method, 0.8).withForce(true))
                    .apply(teacher, null);
            byte[] onnx = OnnxExporter.toBytes(student, Map.of());
            OnnxVerification.Result check = OnnxVerification.check(student, onnx, method + ".onnx");
            assertThat(check.maxAbsDifference()).as(method).isLessThanOrEqualTo(1e-4);
            Model back = OnnxImporter.fromBytes(onnx, method + ".onnx");
            assertThat(back.nodes()).extracting(Node::name)
                    .containsExactlyElementsOf(student.nodes().stream().map(Node::name).toList());
            assertThat(back.macs()).isEqualTo(student.macs());
            assertThat(student.metadata().get("low_rank")).startsWith(method + ": fc [");
        }
    }
}
