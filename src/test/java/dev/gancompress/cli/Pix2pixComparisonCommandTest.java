package dev.gancompress.cli;

import dev.gancompress.metrics.DomainEvaluator;
import dev.gancompress.model.Model;
import dev.gancompress.model.Pix2pix;
import dev.gancompress.model.Pix2pixSpec;
import dev.gancompress.nn.Initializer;
import dev.gancompress.onnx.OnnxExporter;
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

/** {@code compare-kd-prune} on a pix2pix teacher: paired fine-tuning data and a paired test set (issue 13). */
class Pix2pixComparisonCommandTest {
    @TempDir
    Path dir;

    private static void pairs(Path root, int n, long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            int x0 = rnd.nextInt(2, 8);
            int y0 = rnd.nextInt(2, 8);
            int side = rnd.nextInt(3, 7);
            BufferedImage a = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
            BufferedImage b = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = y0; y < y0 + side; y++) {
                for (int x = x0; x < x0 + side; x++) {
                    boolean edge = x == x0 || y == y0 || x == x0 + side - 1 || y == y0 + side - 1;
                    a.getRaster().setSample(x, y, 0, edge ? 255 : 0);
                    b.getRaster().setSample(x, y, 0, 200);
                }
            }
            Files.createDirectories(root.resolve("A"));
            Files.createDirectories(root.resolve("B"));
            ImageIO.write(a, "png", root.resolve("A/" + i + ".png").toFile());
            ImageIO.write(b, "png", root.resolve("B/" + i + ".png").toFile());
        }
    }

    @Test
    void compareKdPruneBuildsThePairedTable() throws Exception {
        Pix2pixSpec spec = new Pix2pixSpec(1, 1, 16, 8, 4, 2);
        Model g = Pix2pix.resnet(spec);
        Model d = Pix2pix.patchDiscriminator(spec, "pix2pix-resnet");
        Initializer.dcgan(g, 1);
        Initializer.dcgan(d, 2);
        Model ev = DomainEvaluator.architecture(1, 16, 16, 2);
        DomainEvaluator.initialise(ev, 3);
        Path teacher = dir.resolve("g.onnx");
        Path teacherD = dir.resolve("d.onnx");
        Path evaluator = dir.resolve("evaluator.onnx");
        OnnxExporter.write(g, teacher, Map.of());
        OnnxExporter.write(d, teacherD, Map.of());
        OnnxExporter.write(ev, evaluator, Map.of(DomainEvaluator.META_TEST_ACCURACY, "0.5"));
        pairs(dir.resolve("train"), 64, 1);
        pairs(dir.resolve("test"), 24, 2);
        Path work = dir.resolve("work");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.execute("compare-kd-prune", "--teacher", teacher.toString(), "--teacher-d",
                    teacherD.toString(), "--evaluator", evaluator.toString(), "--data", dir.resolve("train").toString(),
                    "--reference", dir.resolve("test").toString(), "--steps", "1", "--fractions", "0.25",
                    "--samples", "24", "--training-seeds", "1", "--ort-rounds", "1", "--work", work.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        assertThat(code).as(err.toString(StandardCharsets.UTF_8) + out.toString(StandardCharsets.UTF_8)).isZero();
        String md = Files.readString(work.resolve("seed-1").resolve("comparison-kd-prune.md"));
        assertThat(md).contains("prune-1of4").contains("kd-1of4").contains("prune-kd-1of4")
                .contains("| PSNR to ground truth (dB) | SSIM to ground truth | ORT images/s | of teacher |");
        String[] student = md.lines().filter(l -> l.startsWith("| prune-kd-1of4 |")).findFirst().orElseThrow()
                .split("\\|");
        assertThat(student).hasSize(20);
        assertThat(Double.parseDouble(student[18].trim())).isPositive();
        // the teacher is the reference of the speed ratio (timing itself is not asserted)
        String[] teacherRow = md.lines().filter(l -> l.startsWith("| teacher |")).findFirst().orElseThrow()
                .split("\\|");
        assertThat(teacherRow[19].trim()).isEqualTo("1.00");
        assertThat(Files.readString(work.resolve("seed-1").resolve("comparison-kd-prune.json")))
                .contains("\"ofTeacher\" : 1.0,").contains("\"imagesPerSecond\"");
        String summary = Files.readString(work.resolve("comparison-kd-prune.md"));
        assertThat(summary).contains("| ORT images/s | of teacher |");
        assertThat(summary.lines().filter(l -> l.startsWith("| teacher |")).findFirst().orElseThrow())
                .endsWith("| 1.00 |");
        assertThat(work.resolve("seed-1").resolve("comparison-kd-prune-samples.png")).exists();
        String json = Files.readString(work.resolve("seed-1").resolve("prune-kd-1of4").resolve("quality.json"));
        assertThat(json).contains("groundTruth");
    }
}
