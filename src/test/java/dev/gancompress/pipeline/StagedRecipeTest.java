package dev.gancompress.pipeline;

import dev.gancompress.GanCompressException;
import dev.gancompress.TestImages;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.compress.prune.ChannelCriterion;
import dev.gancompress.compress.prune.ChannelPruning;
import dev.gancompress.compress.prune.NetworkSlimming;
import dev.gancompress.compress.prune.LayerSparsity;
import dev.gancompress.compress.prune.UnstructuredPruning;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.nn.Initializer;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.train.GanLoss;
import dev.gancompress.train.StepResult;
import dev.gancompress.train.TrainingHook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class StagedRecipeTest {
    private static final DcganSpec SPEC = new DcganSpec(8, 1, 28, 8, 4, 0, 0);

    private static Model teacher() {
        Model g = Dcgan.generator(SPEC);
        Initializer.dcgan(g, 1);
        return g;
    }

    private static Model discriminator() {
        Model d = Dcgan.discriminator(SPEC);
        Initializer.dcgan(d, 2);
        return d;
    }

    private static FineTuning.Settings tune(long steps, double lr, int checkpointEvery) {
        return new FineTuning.Settings(steps, 8, lr, lr, GanLoss.NON_SATURATING, 1f, false, 1, checkpointEvery);
    }

    /**
     * Slimming then BN-scale channel pruning (the recipe NetworkSlimming's Javadoc recommends). Every BatchNorm scale
     * of the teacher is set to (c + 1) / C; with a negligible learning rate the slimming stage's only effect is the
     * proximal shrink of 4 x 0.13 = 0.52, which zeroes exactly the lower half of every layer's scales. Pruning half of
     * the channels by |scale| must then remove those and keep the upper half with their shrunk values. The runner
     * before staged recipes applied both techniques first (pruning ranked the unshrunk teacher) and bound the shrink
     * hook to a discarded copy, so the kept scales stayed the teacher's: this test failed there (0.53125 for 0.01125).
     */
    @Test
    void slimmingThenBnScalePruningPrunesTheChannelsSlimmingShrank(@TempDir Path dir) {
        Model teacher = teacher();
        for (Node n : teacher.nodes()) {
            if (n.layer() instanceof BatchNorm2d bn) {
                float[] g = bn.gamma().data();
                for (int c = 0; c < g.length; c++) {
                    g[c] = (c + 1f) / g.length;
                }
            }
        }
        Recipe recipe = new Recipe("slim-prune", List.of(
                Stage.of(NetworkSlimming.NAME, new NetworkSlimming.Config(1300, 1e-4), StageTuning.steps(4)),
                Stage.of(ChannelPruning.NAME, ChannelPruning.Config.uniform(0.5, ChannelCriterion.BN_SCALE),
                        StageTuning.steps(0))));
        RecipeRunner runner = new RecipeRunner(teacher, discriminator(), TestImages.noise(64), null,
                tune(4, 1e-9, 0), dir, Map.of(), n -> List.of(), false);
        Model out = runner.run(recipe).model();
        int checked = 0;
        for (Node n : out.nodes()) {
            if (n.layer() instanceof BatchNorm2d bn) {
                float[] g = bn.gamma().data();
                int teacherChannels = ((BatchNorm2d) teacher.node(n.name()).layer()).gamma().size();
                assertThat(g.length).as(n.name()).isEqualTo(teacherChannels / 2);
                for (int k = 0; k < g.length; k++) {
                    int c = teacherChannels / 2 + k;
                    assertThat(g[k]).as(n.name() + " channel " + c)
                            .isCloseTo((c + 1f) / teacherChannels - 0.52f, within(1e-5f));
                }
                checked++;
            }
        }
        assertThat(checked).isEqualTo(3);
    }

    /** Throws at one global step of one stage: a kill, as far as the work directory can tell. */
    private static final class Kill implements TrainingHook {
        private final AtomicBoolean armed;
        private final long atStep;

        Kill(AtomicBoolean armed, long atStep) {
            this.armed = armed;
            this.atStep = atStep;
        }

        @Override
        public void onStep(StepResult result) {
            if (armed.get() && result.step() >= atStep) {
                armed.set(false);
                throw new IllegalStateException("killed");
            }
        }
    }

    /**
     * Three stages (magnitude pruning with masks, channel pruning, int8 QAT), killed inside the second stage's
     * fine-tune after a checkpoint: the resumed run replays stage 1 from its snapshot, continues stage 2 from its
     * checkpoint and must end with the uninterrupted run's weights, masks and storage, bit for bit.
     */
    @Test
    void killedAtAStageResumesToTheUninterruptedModel(@TempDir Path dir) throws java.io.IOException {
        Recipe recipe = RecipeShortForm.parse(
                "prune:magnitude=0.5:schedule=ITERATIVE:updateEvery=1@3,prune:channel=0.25@4,qat:int8@3");
        Model straight = new RecipeRunner(teacher(), discriminator(), TestImages.noise(64), null,
                tune(3, 2e-4, 1), dir.resolve("a"), Map.of(), n -> List.of(), false).run(recipe).model();

        AtomicBoolean armed = new AtomicBoolean(true);
        RecipeRunner killed = new RecipeRunner(teacher(), discriminator(), TestImages.noise(64), null,
                tune(3, 2e-4, 1), dir.resolve("b"), Map.of(),
                n -> n.endsWith("channel-pruning") ? List.of(new Kill(armed, 2)) : List.of(), false);
        assertThatThrownBy(() -> killed.run(recipe)).hasMessageContaining("killed");
        Path recipeDir = dir.resolve("b").resolve(recipe.name());
        assertThat(recipeDir.resolve("01-magnitude-pruning").resolve(StageSnapshot.FILE)).exists();
        assertThat(recipeDir.resolve("02-channel-pruning").resolve(StageSnapshot.FILE)).doesNotExist();
        assertThat(recipeDir.resolve("02-channel-pruning").resolve(dev.gancompress.train.GanTrainer.CHECKPOINT_FILE))
                .exists();

        List<Boolean> replayed = new java.util.ArrayList<>();
        RecipeRunner resumed = new RecipeRunner(teacher(), discriminator(), TestImages.noise(64), null,
                tune(3, 2e-4, 1), dir.resolve("b"), Map.of(), n -> List.of(), false);
        resumed.onStage(new RecipeRunner.StageListener() {
            @Override
            public void onStage(Recipe r, int index, Stage stage, boolean fromSnapshot) {
                replayed.add(fromSnapshot);
            }
        });
        Model again = resumed.run(recipe).model();
        assertThat(replayed).containsExactly(true, false, false);
        assertSameTensors(again, straight);
        // the written files agree too, and the masks of stage 1 survived stages 2 and 3
        assertSameTensors(OnnxImporter.read(dir.resolve("b").resolve(recipe.name()).resolve(RecipeRunner.OUTPUT)),
                OnnxImporter.read(dir.resolve("a").resolve(recipe.name()).resolve(RecipeRunner.OUTPUT)));
        long zeros = 0;
        long total = 0;
        for (LayerSparsity l : UnstructuredPruning.sparsity(again)) {
            zeros += l.zeros();
            total += l.weights();
        }
        assertThat((double) zeros / total).isGreaterThan(0.45);
        assertThat(again.node("up1").layer().weights().get(0).weights().storage())
                .isInstanceOf(WeightStorage.IntN.class);

        // killed between stages 2 and 3: stage 3 starts from stage 2's snapshot alone (its checkpoint is gone)
        RecipeRunner between = new RecipeRunner(teacher(), discriminator(), TestImages.noise(64), null,
                tune(3, 2e-4, 1), dir.resolve("c"), Map.of(), n -> List.of(), false);
        between.onStage(new RecipeRunner.StageListener() {
            @Override
            public void onStage(Recipe r, int index, Stage stage, boolean fromSnapshot) {
                if (index == 2) {
                    throw new IllegalStateException("killed between stages");
                }
            }
        });
        assertThatThrownBy(() -> between.run(recipe)).hasMessageContaining("killed between stages");
        Path stage2 = dir.resolve("c").resolve(recipe.name()).resolve("02-channel-pruning");
        assertThat(stage2.resolve(StageSnapshot.FILE)).exists();
        java.nio.file.Files.delete(stage2.resolve(dev.gancompress.train.GanTrainer.CHECKPOINT_FILE));
        Model afterGap = new RecipeRunner(teacher(), discriminator(), TestImages.noise(64), null, tune(3, 2e-4, 1),
                dir.resolve("c"), Map.of(), n -> List.of(), false).run(recipe).model();
        assertSameTensors(afterGap, straight);
    }

    static void assertSameTensors(Model actual, Model expected) {
        Map<String, WeightSlot> a = actual.weightSlots();
        Map<String, WeightSlot> e = expected.weightSlots();
        assertThat(a.keySet()).isEqualTo(e.keySet());
        for (String k : e.keySet()) {
            var wa = a.get(k).weights();
            var we = e.get(k).weights();
            assertThat(wa.data()).as(k).containsExactly(we.data());
            assertThat(wa.mask()).as(k + " mask").isEqualTo(we.mask());
            assertThat(wa.storage()).as(k + " storage").isEqualTo(we.storage());
        }
    }

    /** Two built-in recipes end to end on a tiny model with a few steps per stage. */
    @Test
    void builtInRecipesRunEndToEnd(@TempDir Path dir) throws Exception {
        Model teacher = teacher();
        RecipeRunner runner = new RecipeRunner(teacher, discriminator(), TestImages.noise(64), null,
                tune(2, 2e-4, 0), dir, Map.of("command", "test"), n -> List.of(), true);

        RecipeRunner.Result deep = runner.run(RecipeLibrary.builtIn("deep-compression"));
        assertThat(deep.gcz()).exists();
        assertThat(Files.size(deep.gcz())).isLessThan(Files.size(deep.file()) / 4);
        Model read = OnnxImporter.read(deep.file());
        assertThat(read.metadata()).containsEntry("command", "test").containsKey("recipe").containsKey("version")
                .containsEntry("technique", "magnitude-pruning+weight-sharing+entropy-coding")
                .containsEntry("fine_tune_steps", "4").containsKey("dataset_sha256");
        assertThat(read.node("up1").layer().weights().get(0).weights().storage())
                .isInstanceOf(WeightStorage.Codebook.class);
        assertThat(deep.verification()).isNotNull();

        RecipeRunner.Result distilled = runner.run(RecipeLibrary.builtIn("distill-int8"));
        assertThat((double) distilled.model().macs() / teacher.macs()).isBetween(0.2, 0.35);
        assertThat(distilled.model().node("up1").layer().weights().get(0).weights().storage())
                .isInstanceOf(WeightStorage.IntN.class);
        assertThat(distilled.verification()).isNotNull();
        // a second run of a finished recipe reuses its output
        assertThat(runner.run(RecipeLibrary.builtIn("distill-int8")).reused()).isTrue();
    }

    @Test
    void aStaleStageDirectoryIsNotResumedFrom(@TempDir Path dir) {
        Model teacher = teacher();
        RecipeRunner runner = new RecipeRunner(teacher, discriminator(), TestImages.noise(64), null,
                tune(2, 2e-4, 1), dir, Map.of(), n -> List.of(), false);
        Recipe a = RecipeShortForm.parse("prune:channel=0.25@2,prune:magnitude=0.5@2");
        runner.run(a);
        // same name and work directory, other first stage: nothing of the old stages may be reused
        Recipe b = new Recipe(a.name(), List.of(Stage.of(ChannelPruning.NAME,
                ChannelPruning.Config.uniform(0.5, ChannelCriterion.L1_NORM), StageTuning.steps(2)), a.stages().get(1)));
        assertThatThrownBy(() -> runner.run(b)).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("holds the output of another recipe");
        Model fresh = runner.run(b, dir.resolve("b.onnx")).model();
        Model expected = new RecipeRunner(teacher, discriminator(), TestImages.noise(64), null, tune(2, 2e-4, 1),
                dir.resolve("clean"), Map.of(), n -> List.of(), false).run(b).model();
        assertSameTensors(fresh, expected);
    }
}
