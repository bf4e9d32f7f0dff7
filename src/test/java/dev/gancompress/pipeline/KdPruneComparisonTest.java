package dev.gancompress.pipeline;

import dev.gancompress.compress.FineTuning;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.metrics.DomainEvaluator;
import dev.gancompress.metrics.QualityEvaluation;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Initializer;
import dev.gancompress.report.ComparisonReport;
import dev.gancompress.report.ResultRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class KdPruneComparisonTest {
    private static ImageDataset noise(int n) {
        return dev.gancompress.TestImages.noise(n);
    }

    @Test
    void threeMethodsAtEqualMacsAndAResumedRunReusesTheStudents(@TempDir Path dir) {
        DcganSpec spec = new DcganSpec(8, 1, 28, 8, 4, 0, 0);
        Model teacher = Dcgan.generator(spec);
        Model discriminator = Dcgan.discriminator(spec);
        Initializer.dcgan(teacher, 1);
        Initializer.dcgan(discriminator, 2);
        Model evalModel = DomainEvaluator.architecture(1, 28, 28, 2);
        DomainEvaluator.initialise(evalModel, 5);
        DomainEvaluator evaluator = new DomainEvaluator(evalModel, DomainEvaluator.FEATURE_LAYER, "test", "0");
        ImageDataset data = noise(64);
        QualityEvaluation evaluation = new QualityEvaluation(evaluator, data, new QualityEvaluation.Settings(64, 1,
                64, 32, 3, 2, 16, dir.resolve("cache"), false, 20));
        KdPruneComparison.Settings settings = new KdPruneComparison.Settings(List.of(0.5), 3, 10, 1, 1);
        FineTuning.Settings tune = new FineTuning.Settings(3, 8, 2e-4, 2e-4,
                dev.gancompress.train.GanLoss.NON_SATURATING, 1f, false, 1, 0);
        RecipeRunner runner = new RecipeRunner(teacher, discriminator, data, evalModel, tune, dir.resolve("work"),
                Map.of(), name -> List.of());

        List<ResultRow> rows = KdPruneComparison.run(teacher, "teacher.onnx", runner, () -> evaluation, settings, null);
        assertThat(rows).extracting(ResultRow::name)
                .containsExactly("teacher", "control-adv", "control-kd", "prune-1of2", "kd-1of2", "prune-kd-1of2");
        assertThat(rows.get(0).quality().fidelity().psnr()).isInfinite();
        long teacherMacs = rows.get(0).quality().cost().macs();
        // the controls keep the teacher's architecture but were fine-tuned: same cost, other images
        for (ResultRow control : rows.subList(1, 3)) {
            assertThat(control.quality().cost().macs()).isEqualTo(teacherMacs);
            assertThat(control.quality().cost().parameters()).isEqualTo(rows.get(0).quality().cost().parameters());
            assertThat(control.quality().fidelity().psnr()).as(control.name()).isFinite();
            assertThat(control.fineTuneSeconds()).isPositive();
        }
        rows = new java.util.ArrayList<>(rows);
        rows.subList(1, 3).clear();
        for (ResultRow r : rows.subList(1, rows.size())) {
            double ratio = (double) r.quality().cost().macs() / teacherMacs;
            assertThat(ratio).as(r.name()).isBetween(0.4, 0.6);
            assertThat(r.quality().fid()).isFinite();
        }
        // the same MACs for all three methods: they keep the same channel counts
        assertThat(rows.get(1).quality().cost().macs()).isEqualTo(rows.get(2).quality().cost().macs())
                .isEqualTo(rows.get(3).quality().cost().macs());
        String md = ComparisonReport.markdown(rows);
        assertThat(md).contains("| prune-1of2 | channel pruning + fine-tune | 1/2 MACs |");

        assertThat(dir.resolve("work").resolve("prune-1of2").resolve("quality.json")).exists();
        assertThat(dir.resolve("work").resolve("teacher-quality.json")).exists();
        // a second run (a resumed comparison) reuses the written students and evaluations: nothing redone
        List<ResultRow> again = KdPruneComparison.run(teacher, "teacher.onnx", runner, () -> evaluation, settings, null);
        again = new java.util.ArrayList<>(again);
        again.subList(1, 3).clear();
        for (int i = 0; i < rows.size(); i++) {
            assertThat(again.get(i).quality().fid()).isEqualTo(rows.get(i).quality().fid());
        }
    }

    /**
     * The demo's set covers every family alone and in combination, and each recipe runs end to end on a tiny teacher
     * (2 steps per stage) to a file ONNX Runtime agrees with.
     */
    @Test
    void theDemoRecipesCoverEveryFamilyAloneAndCombinedAndAllRun(@TempDir Path dir) {
        DcganSpec spec = new DcganSpec(8, 1, 28, 8, 4, 0, 0);
        Model teacher = Dcgan.generator(spec);
        Model discriminator = Dcgan.discriminator(spec);
        Initializer.dcgan(teacher, 1);
        Initializer.dcgan(discriminator, 2);
        FineTuning.Settings tune = new FineTuning.Settings(2, 8, 2e-4, 2e-4,
                dev.gancompress.train.GanLoss.NON_SATURATING, 1f, false, 1, 0);
        RecipeRunner runner = new RecipeRunner(teacher, discriminator, noise(64), null, tune, dir, Map.of(),
                name -> List.of());
        java.util.Set<String> singles = new java.util.TreeSet<>();
        int combined = 0;
        for (ComparisonEntry e : DemoRecipes.entries(2)) {
            List<String> families = Recipes.families(e.recipe());
            if (e.target().equals("single family")) {
                assertThat(families).as(e.recipe().name()).hasSize(1);
                singles.addAll(families);
            } else if (e.target().equals("combined")) {
                assertThat(families.size()).as(e.recipe().name()).isGreaterThan(1);
                combined++;
            } else {
                assertThat(families).as(e.recipe().name()).isEmpty();
            }
            RecipeRunner.Result r = runner.run(e.recipe());
            assertThat(r.file()).as(e.recipe().name()).exists();
            assertThat(r.verification()).as(e.recipe().name()).isNotNull();
        }
        assertThat(singles).containsExactly("distill", "encode", "lowrank", "prune", "quantize");
        assertThat(combined).isGreaterThanOrEqualTo(3);
    }
}
