package dev.gancompress.compress.prune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.GanCompressException;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionContext;
import dev.gancompress.compress.CompressionRegistry;
import dev.gancompress.compress.FineTuneController;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.model.Weights;
import dev.gancompress.nn.Initializer;
import dev.gancompress.train.StepResult;
import dev.gancompress.train.TrainingHook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MagnitudePruningTest {
    private static final DcganSpec TINY = new DcganSpec(8, 1, 28, 4, 4, 0, 0);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Model teacher(long seed) {
        Model g = Dcgan.generator(TINY);
        Initializer.dcgan(g, seed);
        return g;
    }

    private static CompressionContext context(Model teacher, Model d, ImageDataset data, Path dir) {
        return new CompressionContext(teacher, d, data, null, 7, dir);
    }

    @Test
    void perLayerSparsityIsTheTargetWithinOneWeightPerLayer() {
        for (double target : new double[] {0, 0.1, 0.37, 0.5, 0.9, 0.99}) {
            Model pruned = new MagnitudePruning(MagnitudePruning.Config.oneShot(target, PruningScope.PER_LAYER))
                    .apply(teacher(3), null);
            for (LayerSparsity layer : UnstructuredPruning.sparsity(pruned)) {
                assertThat((double) layer.zeros()).as(layer.layer() + " at " + target)
                        .isCloseTo(target * layer.weights(), within(1.0));
            }
        }
    }

    @Test
    void globalSparsityIsTheTargetAndPrunesTheSmallestMagnitudesModelWide() {
        Model original = teacher(4);
        Model pruned = new MagnitudePruning(MagnitudePruning.Config.oneShot(0.6, PruningScope.GLOBAL))
                .apply(original, null);
        long total = 0;
        long zeros = 0;
        for (LayerSparsity layer : UnstructuredPruning.sparsity(pruned)) {
            total += layer.weights();
            zeros += layer.zeros();
        }
        assertThat((double) zeros).isCloseTo(0.6 * total, within(1.0));
        // One threshold for all layers: every pruned weight is no larger than every kept one.
        float maxPruned = 0;
        float minKept = Float.MAX_VALUE;
        for (UnstructuredPruning.Target t : UnstructuredPruning.targets(pruned, List.of())) {
            float[] before = original.node(t.layer()).layer().weights().get(0).weights().data();
            float[] mask = t.weights().mask();
            for (int i = 0; i < mask.length; i++) {
                if (mask[i] == 0f) {
                    maxPruned = Math.max(maxPruned, Math.abs(before[i]));
                    assertThat(t.weights().data()[i]).isZero();
                } else {
                    minKept = Math.min(minKept, Math.abs(before[i]));
                }
            }
        }
        assertThat(maxPruned).isLessThanOrEqualTo(minKept);
        // The input model is untouched, and biases and norms are never masked.
        assertThat(UnstructuredPruning.sparsity(original)).allMatch(l -> l.zeros() == 0);
        assertThat(pruned.node("to_image").layer().weights().get(1).weights().mask()).isNull();
        assertThat(pruned.node("fc_bn").layer().weights().get(0).weights().mask()).isNull();
    }

    @Test
    void chosenLayersOnlyAndUnknownLayersAreRejected() {
        MagnitudePruning.Config config = new MagnitudePruning.Config(0.5, PruningScope.PER_LAYER, List.of("up1"),
                null, 0, 0, null);
        Model pruned = new MagnitudePruning(config).apply(teacher(5), null);
        for (LayerSparsity l : UnstructuredPruning.sparsity(pruned)) {
            assertThat(l.zeros()).as(l.layer()).isEqualTo(l.layer().equals("up1") ? l.weights() / 2 : 0);
        }
        MagnitudePruning bad = new MagnitudePruning(new MagnitudePruning.Config(0.5, null, List.of("fc_bn"), null, 0,
                0, null));
        assertThatThrownBy(() -> bad.apply(teacher(5), null)).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("'fc_bn' is not a Conv2d, ConvTranspose2d or Linear node")
                .hasMessageContaining("candidates: fc, up1, up2, to_image");
    }

    @Test
    void cubicScheduleFollowsZhuAndGupta() {
        CubicSparsitySchedule s = new CubicSparsitySchedule(0.0, 0.8, 100, 10);
        assertThat(s.sparsityAt(0)).isEqualTo(0.0);
        assertThat(s.sparsityAt(10)).isCloseTo(0.8 - 0.8 * Math.pow(0.9, 3), within(1e-12));
        assertThat(s.sparsityAt(19)).isEqualTo(s.sparsityAt(10));
        assertThat(s.sparsityAt(50)).isCloseTo(0.7, within(1e-12));
        assertThat(s.sparsityAt(90)).isCloseTo(0.8 - 0.8 * 0.001, within(1e-12));
        assertThat(s.sparsityAt(100)).isEqualTo(0.8);
        assertThat(s.sparsityAt(250)).isEqualTo(0.8);
        assertThat(s.isUpdateStep(20)).isTrue();
        assertThat(s.isUpdateStep(21)).isFalse();
        assertThat(s.isUpdateStep(110)).isFalse();
        CubicSparsitySchedule fromHalf = new CubicSparsitySchedule(0.2, 0.6, 7, 3);
        assertThat(fromHalf.sparsityAt(3)).isCloseTo(0.6 - 0.4 * Math.pow(1 - 3 / 7.0, 3), within(1e-12));
        assertThat(fromHalf.isUpdateStep(7)).as("the target step is an update even off the interval").isTrue();
        assertThat(fromHalf.sparsityAt(7)).isEqualTo(0.6);
    }

    @Test
    void masksKeepPrunedWeightsAtExactlyZeroThroughFineTuning(@TempDir Path dir) {
        Model g = teacher(6);
        Model d = Dcgan.discriminator(TINY);
        Initializer.dcgan(d, 8);
        ImageDataset data = PruneFixtures.blobs(64, 3);
        Compression pruning = new MagnitudePruning(MagnitudePruning.Config.oneShot(0.7, PruningScope.GLOBAL));
        Model pruned = pruning.apply(g, context(g, d, data, dir));
        List<float[]> before = new ArrayList<>();
        for (UnstructuredPruning.Target t : UnstructuredPruning.targets(pruned, List.of())) {
            before.add(t.weights().data().clone());
        }
        FineTuning.Settings settings = new FineTuning.Settings(20, 8, 2e-3, 2e-3,
                dev.gancompress.train.GanLoss.NON_SATURATING, 1f, false, 9, 0);
        FineTuning.run(pruned, d, data, settings, pruning.controller(pruned, null), List.of(), dir, false);
        int i = 0;
        boolean trained = false;
        for (UnstructuredPruning.Target t : UnstructuredPruning.targets(pruned, List.of())) {
            float[] w = t.weights().data();
            float[] mask = t.weights().mask();
            for (int j = 0; j < w.length; j++) {
                if (mask[j] == 0f) {
                    assertThat(w[j]).as(t.layer() + "[" + j + "]").isEqualTo(0f);
                } else if (w[j] != before.get(i)[j]) {
                    trained = true;
                }
            }
            i++;
        }
        assertThat(trained).as("the kept weights were fine-tuned").isTrue();
    }

    @Test
    void iterativeScheduleRaisesSparsityDuringFineTuning(@TempDir Path dir) {
        Model g = teacher(10);
        Model d = Dcgan.discriminator(TINY);
        Initializer.dcgan(d, 11);
        ImageDataset data = PruneFixtures.blobs(64, 3);
        MagnitudePruning pruning = new MagnitudePruning(MagnitudePruning.Config.iterative(0.8, PruningScope.PER_LAYER,
                0.1, 16, 4));
        Model pruned = pruning.apply(g, null);
        assertThat(totalSparsity(pruned)).isCloseTo(0.1, within(0.01));
        FineTuneController controller = pruning.controller(pruned, null);
        CubicSparsitySchedule schedule = ((SparsityScheduleHook) controller.hooks().get(0)).schedule();
        List<double[]> seen = new ArrayList<>();
        TrainingHook recorder = new TrainingHook() {
            @Override
            public void onStep(StepResult result) {
                seen.add(new double[] {result.step(), totalSparsity(pruned)});
                for (UnstructuredPruning.Target t : UnstructuredPruning.targets(pruned, List.of())) {
                    float[] mask = t.weights().mask();
                    for (int j = 0; j < mask.length; j++) {
                        if (mask[j] == 0f) {
                            assertThat(t.weights().data()[j]).isEqualTo(0f);
                        }
                    }
                }
            }
        };
        FineTuning.Settings settings = new FineTuning.Settings(20, 8, 2e-3, 2e-3,
                dev.gancompress.train.GanLoss.NON_SATURATING, 1f, false, 9, 0);
        FineTuning.run(pruned, d, data, settings, controller, List.of(recorder), dir, false);
        assertThat(seen).hasSize(20);
        for (double[] s : seen) {
            // Per-layer rounding: within one weight per layer of the total (4 layers, > 1000 weights).
            assertThat(s[1]).as("step " + s[0]).isCloseTo(schedule.sparsityAt((long) s[0]), within(0.005));
        }
        assertThat(seen.get(seen.size() - 1)[1]).isCloseTo(0.8, within(0.005));
        for (LayerSparsity l : UnstructuredPruning.sparsity(pruned)) {
            assertThat((double) l.zeros()).as(l.layer()).isCloseTo(0.8 * l.weights(), within(1.0));
        }
    }

    private static double totalSparsity(Model m) {
        long total = 0;
        long zeros = 0;
        for (LayerSparsity l : UnstructuredPruning.sparsity(m)) {
            total += l.weights();
            zeros += l.zeros();
        }
        return (double) zeros / total;
    }

    @Test
    void configRoundTripsThroughJsonAndTheRegistry() throws Exception {
        MagnitudePruning.Config config = MagnitudePruning.Config.iterative(0.75, PruningScope.PER_LAYER, 0.25, 500, 25);
        JsonNode json = JSON.valueToTree(config);
        Compression c = CompressionRegistry.create(MagnitudePruning.NAME, json);
        assertThat(c).isInstanceOf(MagnitudePruning.class);
        assertThat(c.config()).isEqualTo(config);
        Compression lower = CompressionRegistry.create(MagnitudePruning.NAME,
                JSON.readTree("{\"sparsity\":0.5,\"scope\":\"per-layer\",\"schedule\":\"iterative\"}"));
        assertThat(lower.config()).isEqualTo(new MagnitudePruning.Config(0.5, PruningScope.PER_LAYER, List.of(),
                MagnitudePruning.Schedule.ITERATIVE, 0, 0, 10));
    }

    @Test
    void badConfigurationsFailWithTheirReason() throws Exception {
        assertThatThrownBy(() -> MagnitudePruning.Config.oneShot(1.2, PruningScope.GLOBAL))
                .isInstanceOf(GanCompressException.class).hasMessage("sparsity must be in [0, 1), got 1.2");
        assertThatThrownBy(() -> MagnitudePruning.Config.oneShot(-0.1, PruningScope.GLOBAL))
                .hasMessage("sparsity must be in [0, 1), got -0.1");
        assertThatThrownBy(() -> MagnitudePruning.Config.oneShot(1.0, PruningScope.GLOBAL))
                .hasMessage("sparsity must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> CompressionRegistry.create(MagnitudePruning.NAME, JSON.readTree("{\"sparsity\":1.2}")))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("sparsity must be in [0, 1), got 1.2");
        assertThatThrownBy(() -> CompressionRegistry.create(MagnitudePruning.NAME,
                JSON.readTree("{\"sparsity\":0.5,\"sparsty\":1}")))
                .hasMessageContaining("unknown field 'sparsty'");
        assertThatThrownBy(() -> CompressionRegistry.create(MagnitudePruning.NAME,
                JSON.readTree("{\"sparsity\":0.5,\"scope\":\"everywhere\"}")))
                .hasMessageContaining("scope must be one of [GLOBAL, PER_LAYER], got 'everywhere'");
        assertThatThrownBy(() -> MagnitudePruning.Config.iterative(0.5, PruningScope.GLOBAL, 0.6, 10, 1))
                .hasMessageContaining("initialSparsity must be in [0, sparsity]");
        assertThatThrownBy(() -> CompressionRegistry.create("magnitude-prunning", (JsonNode) null))
                .hasMessageContaining("unknown compression 'magnitude-prunning'")
                .hasMessageContaining("magnitude-pruning").hasMessageContaining("channel-pruning");
    }

    @Test
    void tiesAtTheThresholdStillPruneExactlyTheCount() {
        float[] scores = {0, 1, 1, 1, 1, 2};
        boolean[] flags = UnstructuredPruning.lowest(scores, 3);
        assertThat(flags).containsExactly(true, true, true, false, false, false);
        Weights w = new Weights(new int[] {2, 3}, new float[] {0.5f, -0.5f, 0.5f, -0.5f, 0.5f, 0.5f});
        new MagnitudePruning(MagnitudePruning.Config.oneShot(0.5, PruningScope.PER_LAYER))
                .prune(List.of(new UnstructuredPruning.Target("t", w)), 0.5, PruningScope.PER_LAYER);
        assertThat(w.size() - w.nonZeroCount()).isEqualTo(3);
    }
}
