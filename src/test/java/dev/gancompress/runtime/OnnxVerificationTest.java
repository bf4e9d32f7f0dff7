package dev.gancompress.runtime;

import dev.gancompress.GanCompressException;
import dev.gancompress.cli.Main;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxImporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every written model is checked in ONNX Runtime: the bundled models at full size pass, a corrupted export fails. */
class OnnxVerificationTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"dcgan-fashion.onnx", "dcgan-fashion-d.onnx", "cdcgan-fashion.onnx",
            "cdcgan-fashion-d.onnx", "evaluator-fashion.onnx"})
    void bundledModelsAgreeWithOrtAtFullSize(String file) {
        Model model = OnnxImporter.read(Path.of("models", file));
        OnnxVerification.Result r = OnnxVerification.check(model, OnnxExporter.toBytes(model, Map.of()), file);
        assertThat(r.maxAbsDifference()).isLessThanOrEqualTo(OnnxVerification.FP32_TOLERANCE);
        assertThat(r.outputs()).isPositive();
    }

    @Test
    void aWeightChangedAfterExportIsCaughtAndNamed() {
        Model model = OnnxImporter.read(Path.of("models", "dcgan-fashion.onnx"));
        Model changed = model.copy();
        lastWeightSlot(changed)[0] += 0.5f;
        byte[] bytes = OnnxExporter.toBytes(changed, Map.of());
        assertThatThrownBy(() -> OnnxVerification.check(model, bytes, "g.onnx"))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("not writing g.onnx")
                .hasMessageContaining("disagree")
                .hasMessageContaining("--no-verify");
    }

    @Test
    void aTinyChangeBelowToleranceIsNotAFalseAlarm() {
        Model model = OnnxImporter.read(Path.of("models", "dcgan-fashion.onnx"));
        Model changed = model.copy();
        float[] w = lastWeightSlot(changed);
        w[0] = Math.nextUp(w[0]);
        OnnxVerification.Result r = OnnxVerification.check(model, OnnxExporter.toBytes(changed, Map.of()), "g.onnx");
        assertThat(r.maxAbsDifference()).isLessThan(1e-5);
    }

    @Test
    void aCommandWhoseExportDisagreesFailsAndLeavesNothingAtOut() throws IOException {
        Path out = dir.resolve("student.onnx");
        String[] args = {"compress", "--teacher", "models/dcgan-fashion.onnx", "--technique", "magnitude-pruning",
                "--config", "{\"sparsity\":0.5}", "--out", out.toString()};
        System.setProperty(VerifiedModelWriter.FAULT_PROPERTY, "true");
        String err;
        int code;
        try {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            code = Main.execute(new java.io.PrintWriter(new PrintStream(buffer, true, StandardCharsets.UTF_8), true),
                    args);
            err = buffer.toString(StandardCharsets.UTF_8);
        } finally {
            System.clearProperty(VerifiedModelWriter.FAULT_PROPERTY);
        }
        assertThat(code).isEqualTo(2);
        assertThat(err).contains("not writing " + out).contains("disagree");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
        // the same command without the fault writes a file that passed the check
        assertThat(Main.execute(args)).isZero();
        assertThat(out).exists();
    }

    @Test
    void noVerifySkipsTheCheck() {
        Path out = dir.resolve("student.onnx");
        System.setProperty(VerifiedModelWriter.FAULT_PROPERTY, "true");
        try {
            assertThat(Main.execute("compress", "--teacher", "models/dcgan-fashion.onnx", "--technique",
                    "magnitude-pruning", "--config", "{\"sparsity\":0.5}", "--out", out.toString(), "--no-verify"))
                    .isZero();
        } finally {
            System.clearProperty(VerifiedModelWriter.FAULT_PROPERTY);
        }
        assertThat(out).exists();
    }

    private static float[] lastWeightSlot(Model m) {
        float[] last = null;
        for (Node n : m.nodes()) {
            for (WeightSlot s : n.layer().weights()) {
                last = s.weights().data();
            }
        }
        return last;
    }
}
