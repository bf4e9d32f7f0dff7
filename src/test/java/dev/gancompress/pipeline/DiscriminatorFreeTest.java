package dev.gancompress.pipeline;

import dev.gancompress.GanCompressException;
import dev.gancompress.TestImages;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.compress.distill.OutputDistillation;
import dev.gancompress.compress.distill.OutputLoss;
import dev.gancompress.compress.prune.ChannelCriterion;
import dev.gancompress.compress.prune.ChannelPruning;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Initializer;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.train.GanLoss;
import dev.gancompress.train.GanTrainer;
import dev.gancompress.train.TrainingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A generator brought without its discriminator: fine-tuning falls back to discriminator-free distillation toward
 * the teacher's outputs, says so once, records it in the provenance, and resumes exactly like adversarial training.
 */
class DiscriminatorFreeTest {
    private static final DcganSpec SPEC = new DcganSpec(8, 1, 28, 8, 4, 0, 0);

    private static Model teacher() {
        // every tensor random, running statistics too: DCGAN's initialisation leaves the images near constant
        return dev.gancompress.TestModels.randomize(Dcgan.generator(SPEC), 1);
    }

    /** Mean absolute difference between two generators' images for the same 16 latent codes. */
    private static double distance(Model a, Model b) {
        Map<String, Tensor> z = TestImages.randomInputs(a, 16, 99);
        float[] x = new Network(a).forward(z, false).data();
        float[] y = new Network(b).forward(z, false).data();
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += Math.abs(x[i] - y[i]);
        }
        return sum / x.length;
    }

    /**
     * Channel pruning then int8 QAT with no discriminator and no images: pruning's stage, which trained on the
     * adversarial term alone, now trains on L1 to the teacher, so the pruned student ends much closer to the teacher
     * than the surgery left it; the note is said once for the two stages and the provenance names both.
     */
    @Test
    void prunedStudentLearnsTheTeachersOutputsWithoutADiscriminator(@TempDir Path dir) {
        Model teacher = teacher();
        Model surgeryOnly = new ChannelPruning(ChannelPruning.Config.uniform(0.25, ChannelCriterion.L1_NORM))
                .apply(teacher, null);
        double before = distance(surgeryOnly, teacher);
        Recipe recipe = RecipeShortForm.parse("prune:channel=0.25@40,qat:int8@2");
        FineTuning.Settings tune = new FineTuning.Settings(40, 8, 2e-3, 2e-4, GanLoss.NON_SATURATING, 1f, false, 1,
                0);
        List<String> notes = new ArrayList<>();
        LossNames losses = new LossNames();
        RecipeRunner runner = new RecipeRunner(teacher, null, null, null, tune, dir, Map.of(), n -> List.of(losses),
                false);
        runner.onStage(new RecipeRunner.StageListener() {
            @Override
            public void onNote(Recipe r, String note) {
                notes.add(note);
            }
        });
        RecipeRunner.Result result = runner.run(recipe);
        double after = distance(result.model(), teacher);
        assertThat(after).as("L1 to the teacher, %.4f before fine-tuning", before).isLessThan(0.6 * before);
        assertThat(losses.names).containsExactly("kd_output");
        assertThat(notes).containsExactly(DiscriminatorFree.NOTE);
        assertThat(notes.get(0)).contains("--teacher-d").contains("discriminator-free distillation");
        assertThat(dev.gancompress.onnx.OnnxImporter.read(result.file()).metadata()
                .get(DiscriminatorFree.PROVENANCE_KEY)).startsWith("none: discriminator-free distillation")
                .contains("stage(s) channel-pruning, qat");
    }

    /** Records the loss names of every step of every stage. */
    private static final class LossNames implements dev.gancompress.train.TrainingHook {
        final java.util.Set<String> names = new java.util.TreeSet<>();

        @Override
        public void onStep(dev.gancompress.train.StepResult result) {
            names.addAll(result.losses().keySet());
        }
    }

    /**
     * An image-to-image generator without a discriminator: the pruned student trains on pix2pix's L1 to the targets
     * and on the added L1 to the teacher's images, with no adversarial or discriminator term.
     */
    @Test
    void pix2pixStudentTrainsOnTheTeacherAndTheTargetsWithoutADiscriminator(@TempDir Path dir) {
        Model teacher = dev.gancompress.TestModels.randomize(dev.gancompress.model.Pix2pix.resnet(
                new dev.gancompress.model.Pix2pixSpec(1, 1, 16, 4, 4, 2)), 2);
        FineTuning.Settings tune = new FineTuning.Settings(3, 4, 1e-3, 2e-4, GanLoss.NON_SATURATING, 1f, false, 1, 0);
        LossNames losses = new LossNames();
        RecipeRunner runner = new RecipeRunner(teacher, null, TestImages.rectangles(16, 1).stacked(), null, tune,
                dir, Map.of(), n -> List.of(losses), false);
        Model out = runner.run(RecipeShortForm.parse("prune:channel=0.5")).model();
        assertThat(losses.names).containsExactly("kd_output", "l1");
        assertThat(out.macs()).isLessThan(teacher.macs());
    }

    /** With a discriminator nothing changes: no note, no provenance entry. */
    @Test
    void aRunWithADiscriminatorSaysNothing(@TempDir Path dir) {
        Model d = Dcgan.discriminator(SPEC);
        Initializer.dcgan(d, 2);
        FineTuning.Settings tune = new FineTuning.Settings(2, 8, 2e-4, 2e-4, GanLoss.NON_SATURATING, 1f, false, 1, 0);
        List<String> notes = new ArrayList<>();
        RecipeRunner runner = new RecipeRunner(teacher(), d, TestImages.noise(32), null, tune, dir, Map.of(),
                n -> List.of(), false);
        runner.onStage(new RecipeRunner.StageListener() {
            @Override
            public void onNote(Recipe r, String note) {
                notes.add(note);
            }
        });
        Path out = runner.run(RecipeShortForm.parse("prune:channel=0.25")).file();
        assertThat(notes).isEmpty();
        assertThat(dev.gancompress.onnx.OnnxImporter.read(out).metadata())
                .doesNotContainKey(DiscriminatorFree.PROVENANCE_KEY).containsKey(dev.gancompress.Provenance.RECIPE_KEY);
    }

    private static GanTrainer distilling(long maxSteps, Model teacher) {
        TrainingConfig config = new TrainingConfig(1, 8, 1e-3, 2e-4, 0.5, 0.999, GanLoss.NON_SATURATING, 5, 1,
                maxSteps);
        return new GanTrainer(config).adversarialWeight(0).freezeDiscriminator(true)
                .addGeneratorTerm(OutputDistillation.toTeacher(teacher, OutputLoss.L1, 1f));
    }

    /**
     * The trainer without a discriminator, on real images (their labels and batches drive the steps) and without any:
     * a run stopped after 2 steps and resumed to 5 ends with the uninterrupted run's weights, bit for bit.
     */
    @Test
    void discriminatorFreeRunsResumeToTheUninterruptedWeights(@TempDir Path dir) {
        for (var data : java.util.Arrays.asList(TestImages.blobs(48, 2), null)) {
            String tag = data == null ? "codes-only" : "images";
            Model teacher = teacher();
            Model straight = prunedCopy(teacher);
            distilling(5, teacher).run(straight, null, data, dir.resolve(tag + "-a"), false);
            Model resumed = prunedCopy(teacher);
            distilling(2, teacher).run(resumed, null, data, dir.resolve(tag + "-b"), false);
            Model fresh = prunedCopy(teacher);
            GanTrainer.Result r = distilling(5, teacher).run(fresh, null, data, dir.resolve(tag + "-b"), true);
            assertThat(r.stepsThisRun()).as(tag).isEqualTo(3);
            StagedRecipeTest.assertSameTensors(fresh, straight);
            assertThat(distance(straight, prunedCopy(teacher))).as(tag + ": the student trained").isPositive();
        }
    }

    private static Model prunedCopy(Model teacher) {
        return new ChannelPruning(ChannelPruning.Config.uniform(0.25, ChannelCriterion.L1_NORM)).apply(teacher, null);
    }

    /** An adversarial term without a discriminator is refused, naming the option; so is a run with no loss at all. */
    @Test
    void adversarialTrainingWithoutADiscriminatorIsRefused(@TempDir Path dir) {
        Model student = teacher();
        FineTuning.Settings adversarial = new FineTuning.Settings(3, 8, 2e-4, 2e-4, GanLoss.NON_SATURATING, 1f, false,
                1, 0);
        assertThatThrownBy(() -> FineTuning.run(student, null, TestImages.noise(32), adversarial,
                dev.gancompress.compress.FineTuneController.NONE, List.of(), dir, false))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("--teacher-d")
                .hasMessageContaining("adversarial");
        assertThatThrownBy(() -> new GanTrainer(new TrainingConfig(1, 8, 2e-4, 2e-4, 0.5, 0.999,
                GanLoss.NON_SATURATING, 1, 0, 3)).run(student, null, null, dir, false))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("--teacher-d");
        assertThatThrownBy(() -> new GanTrainer(new TrainingConfig(1, 8, 2e-4, 2e-4, 0.5, 0.999,
                GanLoss.NON_SATURATING, 1, 0, 3)).adversarialWeight(0).run(student, null, null, dir, false))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("no objective");
    }
}
