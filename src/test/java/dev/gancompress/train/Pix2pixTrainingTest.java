package dev.gancompress.train;

import dev.gancompress.GanCompressException;
import dev.gancompress.data.PairedDataset;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Pix2pix;
import dev.gancompress.model.Pix2pixSpec;
import dev.gancompress.model.WeightSlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** pix2pix training on the engine: the L1 term pulls outputs to the targets, and a resumed run is the same run. */
class Pix2pixTrainingTest {
    private static final int SIZE = 16;

    static PairedDataset rectangles(int n) {
        return dev.gancompress.TestImages.rectangles(n, 9);
    }

    private static Model[] pair(long seed, GanTrainer trainer) {
        Pix2pixSpec spec = new Pix2pixSpec(1, 1, SIZE, 4, 4, 1);
        Model g = Pix2pix.resnet(spec);
        Model d = Pix2pix.patchDiscriminator(spec, "pix2pix-resnet");
        trainer.initialise(g, d);
        return new Model[] {g, d};
    }

    private static TrainingConfig config(int epochs) {
        return new TrainingConfig(epochs, 8, 2e-3, 2e-4, 0.5, 0.999, GanLoss.NON_SATURATING, 7, 0, 0);
    }

    /** Mean L1 to the targets over the first and the last three of 40 steps, at this L1 weight. */
    private static double[] l1Curve(Path dir, float weight) {
        List<Double> l1 = new ArrayList<>();
        GanTrainer trainer = new GanTrainer(config(5)).reconstructionWeight(weight).addHook(new TrainingHook() {
            @Override
            public void onStep(StepResult r) {
                l1.add(r.losses().get("l1"));
                assertThat(r.losses()).containsKeys("d_real", "d_fake", "g_adv", "l1");
            }
        });
        Model[] gd = pair(7, trainer);
        GanTrainer.Result result = trainer.run(gd[0], gd[1], rectangles(64).stacked(), dir, false);
        assertThat(result.steps()).isEqualTo(40);
        return new double[] {(l1.get(0) + l1.get(1) + l1.get(2)) / 3, (l1.get(37) + l1.get(38) + l1.get(39)) / 3};
    }

    @Test
    void l1ToTheTargetFallsWithinAFewSteps(@TempDir Path dir) {
        double[] withL1 = l1Curve(dir.resolve("l1"), 100f);
        double[] adversarialOnly = l1Curve(dir.resolve("adv"), 0f);
        System.out.printf("pix2pix L1: first 3 steps %.4f, last 3 %.4f (adversarial only: last 3 %.4f)%n", withL1[0],
                withL1[1], adversarialOnly[1]);
        // at init the tanh output is ~0 against targets mostly at -1: L1 ~ 1; 40 steps must more than halve it,
        // and the L1 term, not the adversarial one alone (which also learns the black background), must do it
        assertThat(withL1[1]).isLessThan(0.5 * withL1[0]);
        assertThat(withL1[1]).isLessThan(0.5 * adversarialOnly[1]);
    }

    @Test
    void resumedRunEqualsTheUninterruptedOneBitForBit(@TempDir Path dir) {
        PairedDataset data = rectangles(32);
        GanTrainer straight = new GanTrainer(config(2));
        Model[] a = pair(7, straight);
        straight.run(a[0], a[1], data.stacked(), dir.resolve("a"), false);

        GanTrainer first = new GanTrainer(config(2).withMaxSteps(5));
        Model[] b = pair(7, first);
        first.run(b[0], b[1], data.stacked(), dir.resolve("b"), false);
        GanTrainer second = new GanTrainer(config(2));
        Model[] c = pair(99, second); // fresh weights: everything must come from the checkpoint
        GanTrainer.Result resumed = second.run(c[0], c[1], data.stacked(), dir.resolve("b"), true);

        assertThat(resumed.steps()).isEqualTo(8);
        assertThat(resumed.stepsThisRun()).isEqualTo(3);
        assertSameWeights(a[0], c[0]);
        assertSameWeights(a[1], c[1]);
    }

    @Test
    void resumeWithAnotherL1WeightIsRefused(@TempDir Path dir) {
        PairedDataset data = rectangles(16);
        GanTrainer first = new GanTrainer(config(1).withMaxSteps(1));
        Model[] a = pair(7, first);
        first.run(a[0], a[1], data.stacked(), dir, false);
        GanTrainer other = new GanTrainer(config(1)).reconstructionWeight(10f);
        assertThatThrownBy(() -> other.run(a[0], a[1], data.stacked(), dir, true))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("l1Weight");
    }

    @Test
    void pairsThatDoNotFitTheGeneratorAreRejected(@TempDir Path dir) {
        GanTrainer trainer = new GanTrainer(config(1));
        Model[] gd = pair(7, trainer);
        // targets alone (1 channel) instead of the stacked pairs (2 channels)
        assertThatThrownBy(() -> trainer.run(gd[0], gd[1], rectangles(16).targets(), dir, false))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("1 channels in all").hasMessageContaining("maps [1, 16, 16] to [1, 16, 16]");
    }

    private static void assertSameWeights(Model x, Model y) {
        for (int i = 0; i < x.nodes().size(); i++) {
            Node nx = x.nodes().get(i);
            Node ny = y.nodes().get(i);
            for (int s = 0; s < nx.layer().weights().size(); s++) {
                WeightSlot wx = nx.layer().weights().get(s);
                assertThat(ny.layer().weights().get(s).weights().data()).as(nx.name() + "." + wx.role())
                        .isEqualTo(wx.weights().data());
            }
        }
    }
}
