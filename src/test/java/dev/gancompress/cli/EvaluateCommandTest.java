package dev.gancompress.cli;

import dev.gancompress.metrics.DomainEvaluator;
import dev.gancompress.metrics.QualityReport;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Initializer;
import dev.gancompress.onnx.OnnxExporter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class EvaluateCommandTest {
    @TempDir
    Path dir;

    private Path evaluator;
    private Path generator;
    private Path reference;
    private Path json;

    @BeforeEach
    void setUp() throws IOException {
        Model ev = DomainEvaluator.architecture(1, 28, 28, 10);
        DomainEvaluator.initialise(ev, 3);
        evaluator = dir.resolve("evaluator.onnx");
        OnnxExporter.write(ev, evaluator, Map.of(DomainEvaluator.META_TEST_ACCURACY, "0.1"));
        Model g = Dcgan.generator(new DcganSpec(8, 1, 28, 4, 4, 0, 0));
        Initializer.dcgan(g, 1);
        generator = dir.resolve("g.onnx");
        OnnxExporter.write(g, generator, Map.of());
        reference = writeIdxImages(dir.resolve("ref-images-idx3-ubyte"), 48, 28);
        json = dir.resolve("out").resolve("report.json");
    }

    /** An unlabelled IDX image file of n random 8-bit images. */
    private static Path writeIdxImages(Path file, int n, int size) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16 + n * size * size);
        b.putInt(0x00000803).putInt(n).putInt(size).putInt(size);
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < n * size * size; i++) {
            b.put((byte) rnd.nextInt(256));
        }
        Files.write(file, b.array());
        return file;
    }

    private int run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            return Main.execute(args);
        } finally {
            System.setOut(old);
        }
    }

    private String[] args(Path model, String... extra) {
        String[] base = {"evaluate", "--model", model.toString(), "--evaluator", evaluator.toString(), "--data",
                reference.toString(), "--samples", "48", "--reference-count", "48", "--cache-dir",
                dir.resolve("cache").toString(), "--json", json.toString()};
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void aMissingModelFileIsBadInputAndWritesNoJson() {
        int code = run(args(dir.resolve("missing.onnx")));
        assertThat(code).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(json).doesNotExist();
    }

    @Test
    void aGeneratorOfTheWrongImageSizeIsBadInputAndWritesNoJson() {
        Model g32 = Dcgan.generator(new DcganSpec(8, 1, 32, 4, 4, 0, 0));
        Path file = dir.resolve("g32.onnx");
        OnnxExporter.write(g32, file, Map.of());
        assertThat(run(args(file))).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(json).doesNotExist();
    }

    @Test
    void evaluatesWithATeacherAndWritesTheJsonReport() throws IOException {
        int code = run(args(generator, "--teacher", generator.toString()));
        assertThat(code).isZero();
        QualityReport r = QualityReport.fromJson(Files.readString(json), json.toString());
        assertThat(r.generatedSamples()).isEqualTo(48);
        assertThat(r.reference().count()).isEqualTo(48);
        assertThat(r.evaluator().sha256()).isEqualTo(dev.gancompress.Digests.sha256(evaluator));
        assertThat(r.fidelity().psnr()).isInfinite();
        assertThat(r.fid()).isFinite().isGreaterThan(0);
        // a second run reads the cached reference statistics and reproduces the report exactly
        Files.delete(json);
        assertThat(run(args(generator, "--teacher", generator.toString()))).isZero();
        assertThat(QualityReport.fromJson(Files.readString(json), json.toString())).isEqualTo(r);
    }
}
