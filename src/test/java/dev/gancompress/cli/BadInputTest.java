package dev.gancompress.cli;

import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.onnx.OnnxExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every bad input named by the training issue gets exit code 2, one line naming the file and the expectation,
 * no stack trace, and no output file.
 */
class BadInputTest {
    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private static void assertBadInput(CliRun r, String... fragments) {
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(r.err()).startsWith("error: ");
        for (String f : fragments) {
            assertThat(r.err()).contains(f);
        }
        assertThat(r.err()).doesNotContain("\tat dev.").doesNotContain("Exception:");
    }

    private static byte[] idxImages(int magic, int n, int h, int w, int pixelBytes) {
        ByteBuffer b = ByteBuffer.allocate(16 + pixelBytes);
        b.putInt(magic).putInt(n).putInt(h).putInt(w);
        return b.array();
    }

    private Path gz(String name, byte[] raw) throws IOException {
        Path p = dir.resolve(name);
        try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write(raw);
        }
        return p;
    }

    private void assertNoOutputs(Path out) throws IOException {
        if (Files.exists(out)) {
            try (var files = Files.list(out)) {
                assertThat(files.filter(f -> f.toString().endsWith(".onnx") || f.toString().endsWith(".png")))
                        .isEmpty();
            }
        }
    }

    @Test
    void wrongIdxMagic() throws IOException {
        Path images = gz("bad-images-idx3-ubyte.gz", idxImages(0x00000801, 2, 28, 28, 2 * 784));
        Path out = dir.resolve("run");
        assertBadInput(run("train", "--data", images.toString(), "--out", out.toString(), "--epochs", "1"),
                images.toString(), "magic");
        assertNoOutputs(out);
    }

    @Test
    void truncatedIdxFile() throws IOException {
        Path images = gz("short-images-idx3-ubyte.gz", idxImages(0x00000803, 100, 28, 28, 784));
        Path out = dir.resolve("run");
        assertBadInput(run("train", "--data", images.toString(), "--out", out.toString()), images.toString(),
                "expected");
        assertNoOutputs(out);
    }

    @Test
    void compareBudgetRefusesTheEvaluationNetworkAsAFeatureNetworkBeforeTraining() throws IOException {
        Path work = dir.resolve("budget");
        assertBadInput(run("compare-budget", "--methods", "prune-kd-mmd", "--feature-network",
                "models/evaluator-fashion.onnx", "--work", work.toString()),
                "models/evaluator-fashion.onnx is refused for a training loss", "evaluation network's file");
        assertThat(work).doesNotExist();
    }

    @Test
    void missingDatasetFile() {
        Path images = dir.resolve("absent-images-idx3-ubyte.gz");
        assertBadInput(run("train", "--data", images.toString(), "--out", dir.resolve("run").toString()),
                images.toString());
    }

    @Test
    void imagesOfTheWrongSize() throws IOException {
        Path images = gz("big-images-idx3-ubyte.gz", idxImages(0x00000803, 2, 40, 40, 2 * 1600));
        assertBadInput(run("train", "--data", images.toString(), "--out", dir.resolve("run").toString()),
                images.toString(), "40x40", "28x28");
    }

    @Test
    void compareLowRankQuantChecksItsOptionsBeforeReadingAnything() {
        Path work = dir.resolve("cmp");
        assertBadInput(run("compare-lowrank-quant", "--lowrank-budgets", "0.5,1.5", "--work", work.toString()),
                "low-rank MACs budgets", "(0, 1), got 1.5");
        assertBadInput(run("compare-lowrank-quant", "--mixed-budget", "0", "--work", work.toString()),
                "mixed-precision budget", "got 0.0");
        assertBadInput(run("compare-lowrank-quant", "--rounds", "0", "--work", work.toString()), "--rounds");
        assertBadInput(run("compare-lowrank-quant", "--teacher", dir.resolve("t.gcz").toString(), "--work",
                work.toString()), "t.gcz", "expected an .onnx file");
        assertBadInput(run("compare-lowrank-quant", "--teacher", dir.resolve("absent.onnx").toString(), "--work",
                work.toString()), "absent.onnx");
        assertThat(work).doesNotExist();
    }

    @Test
    void unknownArchitecture() {
        Path out = dir.resolve("run");
        assertBadInput(run("train", "--arch", "stylegan9", "--out", out.toString()),
                "unknown architecture 'stylegan9'", "known: dcgan, cdcgan");
        assertThat(out).doesNotExist();
    }

    @Test
    void corruptAndNonOnnxModelFiles() throws IOException {
        Path text = dir.resolve("notes.onnx");
        Files.writeString(text, "this is not a model\n");
        assertBadInput(run("info", text.toString()), text.toString(), "not an ONNX model");

        Model g = Dcgan.generator(new DcganSpec(8, 1, 28, 4, 4, 0, 0));
        byte[] valid = OnnxExporter.toBytes(g, Map.of());
        Path truncated = dir.resolve("truncated.onnx");
        Files.write(truncated, java.util.Arrays.copyOf(valid, valid.length / 2));
        Path grid = dir.resolve("grid.png");
        assertBadInput(run("sample", "--model", truncated.toString(), "--out", grid.toString()),
                truncated.toString());
        assertThat(grid).doesNotExist();

        Path missing = dir.resolve("missing.onnx");
        assertBadInput(run("info", missing.toString()), missing.toString());
    }

    @Test
    void unsupportedOnnxOperator() throws IOException {
        Model g = Dcgan.generator(new DcganSpec(8, 1, 28, 4, 4, 0, 0));
        byte[] bytes = OnnxExporter.toBytes(g, Map.of());
        // swap the op type "Tanh" for "Celu" (same length, so the protobuf framing stays valid)
        String latin = new String(bytes, StandardCharsets.ISO_8859_1);
        assertThat(latin).contains("Tanh");
        Path file = dir.resolve("celu.onnx");
        Files.write(file, latin.replace("Tanh", "Celu").getBytes(StandardCharsets.ISO_8859_1));
        Path grid = dir.resolve("grid.png");
        assertBadInput(run("sample", "--model", file.toString(), "--out", grid.toString()), file.toString(),
                "Celu", "supported ops");
        assertThat(grid).doesNotExist();
    }

    @Test
    void badOptionValues() {
        assertBadInput(run("train", "--epochs", "0", "--data", "x", "--out", dir.resolve("r").toString()));
        assertBadInput(run("sample", "--model"), "--model");
    }

    @Test
    void badEnergyTable() throws IOException {
        Model g = Dcgan.generator(new DcganSpec(8, 1, 28, 4, 4, 0, 0));
        Path model = dir.resolve("g.onnx");
        OnnxExporter.write(g, model, Map.of());
        Path evaluator = dir.resolve("e.onnx");
        OnnxExporter.write(dev.gancompress.metrics.DomainEvaluator.architecture(1, 28, 28, 10), evaluator, Map.of());
        Path table = dir.resolve("energy.json");
        Files.writeString(table, "{\"source\": \"mine\", \"dramAccess32BitPj\": \"a lot\"}");
        Path json = dir.resolve("out.json");
        assertBadInput(run("evaluate", "--model", model.toString(), "--evaluator", evaluator.toString(),
                "--energy-table", table.toString(), "--json", json.toString()), table.toString());
        assertThat(json).doesNotExist();
    }

    @Test
    void int8BenchmarkRefusesZeroCalibrationSamplesAndUnknownCalibration() {
        assertBadInput(run("bench-engine", "--int8", "models/dcgan-fashion.onnx", "--calibration-samples", "0"),
                "'calibrationSamples' must be an integer from 1 to 100000", "got 0");
        assertBadInput(run("bench-engine", "--int8", "models/dcgan-fashion.onnx", "--calibration", "entropy"),
                "'calibration' must be one of percentile, minmax");
    }
}
