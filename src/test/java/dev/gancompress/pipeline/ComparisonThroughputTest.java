package dev.gancompress.pipeline;

import dev.gancompress.metrics.QualityReport;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Initializer;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.report.ComparisonReport;
import dev.gancompress.report.ResultRow;
import dev.gancompress.report.SeedSummaryTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The ORT columns of a comparison on a latent (DCGAN) teacher: one run times all files, the teacher is the reference. */
class ComparisonThroughputTest {
    @TempDir
    Path dir;

    private static QualityReport report() {
        QualityReport.Cost cost = new QualityReport.Cost(100, 400, 400, 1000, 10, 10, 1, 0.5, "test");
        return new QualityReport("m", "m.onnx", "0", null, null, new QualityReport.Evaluator("e", "0", "f", 2, 0.9),
                new QualityReport.Reference("r", "0", 10), 10, 1, 1.0, 0.001, 0, 1, 10, 0.5, 0.5, 3, null,
                new QualityReport.Fidelity(20, 0.5, 1), null, cost, null);
    }

    @Test
    void everyRowIsTimedInOneRunAndTheTeacherIsTheReference() throws Exception {
        Model teacher = Dcgan.generator(new DcganSpec(8, 1, 28, 8, 4, 0, 0));
        Model student = Dcgan.generator(new DcganSpec(8, 1, 28, 2, 4, 0, 0));
        Initializer.dcgan(teacher, 1);
        Initializer.dcgan(student, 2);
        Path t = dir.resolve("teacher.onnx");
        Path s = dir.resolve("student.onnx");
        OnnxExporter.write(teacher, t, Map.of());
        OnnxExporter.write(student, s, Map.of());
        List<ResultRow> rows = List.of(new ResultRow("teacher", "teacher", "1", report(), 100, 0),
                new ResultRow("small", "method", "1/4", report(), 25, 1));

        List<ResultRow> timed = ComparisonThroughput.withSpeeds(rows, Map.of("teacher", t, "small", s), teacher, dir,
                4, 1, 1);
        assertThat(timed.get(0).ort().ofTeacher()).isEqualTo(1.0);
        assertThat(timed.get(1).ort().imagesPerSecond()).isPositive();
        assertThat(timed.get(1).ort().ofTeacher())
                .isEqualTo(timed.get(1).ort().imagesPerSecond() / timed.get(0).ort().imagesPerSecond());
        assertThat(timed.get(0).ort().batch()).isEqualTo(4);
        assertThat(dir.resolve(ComparisonThroughput.FILE)).exists();
        String md = ComparisonReport.markdown(timed);
        assertThat(md.lines().findFirst().orElseThrow()).endsWith("| ORT images/s | of teacher |");
        assertThat(md.lines().filter(l -> l.startsWith("| teacher |")).findFirst().orElseThrow()).endsWith("| 1.00 |");

        // the same files again: the stored run is reported, not a new one
        List<ResultRow> again = ComparisonThroughput.withSpeeds(rows, Map.of("teacher", t, "small", s), teacher, dir,
                4, 1, 1);
        assertThat(again.get(1).ort().imagesPerSecond()).isEqualTo(timed.get(1).ort().imagesPerSecond());

        // not timed (--ort-rounds 0): the columns stay, empty
        String empty = ComparisonReport.markdown(rows, true);
        assertThat(empty.lines().findFirst().orElseThrow()).endsWith("| ORT images/s | of teacher |");
        assertThat(empty.lines().filter(l -> l.startsWith("| small |")).findFirst().orElseThrow()).endsWith("| - | - |");
        assertThat(ComparisonReport.markdown(rows)).doesNotContain("ORT images/s");

        // the seed summary: mean over the seeds' runs with the range; the teacher's ratio stays 1
        String summary = SeedSummaryTable.markdown(List.of(1L, 2L), List.of(timed, rows), true);
        assertThat(summary).contains("| ORT images/s | of teacher |");
        assertThat(summary.lines().filter(l -> l.startsWith("| teacher |")).findFirst().orElseThrow())
                .endsWith("| 1.00 |");
        List<ResultRow> slower = List.of(timed.get(0), timed.get(1).withOrt(new ResultRow.OrtSpeed(
                timed.get(1).ort().imagesPerSecond() / 2, timed.get(1).ort().ofTeacher() / 2, 4, 1, 1)));
        double ratio = timed.get(1).ort().ofTeacher();
        assertThat(SeedSummaryTable.markdown(List.of(1L, 2L), List.of(timed, slower), true))
                .contains(String.format(java.util.Locale.ROOT, "| %.2f [%.2f, %.2f] |", 0.75 * ratio, ratio / 2,
                        ratio));
        assertThat(Files.readString(dir.resolve(ComparisonThroughput.FILE))).contains("small");
    }
}
