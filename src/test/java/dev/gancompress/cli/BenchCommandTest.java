package dev.gancompress.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.compress.quantize.ActivationCalibration;
import dev.gancompress.compress.quantize.ActivationQuantizationConfig;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Initializer;
import dev.gancompress.onnx.OnnxExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** `gancompress bench`: every column on tiny models (no timing asserted), and bad input naming the option. */
class BenchCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        PrintWriter err = new PrintWriter(errBytes, true, StandardCharsets.UTF_8);
        PrintStream previous = System.out;
        System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute(err, args);
        } finally {
            System.setOut(previous);
        }
        err.flush();
        return new Run(code, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
    }

    private Path tinyGenerator() throws IOException {
        Model g = Dcgan.generator(new DcganSpec(8, 1, 28, 4, 4, 0, 0));
        Initializer.dcgan(g, 1);
        Path file = dir.resolve("tiny.onnx");
        Files.write(file, OnnxExporter.toBytes(g, Map.of()));
        Model int8 = ActivationCalibration.int8(g, ActivationQuantizationConfig.percentile(32), 2);
        Files.write(dir.resolve("tiny-int8.onnx"), OnnxExporter.toBytes(int8, Map.of()));
        return file;
    }

    @Test
    void everyColumnIsPresentForEveryModelBackendAndBatch() throws IOException {
        Path fp32 = tinyGenerator();
        Path int8 = dir.resolve("tiny-int8.onnx");
        Path json = dir.resolve("bench.json");
        Run r = run("bench", "--model", fp32.toString(), "--model", int8.toString(), "--backend", "engine,ort",
                "--batch", "1,3", "--seconds", "0.4", "--roofline", "--json", json.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("| model | backend | precision | batch | images/s | spread | p50 ms | p99 ms "
                + "| mem MB | GFLOP/s | % of roof | vs first model |");
        assertThat(r.out()).contains("Machine: ").contains("logical CPUs").contains("load average")
                .contains("spinning off").contains("Roofline");
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.at("/machine/cpu").asText()).isNotEmpty();
        assertThat(root.at("/roofline/fp32Gflops").asDouble()).isPositive();
        assertThat(root.at("/roofline/int8Gops").asDouble()).isPositive();
        assertThat(root.at("/roofline/copyGBps").asDouble()).isPositive();
        JsonNode rows = root.get("rows");
        assertThat(rows).hasSize(2 * 2 * 2);
        Map<String, Double> reference = new java.util.HashMap<>();
        for (JsonNode row : rows) {
            String key = row.get("backend").asText() + "/" + row.get("batch").asInt();
            double ips = row.get("imagesPerSecond").asDouble();
            assertThat(ips).as(row.toString()).isPositive();
            assertThat(row.get("spreadPercent").asDouble()).isNotNegative();
            assertThat(row.get("memoryMB").asDouble()).isNotNegative();
            assertThat(row.get("repetitions").asInt()).isGreaterThanOrEqualTo(5);
            assertThat(row.get("gflops").asDouble()).isCloseTo(2.0 * row.get("macsPerImage").asLong() * ips / 1e9,
                    within(1e-9));
            if (row.get("batch").asInt() == 1) {
                assertThat(row.get("latencyP50Ms").asDouble()).isPositive();
                assertThat(row.get("latencyP99Ms").asDouble()).isGreaterThanOrEqualTo(
                        row.get("latencyP50Ms").asDouble());
            } else {
                assertThat(row.get("latencyP50Ms").isNull()).isTrue();
            }
            if (row.get("model").asText().equals("tiny.onnx")) {
                assertThat(row.get("ratioToFirst").asDouble()).isEqualTo(1.0);
                assertThat(row.get("precision").asText()).isEqualTo("fp32");
                reference.put(key, ips);
            } else {
                assertThat(row.get("ratioToFirst").asDouble()).isCloseTo(ips / reference.get(key), within(1e-9));
                if (row.get("backend").asText().equals("ort")) {
                    assertThat(row.get("precision").asText()).isEqualTo("int8 QDQ (integer kernels)");
                } else {
                    assertThat(row.get("precision").asText()).startsWith("fp32 (int8")
                            .endsWith("weights decoded, int8 activations simulated)");
                }
            }
        }
    }

    @Test
    void aBackendThatCannotRunAModelGivesARowSayingWhy() throws IOException {
        Path fp32 = tinyGenerator();
        Run r = run("bench", "--model", fp32.toString(), "--backend", "engine,djl", "--batch", "2", "--seconds", "0.1");
        assertThat(r.code()).as(r.err()).isZero();
        // without the djl build the backend is unavailable; with it, the transposed convolution is refused
        assertThat(r.out()).containsPattern("\\| tiny.onnx \\| djl \\| - \\| 2 \\| not run: .*(not in this build|"
                + "no transposed convolution)");
        assertThat(r.out()).containsPattern("\\| tiny.onnx \\| engine \\| fp32 \\| 2 \\| [0-9,]+ \\|");
    }

    private static void assertBadInput(Run r, String... fragments) {
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(r.err()).startsWith("error: ");
        for (String f : fragments) {
            assertThat(r.err()).contains(f);
        }
        assertThat(r.err()).doesNotContain("\tat dev.").doesNotContain("Exception:");
    }

    @Test
    void badInputNamesTheOption() throws IOException {
        Path fp32 = tinyGenerator();
        String model = fp32.toString();
        assertBadInput(run("bench", "--model", dir.resolve("missing.onnx").toString()), "--model: file ",
                "missing.onnx does not exist");
        assertBadInput(run("bench", "--model", model, "--backend", "engine,tvm"),
                "--backend: unknown backend 'tvm'; known: engine, engine-unfused, ort, djl");
        assertBadInput(run("bench", "--model", model, "--batch", "1,0"),
                "--batch: every batch size must be >= 1, got 0");
        assertBadInput(run("bench", "--model", model, "--batch", "-4"),
                "--batch: every batch size must be >= 1, got -4");
        assertBadInput(run("bench", "--model", model, "--batch", "two"), "--batch");
        assertBadInput(run("bench", "--model", model, "--seconds", "0"), "--seconds must be a positive number");
        assertBadInput(run("bench", "--model", model, "--model", model), "--model: ", "is given twice");
        assertBadInput(run("bench"), "--model");
    }
}
