package dev.gancompress.cli;

import dev.gancompress.TestModels;
import dev.gancompress.model.Model;
import dev.gancompress.model.Pix2pix;
import dev.gancompress.model.Pix2pixSpec;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.runtime.OnnxVerification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code compress} on a pix2pix teacher (issue 13): channel pruning and distillation fine-tune on paired data (a
 * folder with A/ and B/) for a few steps and write students that ONNX Runtime runs as the engine does.
 */
class Pix2pixCompressCommandTest {
    private static final Pix2pixSpec TINY = new Pix2pixSpec(1, 1, 16, 4, 4, 2);

    @TempDir
    Path dir;
    Path teacher;
    Path teacherD;
    Path pairs;

    @BeforeEach
    void setUp() throws Exception {
        Model g = TestModels.randomize(Pix2pix.resnet(TINY), 1);
        Model d = TestModels.randomize(Pix2pix.patchDiscriminator(TINY, "pix2pix-resnet"), 2);
        teacher = dir.resolve("teacher.onnx");
        teacherD = dir.resolve("teacher-d.onnx");
        OnnxExporter.write(g, teacher, Map.of());
        OnnxExporter.write(d, teacherD, Map.of());
        pairs = dir.resolve("pairs");
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < 8; i++) {
            int x0 = rnd.nextInt(2, 8);
            int y0 = rnd.nextInt(2, 8);
            int side = rnd.nextInt(3, 7);
            write(pairs.resolve("A/" + i + ".png"), (x, y) -> inside(x, y, x0, y0, side)
                    && !inside(x, y, x0 + 1, y0 + 1, side - 2) ? 255 : 0);
            write(pairs.resolve("B/" + i + ".png"), (x, y) -> inside(x, y, x0, y0, side) ? 200 : 0);
        }
    }

    private static boolean inside(int x, int y, int x0, int y0, int side) {
        return x >= x0 && y >= y0 && x < x0 + side && y < y0 + side;
    }

    private static void write(Path file, java.util.function.IntBinaryOperator value) throws Exception {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img.getRaster().setSample(x, y, 0, value.applyAsInt(x, y));
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    private record Run(int code, String out, String err) {
    }

    private Run compress(String technique, String config, Path out) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.execute("compress", "--teacher", teacher.toString(), "--teacher-d", teacherD.toString(),
                    "--data", pairs.toString(), "--technique", technique, "--config", config, "--steps", "3",
                    "--batch-size", "4", "--seed", "5", "--out", out.toString());
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private static void runsInOrt(Path file) {
        Model m = OnnxImporter.read(file);
        OnnxVerification.Result r = OnnxVerification.check(m, dev.gancompress.onnx.OnnxExporter.toBytes(m, Map.of()),
                file.toString());
        assertThat(r.maxAbsDifference()).isLessThanOrEqualTo(r.tolerance());
    }

    @Test
    void prunedAndDistilledStudentsOfAPix2pixTeacherAreWrittenAndChecked() throws Exception {
        Model t = OnnxImporter.read(teacher);
        Path pruned = dir.resolve("pruned.onnx");
        Run p = compress("channel-pruning", "{\"ratio\":0.5}", pruned);
        assertThat(p.code()).as(p.err()).isZero();
        assertThat(p.out()).contains("fine-tuned 3 steps");
        Model pm = OnnxImporter.read(pruned);
        assertThat(pm.macs()).isLessThan(t.macs() / 2);
        assertThat(pm.metadata()).containsEntry("fine_tune_steps", "3");
        assertThat(pm.metadata().get("dataset_sha256")).isNotBlank();
        runsInOrt(pruned);

        Path distilled = dir.resolve("distilled.onnx");
        Run k = compress("distillation", "{\"widthMultiplier\":0.25,\"init\":\"TEACHER_SELECTION\"}", distilled);
        assertThat(k.code()).as(k.err()).isZero();
        Model km = OnnxImporter.read(distilled);
        assertThat(km.macs()).isEqualTo(dev.gancompress.compress.distill.StudentFactory.widthScaled(t, 0.25, Map.of(),
                dev.gancompress.compress.distill.StudentInit.TEACHER_SELECTION, 5).macs());
        assertThat(km.macs()).isLessThan(t.macs() / 6);
        assertThat(km.input(dev.gancompress.model.Input.Kind.IMAGE).shape())
                .isEqualTo(t.input(dev.gancompress.model.Input.Kind.IMAGE).shape());
        runsInOrt(distilled);
    }

    @Test
    void latentDataForAPix2pixTeacherIsABadInput() {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.execute("compress", "--teacher", teacher.toString(), "--teacher-d", teacherD.toString(),
                    "--data", dir.resolve("missing").toString(), "--technique", "channel-pruning", "--steps", "1",
                    "--out", dir.resolve("x.onnx").toString());
            assertThat(code).isEqualTo(2);
        } finally {
            System.setErr(oldErr);
        }
        assertThat(e.toString(StandardCharsets.UTF_8)).contains("paired dataset").contains("A/ and B/");
    }
}
