package dev.gancompress.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.GanCompressException;
import dev.gancompress.compress.CompressionRegistry;
import dev.gancompress.metrics.DomainEvaluator;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxImporter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The "bad input" part of "Results a reviewer can trust": models with non-finite weights are refused by every
 * command, error lines never show an exception class, unknown config fields list the accepted ones, and every
 * option has help text.
 */
class BadInputHardeningTest {
    private static final DcganSpec SMALL = new DcganSpec(8, 1, 28, 4, 4, 0, 0);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path generator;
    private Path discriminator;
    private Path evaluator;

    private record Run(int code, String out, String err) {
    }

    @BeforeEach
    void writeHealthyModels() {
        generator = dir.resolve("g.onnx");
        OnnxExporter.write(Dcgan.generator(SMALL), generator, Map.of());
        discriminator = dir.resolve("d.onnx");
        OnnxExporter.write(Dcgan.discriminator(SMALL), discriminator, Map.of());
        evaluator = dir.resolve("e.onnx");
        OnnxExporter.write(DomainEvaluator.architecture(1, 28, 28, 10), evaluator, Map.of());
    }

    private static Run run(String... args) {
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        PrintWriter err = new PrintWriter(errBytes, true, StandardCharsets.UTF_8);
        PrintStream old = System.out;
        System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute(err, args);
        } finally {
            System.setOut(old);
        }
        err.flush();
        return new Run(code, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
    }

    /** Exit 2 and exactly one line, "error: ...", with every fragment and no exception class or stack trace. */
    private static void assertOneBadInputLine(Run r, String... fragments) {
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(r.err().lines()).as(r.err()).hasSize(1);
        assertThat(r.err()).startsWith("error: ").doesNotContain("Exception").doesNotContain("\tat ");
        for (String f : fragments) {
            assertThat(r.err()).contains(f);
        }
    }

    /** Writes {@code model} with NaN at two places of one tensor and +Infinity in a later one. */
    private Path withNonFiniteWeights(Model model, String name, String tensor, String laterTensor) {
        float[] data = model.weightSlots().get(tensor).weights().data();
        data[17] = Float.NaN;
        data[40] = Float.NaN;
        model.weightSlots().get(laterTensor).weights().data()[0] = Float.POSITIVE_INFINITY;
        Path file = dir.resolve(name);
        OnnxExporter.write(model, file, Map.of());
        return file;
    }

    @Test
    void bundledGeneratorWithNaNWeightsIsRefusedByEveryCommandThatReadsIt() {
        Model teacher = OnnxImporter.read(Path.of("models/dcgan-fashion.onnx"));
        Path bad = withNonFiniteWeights(teacher, "nan-teacher.onnx", "up1.weight", "to_image.weight");
        String[] expected = {bad.toString(), "tensor 'up1.weight'", "2 non-finite values", "first at index 17: NaN",
                "and 1 more tensor has some", "expected finite numbers"};

        Path grid = dir.resolve("grid.png");
        assertOneBadInputLine(run("sample", "--model", bad.toString(), "--out", grid.toString()), expected);
        assertThat(grid).doesNotExist();

        Path json = dir.resolve("report.json");
        assertOneBadInputLine(run("evaluate", "--model", bad.toString(), "--evaluator", evaluator.toString(),
                "--json", json.toString()), expected);
        assertOneBadInputLine(run("evaluate", "--model", generator.toString(), "--teacher", bad.toString(),
                "--evaluator", evaluator.toString(), "--json", json.toString()), expected);
        assertThat(json).doesNotExist();

        Path out = dir.resolve("pruned.onnx");
        assertOneBadInputLine(run("compress", "--teacher", bad.toString(), "--technique", "magnitude-pruning",
                "--config", "{\"sparsity\": 0.5}", "--out", out.toString()), expected);
        assertThat(out).doesNotExist();
    }

    @Test
    void infoShowsTheTableOfANonFiniteModelThenRefusesIt() {
        Path bad = withNonFiniteWeights(Dcgan.generator(SMALL), "nan.onnx", "fc.weight", "to_image.weight");
        Run r = run("info", bad.toString());
        assertOneBadInputLine(r, bad.toString(), "tensor 'fc.weight'", "2 non-finite values",
                "first at index 17: NaN");
        assertThat(r.out()).contains("fc").contains("to_image").contains("total");
    }

    @Test
    void nonFiniteEvaluatorsAndDiscriminatorsAreRefusedToo() {
        Model e = DomainEvaluator.architecture(1, 28, 28, 10);
        e.weightSlots().get("logits.bias").weights().data()[3] = Float.NEGATIVE_INFINITY;
        Path badEvaluator = dir.resolve("inf-evaluator.onnx");
        OnnxExporter.write(e, badEvaluator, Map.of());
        assertOneBadInputLine(run("evaluate", "--model", generator.toString(), "--evaluator",
                badEvaluator.toString()), badEvaluator.toString(), "tensor 'logits.bias'", "1 non-finite value ",
                "first at index 3: -Infinity");

        Model d = Dcgan.discriminator(SMALL);
        String firstTensor = d.weightSlots().keySet().iterator().next();
        d.weightSlots().get(firstTensor).weights().data()[0] = Float.NaN;
        Path badD = dir.resolve("nan-d.onnx");
        OnnxExporter.write(d, badD, Map.of());
        assertOneBadInputLine(run("compress", "--teacher", generator.toString(), "--teacher-d", badD.toString(),
                "--technique", "magnitude-pruning", "--config", "{\"sparsity\": 0.5}",
                "--out", dir.resolve("p.onnx").toString()), badD.toString(), "tensor '" + firstTensor + "'");
    }

    @Test
    void sampleAndEvaluateOnADiscriminatorSayALatentInputWasExpected() {
        Path grid = dir.resolve("grid.png");
        assertOneBadInputLine(run("sample", "--model", discriminator.toString(), "--out", grid.toString()),
                discriminator.toString(), "not a generator", "latent input");
        assertThat(grid).doesNotExist();
        assertOneBadInputLine(run("evaluate", "--model", discriminator.toString(), "--evaluator",
                evaluator.toString()), discriminator.toString(), "not a generator", "latent input");
    }

    @Test
    void aSampleCountBeyondOneArrayIsBadInputNotANegativeArraySize() {
        // 3,000,000 x 784 floats overflows an int: this used to surface as "error: -1942967296".
        Path grid = dir.resolve("grid.png");
        assertOneBadInputLine(run("sample", "--model", generator.toString(), "--count", "3000000",
                "--out", grid.toString()), "--count 3000000", "use --count <=");
        assertThat(grid).doesNotExist();
    }

    @CommandLine.Command(name = "boom")
    static final class FailingCommand implements Callable<Integer> {
        private final RuntimeException failure;

        FailingCommand(RuntimeException failure) {
            this.failure = failure;
        }

        @Override
        public Integer call() {
            throw failure;
        }
    }

    private static Run runFailing(RuntimeException failure, boolean debug) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintWriter err = new PrintWriter(bytes, true, StandardCharsets.UTF_8);
        CommandLine cli = new CommandLine(new FailingCommand(failure));
        cli.setErr(err);
        cli.setExecutionExceptionHandler(Main.failureHandler(debug));
        int code = cli.execute();
        err.flush();
        return new Run(code, "", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void unexpectedFailuresPrintTheMessageNotTheExceptionClass() {
        Run wrapped = runFailing(new UncheckedIOException(new IOException("No space left on device")), false);
        assertThat(wrapped.code()).isEqualTo(ExitCode.FAILURE.code());
        assertThat(wrapped.err()).isEqualTo("error: No space left on device (run with --debug for details)"
                + System.lineSeparator());

        Run plain = runFailing(new IllegalStateException("engine state is inconsistent"), false);
        assertThat(plain.code()).isEqualTo(ExitCode.FAILURE.code());
        assertThat(plain.err()).isEqualTo("error: engine state is inconsistent (run with --debug for details)"
                + System.lineSeparator());

        Run silent = runFailing(new NullPointerException(), false);
        assertThat(silent.err()).startsWith("error: unexpected internal failure").doesNotContain("Exception");

        Run bad = runFailing(new RuntimeException("wrapper", new GanCompressException("file x.onnx: bad")), false);
        assertThat(bad.code()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(bad.err()).isEqualTo("error: file x.onnx: bad" + System.lineSeparator());

        Run debug = runFailing(new IllegalStateException("engine state is inconsistent"), true);
        assertThat(debug.err()).contains("\tat ").endsWith("error: engine state is inconsistent"
                + System.lineSeparator());
    }

    @Test
    void unknownConfigFieldsNameTheTechniqueTheFieldAndEveryAcceptedField() {
        for (String technique : CompressionRegistry.names()) {
            Run r = run("compress", "--teacher", generator.toString(), "--technique", technique,
                    "--config", "{\"notAField\": 1}", "--out", dir.resolve("c.onnx").toString());
            List<String> accepted = new ArrayList<>();
            for (RecordComponent c : CompressionRegistry.configType(technique).getRecordComponents()) {
                accepted.add(c.getName());
            }
            assertOneBadInputLine(r, "compression '" + technique + "'", "unknown field 'notAField'",
                    accepted.isEmpty() ? "takes no fields" : "accepted fields: " + String.join(", ", accepted));
        }
    }

    @Test
    void aMisspeltRequiredFieldIsReportedAsUnknownNotAsMissing() {
        // Jackson builds the record before it reports unknown fields; "lamda" must not become "lambda must be > 0".
        assertThatThrownBy(() -> CompressionRegistry.create("network-slimming", JSON.readTree("{\"lamda\": 0.1}")))
                .isInstanceOf(GanCompressException.class)
                .hasMessage("compression 'network-slimming': unknown field 'lamda' in NetworkSlimming.Config; "
                        + "accepted fields: lambda, stepSize");
    }

    @Test
    void mistypedConfigValuesAreOneLineNamingTheFieldAndTheExpectedJson() {
        assertConfigError("magnitude-pruning", "{\"sparsity\": \"half\"}",
                "compression 'magnitude-pruning': field 'sparsity' must be a number, got \"half\"");
        assertConfigError("magnitude-pruning", "{\"sparsity\": 0.5, \"updateEvery\": 2.5}",
                "compression 'magnitude-pruning': field 'updateEvery' must be an integer, got 2.5");
        assertConfigError("distillation", "{\"featureLayers\": {\"a\": 1}}",
                "compression 'distillation': field 'featureLayers' must be a JSON array");
        assertConfigError("distillation", "{\"layerWidthMultipliers\": {\"up1\": \"b\"}}",
                "compression 'distillation': field 'layerWidthMultipliers.up1' must be a number, got \"b\"");
    }

    private static void assertConfigError(String technique, String json, String message) {
        assertThatThrownBy(() -> CompressionRegistry.create(technique, JSON.readTree(json)))
                .isInstanceOf(GanCompressException.class).hasMessage(message);
    }

    @Test
    void everyOptionOfEveryCommandHasHelpText() {
        List<String> missing = new ArrayList<>();
        collectUndocumented(new CommandLine(new Main()).getCommandSpec(), missing);
        assertThat(missing).as("options without a description").isEmpty();
    }

    private static void collectUndocumented(CommandSpec spec, List<String> missing) {
        for (OptionSpec o : spec.options()) {
            if (!o.usageHelp() && !o.versionHelp() && blank(o.description())) {
                missing.add(spec.qualifiedName() + " " + o.longestName());
            }
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (blank(p.description())) {
                missing.add(spec.qualifiedName() + " " + p.paramLabel());
            }
        }
        for (CommandLine sub : spec.subcommands().values()) {
            collectUndocumented(sub.getCommandSpec(), missing);
        }
    }

    private static boolean blank(String[] description) {
        return description.length == 0 || String.join("", description).isBlank();
    }
}
