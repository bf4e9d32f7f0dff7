package dev.gancompress.compress.lowrank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Activation;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.nn.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Low-rank factorisation keeps a dilated or asymmetrically padded layer's geometry in every factor (at full rank the output is unchanged) and
 * leaves grouped convolutions alone: skipped by default, refused by name when asked for.
 */
class GroupedConvLowRankTest {
    @Test
    void dilatedLayersFactoriseExactlyAtFullRank() {
        List<Model> models = List.of(
                LowRankFixtures.single(Input.image("x", 4, 9, 9), Conv2d.create(4, 5,
                        new Kernel2d(3, 3, 1, 2, 2, 3, 2, 3), true), 2),
                LowRankFixtures.single(Input.image("x", 4, 5, 5), ConvTranspose2d.create(4, 3,
                        Kernel2d.square(3, 2, 1).dilated(2, 2), 1, true), 2),
                LowRankFixtures.single(Input.image("x", 3, 8, 8), Conv2d.create(3, 4,
                        Kernel2d.square(3, 2, 0).padded(0, 1, 1, 0), true), 2));
        for (Model m : models) {
            Map<String, Tensor> x = LowRankFixtures.inputs(m, 2, 4);
            Tensor expected = LowRankFixtures.run(m, x);
            for (String method : LowRankConfig.METHODS) {
                Model student = new LowRankFactorization(LowRankConfig.ofEnergy(method, 1.0).withForce(true))
                        .factorise(m).model();
                assertThat(student.nodes()).as(method).hasSizeGreaterThan(1);
                assertThat(LowRankFixtures.relativeError(LowRankFixtures.run(student, x), expected)).as(method)
                        .isLessThan(1e-4);
            }
        }
    }

    @Test
    void groupedConvolutionsAreSkippedOrRefusedByName() {
        Model m = LowRankFixtures.randomize(new Model("g", List.of(Input.image("x", 4, 6, 6)), List.of(
                Node.of("dense", Conv2d.create(4, 8, Kernel2d.square(3, 1, 1), true), "x"),
                Node.of("act", Activation.relu(), "dense"),
                Node.of("dw", Conv2d.create(8, 8, Kernel2d.square(3, 1, 1), 8, true), "act")), "dw", Map.of()), 3);
        LowRankFactorization.Outcome o = new LowRankFactorization(LowRankConfig.ofEnergy(LowRankConfig.SVD_CHANNEL,
                0.9).withForce(true)).factorise(m);
        assertThat(o.decisions()).extracting(LayerDecision::layer).containsExactly("dense");
        assertThat(o.model().node("dw").layer()).isInstanceOf(Conv2d.class);
        assertThat(((Conv2d) o.model().node("dw").layer()).groups()).isEqualTo(8);
        assertThatThrownBy(() -> new LowRankFactorization(LowRankConfig.ofRank(LowRankConfig.TUCKER2, 2,
                List.of("dw"))).factorise(m)).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("field 'layers'").hasMessageContaining("'dw'")
                .hasMessageContaining("grouped convolution (groups = 8");
    }
}
