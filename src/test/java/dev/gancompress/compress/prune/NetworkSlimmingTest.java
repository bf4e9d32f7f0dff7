package dev.gancompress.compress.prune;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.FineTuneController;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.model.Weights;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkSlimmingTest {
    @Test
    void shrinkHookIsTheProximalStepOfTheL1Penalty() {
        Weights gamma = new Weights(new int[] {4}, new float[] {0.5f, -0.00005f, -0.3f, 0.0001f});
        new ScaleShrinkHook(List.of(gamma), 1e-4f).onStep(null);
        assertThat(gamma.data()).containsExactly(0.5f - 1e-4f, 0f, -0.3f + 1e-4f, 0f);
    }

    @Test
    void controllerShrinksEveryBatchNormScaleAndLeavesStructureAlone() {
        Model g = PruneFixtures.randomize(Dcgan.generator(new DcganSpec(8, 1, 28, 4, 4, 0, 0)), 1);
        NetworkSlimming slimming = new NetworkSlimming(new NetworkSlimming.Config(10, 0.01));
        Model copy = slimming.apply(g, null);
        assertThat(copy.macs()).isEqualTo(g.macs());
        FineTuneController controller = slimming.controller(copy, null);
        float before = ((BatchNorm2d) copy.node("up2_bn").layer()).gamma().data()[0];
        controller.hooks().get(0).onStep(null);
        float after = ((BatchNorm2d) copy.node("up2_bn").layer()).gamma().data()[0];
        assertThat(Math.abs(after)).isCloseTo(Math.max(0, Math.abs(before) - 0.1f), org.assertj.core.api.Assertions.within(1e-6f));
        assertThat(((BatchNorm2d) g.node("up2_bn").layer()).gamma().data()[0]).isEqualTo(before);
        assertThatThrownBy(() -> new NetworkSlimming.Config(0, null)).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("lambda must be a finite number > 0");
    }
}
