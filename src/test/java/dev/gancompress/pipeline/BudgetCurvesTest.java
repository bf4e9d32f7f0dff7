package dev.gancompress.pipeline;

import dev.gancompress.data.ImageDataset;
import dev.gancompress.metrics.DomainEvaluator;
import dev.gancompress.metrics.QualityEvaluation;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Initializer;
import dev.gancompress.report.BudgetReport;
import dev.gancompress.train.TrainingHook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BudgetCurvesTest {
    @Test
    void pointsAreMeasuredOnceAndAKilledRunResumesWithoutRedoingFinishedPoints(@TempDir Path dir) throws Exception {
        DcganSpec spec = new DcganSpec(8, 1, 28, 8, 4, 0, 0);
        Model teacher = Dcgan.generator(spec);
        Model discriminator = Dcgan.discriminator(spec);
        Initializer.dcgan(teacher, 1);
        Initializer.dcgan(discriminator, 2);
        Model evalModel = DomainEvaluator.architecture(1, 28, 28, 2);
        DomainEvaluator.initialise(evalModel, 5);
        DomainEvaluator evaluator = new DomainEvaluator(evalModel, DomainEvaluator.FEATURE_LAYER, "test", "0");
        ImageDataset data = dev.gancompress.TestImages.noise(128);
        List<String> trained = new ArrayList<>();
        int[] evaluations = {0};
        BudgetCurves.Inputs inputs = new BudgetCurves.Inputs(teacher, "teacher.onnx", discriminator, data, evalModel,
                () -> {
                    evaluations[0]++;
                    return new QualityEvaluation(evaluator, data, new QualityEvaluation.Settings(100, 1, 100, 50, 3, 2,
                            16, dir.resolve("cache"), false, 20));
                }, dir.resolve("work"), name -> {
                    trained.add(name);
                    return List.<TrainingHook>of();
                }, null);
        BudgetCurves.Settings settings = new BudgetCurves.Settings(List.of(0.5), List.of(2L, 4L), List.of(1L),
                List.of(BudgetMethod.PRUNE, BudgetMethod.PRUNE_KD_LINEAR, BudgetMethod.ITER_KD), 100, null, 2, false);

        List<BudgetCurves.Point> points = new BudgetCurves(inputs, settings).run();
        assertThat(points).hasSize(1 + 3 * 2);
        // constant rate: one run to the largest budget; decaying and iterative: one run per budget (2 stages each)
        assertThat(trained.stream().filter(n -> n.contains("prune" + java.io.File.separator))).hasSize(1);
        assertThat(trained.stream().filter(n -> n.contains("prune-kd-linear"))).hasSize(2);
        assertThat(trained.stream().filter(n -> n.contains("iter-kd"))).hasSize(4);
        Path work = dir.resolve("work");
        assertThat(work.resolve("1of2/prune/seed-1/h-4/step-2.onnx")).exists();
        assertThat(work.resolve("1of2/prune-kd-linear/seed-1/h-2/step-2.onnx")).exists();
        assertThat(work.resolve("1of2/iter-kd/seed-1/h-4/stage-2.onnx")).exists();
        for (BudgetCurves.Point p : points) {
            assertThat(p.fid()).as(p.key()).isFinite();
            if (!p.method().equals("teacher")) {
                assertThat(p.macsRatio()).as(p.key()).isBetween(0.4, 0.6);
            }
        }
        String before = Files.readString(work.resolve(BudgetCurves.RESULTS));

        // a second run finds every point: nothing trained, nothing evaluated
        trained.clear();
        evaluations[0] = 0;
        assertThat(new BudgetCurves(inputs, settings).run()).containsExactlyInAnyOrderElementsOf(points);
        assertThat(trained).isEmpty();
        assertThat(evaluations[0]).isZero();
        assertThat(Files.readString(work.resolve(BudgetCurves.RESULTS))).isEqualTo(before);

        // a kill after the 2-step snapshot of the trunk but before its point was written: only that point is redone,
        // from the snapshot, without training
        List<String> lines = new ArrayList<>(Files.readAllLines(work.resolve(BudgetCurves.RESULTS)));
        lines.removeIf(l -> l.contains("\"method\":\"prune\"") && l.contains("\"steps\":2,"));
        assertThat(lines).hasSize(points.size() - 1);
        Files.write(work.resolve(BudgetCurves.RESULTS), lines);
        assertThat(new BudgetCurves(inputs, settings).run()).hasSize(points.size());
        assertThat(trained).isEmpty();
        assertThat(evaluations[0]).isEqualTo(1);

        // a new budget trains only what it needs
        BudgetCurves.Settings more = new BudgetCurves.Settings(List.of(0.5), List.of(2L, 4L, 6L), List.of(1L),
                settings.methods(), 100, null, 2, false);
        assertThat(new BudgetCurves(inputs, more).run()).hasSize(1 + 3 * 3);
        assertThat(trained.stream().filter(n -> n.contains("h-6"))).hasSize(1 + 1 + 2);
        assertThat(trained).allMatch(n -> n.contains("h-6"));

        String md = BudgetReport.writeAll(work, new BudgetCurves(inputs, more).points(), List.of(0.5), "test");
        assertThat(md).contains("| 1/2 | prune |").contains("| 1/2 | iter-kd |");
        assertThat(work.resolve("budget-1of2.png")).exists();
    }
}
