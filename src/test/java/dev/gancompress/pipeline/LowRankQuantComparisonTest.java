package dev.gancompress.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.GanCompressException;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.metrics.DomainEvaluator;
import dev.gancompress.metrics.QualityEvaluation;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Initializer;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.report.DeploymentReport;
import dev.gancompress.report.DeploymentRow;
import dev.gancompress.report.ResultRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LowRankQuantComparisonTest {
    @Test
    void theEntriesAreTheRowsIssueNineAsksFor() {
        List<ComparisonEntry> entries = LowRankQuantComparison.entries(LowRankQuantComparison.Settings.defaults(300));
        assertThat(entries).extracting(e -> e.recipe().name()).containsExactly("control", "tucker2-0.50",
                "tucker2-0.75", "ptq-int8", "int8-ort", "int8-ort-folded", "qat-int8", "ptq-int4", "qat-int4",
                "qat-ternary", "mixed-0.20");
        Map<String, Recipe> byName = new LinkedHashMap<>();
        entries.forEach(e -> byName.put(e.recipe().name(), e.recipe()));
        assertThat(byName.get("control").stages().get(0).technique()).isEqualTo("uncompressed-control");
        assertThat(byName.get("tucker2-0.50").stages().get(0).config().get("method").asText()).isEqualTo("tucker2");
        assertThat(byName.get("tucker2-0.75").stages().get(0).config().get("macsBudget").asDouble()).isEqualTo(0.75);
        // the int8 model ORT runs on integer kernels: int8 weights, then int8 activations
        assertThat(byName.get("int8-ort").stages()).extracting(Stage::technique)
                .containsExactly("ptq-weights", "ptq-activations");
        assertThat(byName.get("int8-ort-folded").stages()).extracting(Stage::technique)
                .containsExactly("fold-batchnorm", "ptq-weights", "ptq-activations");
        assertThat(byName.get("int8-ort").stages().get(0).config().get("bits").asInt()).isEqualTo(8);
        assertThat(byName.get("ptq-int4").stages().get(0).config().get("bits").asInt()).isEqualTo(4);
        JsonNode ternary = byName.get("qat-ternary").stages().get(0).config();
        assertThat(byName.get("qat-ternary").stages().get(0).technique()).isEqualTo("qat");
        assertThat(ternary.get("bits").asInt()).isEqualTo(2);
        assertThat(ternary.get("scheme").asText()).isEqualTo("ternary");
        assertThat(byName.get("mixed-0.20").stages().get(0).config().get("budget").asDouble()).isEqualTo(0.2);
        // trained rows share one budget, post-training rows are not trained
        for (String trained : List.of("control", "tucker2-0.50", "tucker2-0.75", "qat-int8", "qat-int4", "qat-ternary")) {
            assertThat(byName.get(trained).stages().get(0).fineTune().steps()).as(trained).isEqualTo(300);
        }
        for (String post : List.of("ptq-int8", "int8-ort", "int8-ort-folded", "ptq-int4", "mixed-0.20")) {
            assertThat(byName.get(post).stages().get(0).fineTune().steps()).as(post).isZero();
        }
        // every recipe names registered techniques with valid configurations
        entries.forEach(e -> RecipeRunner.techniques(e.recipe()));
    }

    @Test
    void badSettingsAreRefusedWithTheValue() {
        assertThatThrownBy(() -> new LowRankQuantComparison.Settings(List.of(0.5, 1.0), 3, 0.2, 8))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("(0, 1), got 1.0");
        assertThatThrownBy(() -> new LowRankQuantComparison.Settings(List.of(0.5, 0.5), 3, 0.2, 8))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("distinct");
        assertThatThrownBy(() -> new LowRankQuantComparison.Settings(List.of(0.5), 3, 0, 8))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("mixed-precision budget");
        assertThatThrownBy(() -> new LowRankQuantComparison.Settings(List.of(0.5), 3, 0.2, 0))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("calibration samples");
    }

    @Test
    void aSmokeRunWritesTheTableWithEveryColumnAndAResumedRunRecomputesNothing(@TempDir Path dir) throws Exception {
        DcganSpec spec = new DcganSpec(8, 1, 28, 8, 4, 0, 0);
        Model teacher = Dcgan.generator(spec);
        Model discriminator = Dcgan.discriminator(spec);
        Initializer.dcgan(teacher, 1);
        Initializer.dcgan(discriminator, 2);
        Path teacherFile = dir.resolve("teacher.onnx");
        OnnxExporter.write(teacher, teacherFile, Map.of());
        Model evalModel = DomainEvaluator.architecture(1, 28, 28, 2);
        DomainEvaluator.initialise(evalModel, 5);
        DomainEvaluator evaluator = new DomainEvaluator(evalModel, DomainEvaluator.FEATURE_LAYER, "test", "0");
        ImageDataset data = dev.gancompress.TestImages.noise(64);
        QualityEvaluation evaluation = new QualityEvaluation(evaluator, data, new QualityEvaluation.Settings(64, 1,
                64, 32, 3, 2, 16, dir.resolve("cache"), false, 20));
        FineTuning.Settings tune = new FineTuning.Settings(2, 8, 2e-4, 2e-4,
                dev.gancompress.train.GanLoss.NON_SATURATING, 1f, false, 1, 0);
        Path work = dir.resolve("work");
        RecipeRunner runner = new RecipeRunner(teacher, discriminator, data, evalModel, tune, work, Map.of(),
                name -> List.of());
        LowRankQuantComparison.Settings settings = new LowRankQuantComparison.Settings(List.of(0.5, 0.75), 2, 0.2, 16);
        List<ComparisonEntry> entries = LowRankQuantComparison.entries(settings);

        List<ResultRow> rows = RecipeComparison.run(teacher, teacherFile.toString(), runner, () -> evaluation, entries,
                null);
        Map<String, Path> files = files(teacherFile, work, rows);
        LowRankQuantComparison.Deployment deployed = LowRankQuantComparison.deployment(rows, files, teacher, work, 8,
                2, 1);
        List<DeploymentRow> table = deployed.rows();
        assertThat(table).extracting(DeploymentRow::name).containsExactly("teacher", "control", "tucker2-0.50",
                "tucker2-0.75", "ptq-int8", "int8-ort", "int8-ort-folded", "qat-int8", "ptq-int4", "qat-int4", "qat-ternary",
                "mixed-0.20");
        DeploymentRow ref = table.get(0);
        assertThat(ref.speedup()).isEqualTo(1.0);
        assertThat(ref.bytesOnDisk()).isEqualTo(Files.size(teacherFile));
        long teacherMacs = ref.result().quality().cost().macs();
        for (DeploymentRow d : table) {
            assertThat(d.imagesPerSecond()).as(d.name()).isPositive().isFinite();
            assertThat(d.bytesOnDisk()).as(d.name()).isEqualTo(Files.size(files.get(d.name())));
            assertThat(d.result().quality().fid()).as(d.name()).isFinite();
            assertThat(d.result().quality().intervals().fid()).as(d.name()).isNotNull();
        }
        Map<String, DeploymentRow> byName = new LinkedHashMap<>();
        table.forEach(d -> byName.put(d.name(), d));
        // low-rank buys MACs at its budget; quantisation buys bytes on disk, not MACs
        assertThat((double) byName.get("tucker2-0.50").result().quality().cost().macs() / teacherMacs)
                .isLessThanOrEqualTo(0.5).isGreaterThan(0.2);
        assertThat((double) byName.get("tucker2-0.75").result().quality().cost().macs() / teacherMacs)
                .isLessThanOrEqualTo(0.75).isGreaterThan(0.5);
        for (String q : List.of("ptq-int8", "int8-ort", "int8-ort-folded", "qat-int8", "ptq-int4", "qat-int4", "qat-ternary",
                "mixed-0.20")) {
            double macs = (double) byName.get(q).result().quality().cost().macs() / teacherMacs;
            // only the BatchNorms that QAT and the folded row fold away leave
            assertThat(macs).as(q).isBetween(q.startsWith("qat") || q.endsWith("folded") ? 0.95 : 1.0, 1.0);
            // the int8-in-ORT file writes each strided ConvTranspose in its sub-pixel form, a larger kernel
            assertThat(byName.get(q).bytesOnDisk()).as(q).isLessThan(ref.bytesOnDisk() / (q.startsWith("int8-ort") ? 1 : 2));
        }
        assertThat(byName.get("ptq-int4").bytesOnDisk()).isLessThan(byName.get("ptq-int8").bytesOnDisk());
        assertThat(byName.get("control").result().quality().fidelity().psnr()).isFinite();
        assertThat(byName.get("ptq-int8").result().quality().fidelity().psnr()).isGreaterThan(30);
        // the int8-in-ORT file carries its activation grids
        assertThat(OnnxImporter.read(files.get("int8-ort")).quantizedActivations()).isNotEmpty();
        assertThat(OnnxImporter.read(files.get("int8-ort-folded")).quantizedActivations()).isNotEmpty();

        List<Model> models = new ArrayList<>();
        for (ResultRow r : rows) {
            models.add(r.name().equals("teacher") ? teacher : OnnxImporter.read(files.get(r.name())));
        }
        DeploymentReport.writeAll(work, "cmp", "title", "preamble " + DeploymentReport.goal(table,
                LowRankQuantComparison.INT8_IN_ORT, LowRankQuantComparison.GOAL_SPEEDUP), table, models, 1);
        String md = Files.readString(work.resolve("cmp.md"));
        assertThat(md).contains("| model | method | FID [95% CI] | KID x1e3 [95% CI] | precision | recall | "
                + "PSNR to teacher (dB) | SSIM to teacher | bytes on disk | of teacher | MACs/image (M) | MACs ratio | "
                + "params | ORT images/s | of teacher |");
        assertThat(md).contains("Goal (int8-ort at >= 1.8x").contains("## All metrics");
        String[] lines = md.split("\n");
        int header = java.util.Arrays.asList(lines).indexOf(DeploymentReport.markdown(table).split("\n")[0]);
        for (int i = 0; i < table.size(); i++) {
            String line = lines[header + 2 + i];
            assertThat(line).as(line).startsWith("| " + table.get(i).name() + " |");
            // 15 filled columns: none empty, FID with its interval
            String[] cells = line.substring(1, line.length() - 1).split("\\|");
            assertThat(cells).as(line).hasSize(15);
            assertThat(cells).as(line).allMatch(c -> !c.isBlank());
            assertThat(cells[2]).as(line).matches(" [0-9.]+ \\[[0-9.-]+, [0-9.]+\\] ");
        }
        assertThat(lines[header + 2]).contains("| inf | 1.000 |").endsWith("| 1.00 |");
        JsonNode json = new ObjectMapper().readTree(work.resolve("cmp.json").toFile());
        assertThat(json).hasSize(table.size());
        assertThat(json.get(5).get("bytesOnDisk").asLong()).isEqualTo(byName.get("int8-ort").bytesOnDisk());
        assertThat(json.get(5).get("imagesPerSecond").asDouble()).isPositive();
        for (String png : List.of("cmp-fid-bytes.png", "cmp-fid-macs.png", "cmp-samples.png")) {
            assertThat(Files.size(work.resolve(png))).as(png).isPositive();
        }

        // resume: every written student, evaluation and the throughput run are reused, not recomputed
        FileTime old = FileTime.fromMillis(0);
        List<Path> kept = new ArrayList<>();
        for (ResultRow r : rows.subList(1, rows.size())) {
            kept.add(files.get(r.name()));
            kept.add(files.get(r.name()).resolveSibling("quality.json"));
        }
        kept.add(work.resolve("teacher-quality.json"));
        kept.add(work.resolve(LowRankQuantComparison.THROUGHPUT_FILE));
        for (Path p : kept) {
            Files.setLastModifiedTime(p, old);
        }
        for (ComparisonEntry e : entries) {
            assertThat(runner.run(e.recipe()).reused()).as(e.recipe().name()).isTrue();
        }
        List<ResultRow> again = RecipeComparison.run(teacher, teacherFile.toString(), runner, () -> evaluation,
                entries, null);
        LowRankQuantComparison.Deployment redone = LowRankQuantComparison.deployment(again, files(teacherFile, work,
                again), teacher, work, 8, 2, 1);
        for (Path p : kept) {
            assertThat(Files.getLastModifiedTime(p)).as(p.toString()).isEqualTo(old);
        }
        assertThat(redone.throughput()).isEqualTo(deployed.throughput());
        for (int i = 0; i < table.size(); i++) {
            assertThat(again.get(i).quality().fid()).isEqualTo(rows.get(i).quality().fid());
        }
        // a changed file is timed again, with every other model in the same run
        Files.write(files.get("ptq-int8"), Files.readAllBytes(files.get("qat-int8")));
        LowRankQuantComparison.deployment(again, files(teacherFile, work, again), teacher, work, 8, 2, 1);
        assertThat(Files.getLastModifiedTime(work.resolve(LowRankQuantComparison.THROUGHPUT_FILE))).isNotEqualTo(old);
    }

    private static Map<String, Path> files(Path teacherFile, Path work, List<ResultRow> rows) {
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("teacher", teacherFile);
        for (ResultRow r : rows.subList(1, rows.size())) {
            files.put(r.name(), work.resolve(r.name()).resolve(RecipeRunner.OUTPUT));
        }
        return files;
    }
}
