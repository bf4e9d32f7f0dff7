package dev.gancompress.compress.distill;

import dev.gancompress.GanCompressException;
import dev.gancompress.TestModels;
import dev.gancompress.compress.CompressionContext;
import dev.gancompress.compress.FineTuneController;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.compress.prune.ChannelCriterion;
import dev.gancompress.compress.prune.ChannelDependencyGraph;
import dev.gancompress.compress.prune.ChannelDependencyGraph.Group;
import dev.gancompress.compress.prune.ChannelSurgery;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.data.PairedDataset;
import dev.gancompress.model.Input;
import dev.gancompress.model.Model;
import dev.gancompress.model.Pix2pix;
import dev.gancompress.model.Pix2pixSpec;
import dev.gancompress.nn.Initializer;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.train.GeneratorLossTerm;
import dev.gancompress.train.StepResult;
import dev.gancompress.train.TrainingHook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Distillation of image-to-image generators (issue 13): the width-scaled student of a ResNet or U-Net generator,
 * "prune then distill" initialisation, feature adapters on the residual trunk, and the paired fine-tune in which
 * the student and the teacher read the same input edge maps.
 */
class Pix2pixDistillationTest {
    private static final Pix2pixSpec TINY = new Pix2pixSpec(1, 1, 16, 4, 4, 2);

    static PairedDataset rectangles(int n) {
        return dev.gancompress.TestImages.rectangles(n, 9);
    }

    private static Map<String, Tensor> inputs(Model m, long seed) {
        return dev.gancompress.TestImages.randomInputs(m, 3, seed);
    }

    @Test
    void teacherSelectionStudentIsTheMaskedTeacher() {
        for (Model teacher : List.of(TestModels.randomize(Pix2pix.resnet(TINY), 2),
                TestModels.randomize(Pix2pix.unet(TINY), 3))) {
            Model same = StudentFactory.widthScaled(teacher, 1.0, Map.of(), StudentInit.TEACHER_SELECTION, 1);
            Map<String, Tensor> in = inputs(teacher, 4);
            Tensor t = new Network(teacher).forward(in, false).copy();
            assertThat(new Network(same).forward(in, false).maxAbsDifference(t)).isZero();

            Model half = StudentFactory.widthScaled(teacher, 0.5, Map.of(), StudentInit.TEACHER_SELECTION, 1);
            ChannelDependencyGraph graph = ChannelDependencyGraph.of(teacher);
            Map<String, int[]> keep = new LinkedHashMap<>();
            for (Group g : graph.prunableGroups()) {
                double[] s = ChannelCriterion.filterL1(teacher, g);
                keep.put(g.name(), IntStream.range(0, s.length).boxed()
                        .sorted((a, b) -> s[a] != s[b] ? Double.compare(s[b], s[a]) : Integer.compare(a, b))
                        .limit(Math.round(s.length * 0.5)).mapToInt(Integer::intValue).sorted().toArray());
            }
            Tensor masked = new Network(ChannelSurgery.zeroChannels(teacher, graph, keep)).forward(in, false).copy();
            assertThat(new Network(half).forward(in, false).maxAbsDifference(masked)).as(teacher.name())
                    .isLessThan(1e-5);
            assertThat(half.macs()).isLessThan(teacher.macs() / 2);
            assertThat(StudentFactory.checkedStudent(half, teacher, "half")).isSameAs(half);
        }
    }

    @Test
    void featureLayersDefaultToTheResidualTrunkOrTheSkips() {
        assertThat(FeatureDistillation.defaultLayers(Pix2pix.resnet(TINY))).containsExactly("res1", "res2");
        assertThat(FeatureDistillation.defaultLayers(Pix2pix.unet(TINY)))
                .containsExactly("up4_skip", "up3_skip", "up2_skip");
        DistillationConfig fixed = new DistillationConfig(0.5, null, null, null, null, null, null, List.of("res1"),
                null, null, null, null, null);
        assertThat(fixed.featureLayersFor(Pix2pix.resnet(TINY))).containsExactly("res1");
    }

    @Test
    void aStudentThatReadsAnotherInputIsRejected() {
        Model teacher = Pix2pix.resnet(TINY);
        Model wrongSize = Pix2pix.resnet(new Pix2pixSpec(2, 1, 16, 4, 4, 2));
        assertThatThrownBy(() -> StudentFactory.checkedStudent(wrongSize, teacher, "s.onnx"))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("student s.onnx takes inputs")
                .hasMessageContaining("must read the same input image");
    }

    @Test
    void teacherReadsTheStudentsInputImages() {
        Model teacher = TestModels.randomize(Pix2pix.resnet(TINY), 5);
        GeneratorLossTerm term = OutputDistillation.toTeacher(teacher, OutputLoss.L1, 1f);
        Network self = new Network(teacher.copy());
        Map<String, Tensor> in = inputs(teacher, 6);
        Tensor out = self.forward(in, false);
        float[] grad = new float[out.data().length];
        assertThat(term.apply(self, in, out, grad, new HashMap<>(), 0)).as("same model, same input").isZero();
        Map<String, Tensor> other = inputs(teacher, 7);
        Tensor out2 = self.forward(other, false);
        // a new step with other input images: the teacher follows, so the loss is still 0
        assertThat(term.apply(self, other, out2, grad, new HashMap<>(), 0)).as("new images, same step").isZero();
    }

    @Test
    void pairedFineTuneBringsTheStudentTowardTheTeacher(@TempDir Path dir) {
        Model teacher = Pix2pix.resnet(TINY);
        Model d = Pix2pix.patchDiscriminator(TINY, "pix2pix-resnet");
        Initializer.dcgan(teacher, 11);
        Initializer.dcgan(d, 12);
        ImageDataset data = rectangles(32).stacked();
        // no adversarial term, so the logged kd_feature shows the adapters and the student learning
        DistillationConfig config = new DistillationConfig(0.5, null, null, StudentInit.RANDOM, 1.0, null, 1.0,
                null, 1e-2, null, null, 0.0, true);
        Distillation kd = new Distillation(config);
        CompressionContext ctx = new CompressionContext(teacher, d, data, null, 3, dir);
        Model student = kd.apply(teacher, ctx);
        assertThat(student.input(Input.Kind.IMAGE).shape()).isEqualTo(teacher.input(Input.Kind.IMAGE).shape());
        FineTuneController controller = kd.controller(student, ctx);
        FeatureDistillation features = (FeatureDistillation) controller.lossTerms().stream()
                .filter(t -> t instanceof FeatureDistillation).findFirst().orElseThrow();
        assertThat(features.adapterModels()).hasSize(2);
        List<Map<String, Double>> losses = new ArrayList<>();
        TrainingHook log = new TrainingHook() {
            @Override
            public void onStep(StepResult r) {
                losses.add(r.losses());
            }
        };
        FineTuning.Settings s = kd.fineTuneSettings(new FineTuning.Settings(30, 8, 2e-3, 2e-4,
                dev.gancompress.train.GanLoss.NON_SATURATING, 1f, false, 3, 0));
        FineTuning.run(student, d, data, s, controller, List.of(log), dir, false);
        assertThat(losses).hasSize(30);
        assertThat(losses.get(0)).containsKeys(FeatureDistillation.NAME, OutputDistillation.NAME);
        double first = mean(losses.subList(0, 3), FeatureDistillation.NAME);
        double last = mean(losses.subList(27, 30), FeatureDistillation.NAME);
        assertThat(last).as("kd_feature over the fine-tune").isLessThan(0.7 * first);
        // the paired trainer keeps pix2pix's L1 to the ground truth beside the distillation terms (GAN Compression's
        // paired objective); with this untrained teacher the two pull apart, so only the feature term must fall
        assertThat(losses.get(0)).containsKey("l1");
    }

    private static double mean(List<Map<String, Double>> steps, String key) {
        return steps.stream().mapToDouble(m -> m.get(key)).average().orElseThrow();
    }
}
