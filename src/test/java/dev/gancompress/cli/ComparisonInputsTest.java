package dev.gancompress.cli;

import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.onnx.OnnxExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The bundled discriminator is the default only for the bundled teacher; a user's teacher never inherits it. */
class ComparisonInputsTest {
    @TempDir
    Path dir;

    private static ComparisonInputs inputs(Path teacher, Path teacherD) {
        ComparisonInputs in = new ComparisonInputs();
        in.teacher = teacher;
        in.teacherD = teacherD;
        return in;
    }

    @Test
    void theBundledDiscriminatorGoesWithTheBundledTeacherOnly() {
        assertThat(inputs(Path.of("models/dcgan-fashion.onnx"), null).discriminatorFile())
                .isEqualTo(Path.of("models/dcgan-fashion-d.onnx"));
        assertThat(inputs(Path.of("./models/dcgan-fashion.onnx"), null).discriminatorFile())
                .isEqualTo(Path.of("models/dcgan-fashion-d.onnx"));
        assertThat(inputs(Path.of("their/g.onnx"), null).discriminatorFile()).isNull();
        assertThat(inputs(Path.of("their/g.onnx"), Path.of("their/d.onnx")).discriminatorFile())
                .isEqualTo(Path.of("their/d.onnx"));
    }

    @Test
    void compareBudgetWithAForeignTeacherAndNoDiscriminatorSaysWhichOptionIsMissing() throws Exception {
        Path teacher = dir.resolve("g.onnx");
        OnnxExporter.write(Dcgan.generator(new DcganSpec(8, 1, 28, 4, 4, 0, 0)), teacher, Map.of());
        CliRun r = CliRun.of("compare-budget", "--teacher", teacher.toString(), "--fractions", "0.5", "--steps", "1",
                "--seeds", "1", "--methods", "prune", "--work", dir.resolve("work").toString());
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(r.err()).startsWith("error: --teacher-d").contains(teacher.toString())
                .doesNotContain("\tat dev.");
    }
}
