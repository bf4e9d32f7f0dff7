package dev.gancompress.compress.distill;

import dev.gancompress.compress.CompressionContext;
import dev.gancompress.compress.FineTuneController;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Initializer;
import dev.gancompress.train.GanLoss;
import dev.gancompress.train.StepResult;
import dev.gancompress.train.TrainingHook;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Each distillation loss falls when a half-width student fine-tunes on it alone for a few dozen steps. */
class DistillationLossTest {
    private static final int STEPS = 40;
    private static Model teacher;
    private static Model discriminator;
    private static Model evaluator;
    private static ImageDataset data;
    private static String featureNetwork;

    @TempDir
    static Path dir;

    @BeforeAll
    static void teacher() {
        teacher = DistillFixtures.randomTeacher(DistillFixtures.TINY, 21);
        discriminator = Dcgan.discriminator(DistillFixtures.TINY);
        Initializer.dcgan(discriminator, 22);
        // Any image classifier serves as the evaluator here: a separately initialised discriminator.
        evaluator = DistillFixtures.lecun(Dcgan.discriminator(new DcganSpec(8, 1, 28, 4, 4, 0, 0)), 77);
        data = DistillFixtures.blobs(64, 3);
        // the feature network of kd_perceptual and kd_mmd: another classifier than the evaluator (the guard refuses it)
        Path file = dir.resolve("feature-net.onnx");
        dev.gancompress.runtime.VerifiedModelWriter.write(
                DistillFixtures.lecun(Dcgan.discriminator(new DcganSpec(8, 1, 28, 4, 4, 0, 0)), 78), file, Map.of(),
                false);
        featureNetwork = file.toString();
    }

    /** Fine-tunes a fresh half-width student with {@code config} and returns the per-step losses by name. */
    private static Map<String, List<Double>> fineTune(DistillationConfig config, String run) throws Exception {
        Distillation kd = new Distillation(config);
        Path work = Files.createDirectories(dir.resolve(run));
        CompressionContext context = new CompressionContext(teacher, discriminator, data, evaluator, 5, work);
        Model student = kd.apply(teacher, context);
        FineTuneController controller = kd.controller(student, context);
        Map<String, List<Double>> losses = new java.util.LinkedHashMap<>();
        TrainingHook recorder = new TrainingHook() {
            @Override
            public void onStep(StepResult result) {
                result.losses().forEach((k, v) -> losses.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
            }
        };
        FineTuning.Settings base = new FineTuning.Settings(STEPS, 8, 2e-3, 2e-3, GanLoss.NON_SATURATING, 1f, false,
                9, 0);
        FineTuning.run(student, discriminator.copy(), data, kd.fineTuneSettings(base), controller, List.of(recorder),
                work, false);
        return losses;
    }

    private static double mean(List<Double> values, int from, int to) {
        return values.subList(from, to).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    private static void assertFalls(List<Double> curve, String name, double factor) {
        assertThat(curve).hasSize(STEPS);
        double first = mean(curve, 0, 5);
        double last = mean(curve, STEPS - 5, STEPS);
        System.out.printf("%s: mean of steps 1-5 %.5f, of steps %d-%d %.5f (%.2fx)%n", name, first, STEPS - 4, STEPS,
                last, first / last);
        assertThat(last).as(name + " falls").isLessThan(factor * first);
    }

    /** A half-width random student trained on the given distillation weights only (no adversarial term). */
    private static DistillationConfig only(double output, double feature, double perceptual, OutputLoss loss) {
        return only(output, feature, perceptual, 0, loss);
    }

    private static DistillationConfig only(double output, double feature, double perceptual, double mmd,
                                           OutputLoss loss) {
        return new DistillationConfig(0.5, null, null, StudentInit.RANDOM, output, loss, feature, null, null,
                perceptual, "conv3_act", 0.0, true, featureNetwork, mmd, MmdKernel.GAUSSIAN, MmdTarget.TEACHER, null,
                "conv3_act");
    }

    @Test
    void mmdLossFalls() throws Exception {
        Map<String, List<Double>> losses = fineTune(only(0, 0, 0, 1, OutputLoss.L1), "mmd");
        assertThat(losses).containsOnlyKeys(DistributionMatching.NAME);
        assertFalls(losses.get(DistributionMatching.NAME), "kd_mmd", 0.8);
    }

    @Test
    void theEvaluatorIsRefusedAsTheFeatureNetwork() throws Exception {
        Path file = dir.resolve("evaluator.onnx");
        dev.gancompress.runtime.VerifiedModelWriter.write(evaluator, file, Map.of(), false);
        DistillationConfig gaming = only(0, 0, 1, 0, OutputLoss.L1).withPerceptual(file.toString(), 1, "conv3_act");
        CompressionContext context = new CompressionContext(teacher, discriminator, data, evaluator, 5, dir);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Distillation(gaming).apply(teacher, context))
                .isInstanceOf(dev.gancompress.GanCompressException.class)
                .hasMessageContaining("is refused for a training loss").hasMessageContaining("evaluation network's weights");
    }

    @Test
    void outputL1LossFalls() throws Exception {
        Map<String, List<Double>> losses = fineTune(only(1, 0, 0, OutputLoss.L1), "l1");
        assertThat(losses).containsOnlyKeys(OutputDistillation.NAME);
        assertFalls(losses.get(OutputDistillation.NAME), "kd_output L1", 0.8);
    }

    @Test
    void outputL2LossFalls() throws Exception {
        Map<String, List<Double>> losses = fineTune(only(1, 0, 0, OutputLoss.L2), "l2");
        assertFalls(losses.get(OutputDistillation.NAME), "kd_output L2", 0.8);
    }

    @Test
    void featureLossFalls() throws Exception {
        Map<String, List<Double>> losses = fineTune(only(0, 1, 0, OutputLoss.L1), "feature");
        assertThat(losses).containsOnlyKeys(FeatureDistillation.NAME);
        assertFalls(losses.get(FeatureDistillation.NAME), "kd_feature", 0.8);
    }

    @Test
    void perceptualLossFalls() throws Exception {
        Map<String, List<Double>> losses = fineTune(only(0, 0, 1, OutputLoss.L1), "perceptual");
        assertThat(losses).containsOnlyKeys(PerceptualDistillation.NAME);
        assertFalls(losses.get(PerceptualDistillation.NAME), "kd_perceptual", 0.8);
    }

    @Test
    void allTermsWithTheAdversarialLossAreLoggedByName() throws Exception {
        DistillationConfig config = new DistillationConfig(0.5, null, null, StudentInit.TEACHER_SELECTION, 1.0,
                OutputLoss.L1, 1.0, null, null, 1.0, "conv3_act", 1.0, false, featureNetwork, 1.0, null, null, null,
                "conv3_act");
        Map<String, List<Double>> losses = fineTune(config, "all");
        assertThat(losses).containsKeys("d_real", "d_fake", "g_adv", OutputDistillation.NAME,
                FeatureDistillation.NAME, PerceptualDistillation.NAME, DistributionMatching.NAME);
        for (List<Double> curve : losses.values()) {
            assertThat(curve).hasSize(STEPS).allMatch(Double::isFinite);
        }
    }
}
