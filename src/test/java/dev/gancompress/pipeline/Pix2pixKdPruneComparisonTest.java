package dev.gancompress.pipeline;

import dev.gancompress.compress.FineTuning;
import dev.gancompress.data.PairedDataset;
import dev.gancompress.metrics.CostModel;
import dev.gancompress.metrics.DomainEvaluator;
import dev.gancompress.metrics.QualityEvaluation;
import dev.gancompress.model.Model;
import dev.gancompress.model.Pix2pix;
import dev.gancompress.model.Pix2pixSpec;
import dev.gancompress.nn.Initializer;
import dev.gancompress.report.ResultRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The distillation-vs-pruning comparison on an image-to-image teacher (issue 13's table, at test size): the recipe
 * runner fine-tunes on paired data, the paired evaluation reports FID and PSNR to the ground truth, and all three
 * students sit at the same MACs.
 */
class Pix2pixKdPruneComparisonTest {
    static PairedDataset rectangles(int n, long seed) {
        return dev.gancompress.TestImages.rectangles(n, seed);
    }

    @Test
    void studentsOfAPix2pixTeacherAtEqualMacsWithGroundTruthPsnr(@TempDir Path dir) {
        Pix2pixSpec spec = new Pix2pixSpec(1, 1, 16, 8, 4, 2);
        Model teacher = Pix2pix.resnet(spec);
        Model discriminator = Pix2pix.patchDiscriminator(spec, "pix2pix-resnet");
        Initializer.dcgan(teacher, 1);
        Initializer.dcgan(discriminator, 2);
        Model evalModel = DomainEvaluator.architecture(1, 16, 16, 2);
        DomainEvaluator.initialise(evalModel, 5);
        DomainEvaluator evaluator = new DomainEvaluator(evalModel, DomainEvaluator.FEATURE_LAYER, "test", "0");
        QualityEvaluation evaluation = QualityEvaluation.paired(evaluator, rectangles(32, 4),
                new QualityEvaluation.Settings(32, 1, 32, 16, 3, 2, 16, dir.resolve("cache"), false, 4),
                CostModel.Options.defaults());
        KdPruneComparison.Settings settings = new KdPruneComparison.Settings(List.of(0.25), 2, 10, 1, 1);
        FineTuning.Settings tune = new FineTuning.Settings(2, 8, 2e-4, 2e-4,
                dev.gancompress.train.GanLoss.NON_SATURATING, 1f, false, 1, 0);
        RecipeRunner runner = new RecipeRunner(teacher, discriminator, rectangles(32, 3).stacked(), evalModel, tune,
                dir.resolve("work"), Map.of(), name -> List.of());

        List<ResultRow> rows = KdPruneComparison.run(teacher, "teacher.onnx", runner, () -> evaluation, settings, null);
        assertThat(rows).extracting(ResultRow::name)
                .containsExactly("teacher", "control-adv", "control-kd", "prune-1of4", "kd-1of4", "prune-kd-1of4");
        long teacherMacs = rows.get(0).quality().cost().macs();
        for (ResultRow r : rows) {
            assertThat(r.quality().groundTruth()).as(r.name() + ": paired evaluation").isNotNull();
            assertThat(r.quality().groundTruth().psnr()).as(r.name()).isFinite().isPositive();
            assertThat(r.quality().fid()).isFinite();
        }
        for (ResultRow r : rows.subList(3, 6)) {
            assertThat((double) r.quality().cost().macs() / teacherMacs).as(r.name()).isBetween(0.15, 0.35);
            assertThat(r.quality().cost().macs()).isEqualTo(rows.get(3).quality().cost().macs());
        }
        assertThat(dir.resolve("work").resolve("kd-1of4").resolve(RecipeRunner.OUTPUT)).exists();
    }
}
