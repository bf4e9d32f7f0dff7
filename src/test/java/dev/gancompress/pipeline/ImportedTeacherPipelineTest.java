package dev.gancompress.pipeline;

import dev.gancompress.TestImages;
import dev.gancompress.cli.Main;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.compress.encode.GczReader;
import dev.gancompress.model.Model;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.onnx.ExporterGraphs;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.runtime.OnnxRuntimeBackend;
import dev.gancompress.train.GanLoss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14's acceptance line: a teacher brought as a PyTorch export, and nothing else (no discriminator, no
 * images), goes through pruning, distillation, quantisation and encoding; every result runs in ONNX Runtime to the
 * engine's output, and the .gcz decodes to ONNX that does too. The file is written node for node as
 * {@code torch.onnx.export} writes a DCGAN generator ({@link ExporterGraphs#pytorchDcgan}): Gemm with transB=1, the
 * dynamic Shape -> Gather -> Unsqueeze -> Concat -> Reshape chain, BatchNormalization, ConvTranspose with explicit
 * pads and output_padding, inference Dropout, Tanh.
 */
class ImportedTeacherPipelineTest {
    @TempDir
    Path dir;

    private Path theirs() throws IOException {
        return Files.write(dir.resolve("g.onnx"), ExporterGraphs.bytes(new ExporterGraphs(4).pytorchDcgan()));
    }

    /** ORT's output on the file equals the engine's on the model read back from it. */
    private static void runsInOrtAsInTheEngine(byte[] onnx, Model model, String what) {
        Map<String, Tensor> z = TestImages.randomInputs(model, 3, 17);
        try (OnnxRuntimeBackend ort = new OnnxRuntimeBackend(onnx, 1)) {
            Tensor expected = ort.run(z);
            assertThat(expected.shape()).as(what).containsExactly(3, 3, 16, 16);
            assertThat(new Network(model).forward(z, false).maxAbsDifference(expected)).as(what).isLessThan(1e-4);
        }
    }

    private static boolean sameWeights(Model a, Model b) {
        Map<String, WeightSlot> x = a.weightSlots();
        Map<String, WeightSlot> y = b.weightSlots();
        if (!x.keySet().equals(y.keySet())) {
            return false;
        }
        for (String k : x.keySet()) {
            if (!java.util.Arrays.equals(x.get(k).weights().data(), y.get(k).weights().data())) {
                return false;
            }
        }
        return true;
    }

    @Test
    void everyFamilyRunsOnAnImportedTeacherWithoutDiscriminatorAndTheResultsRunInOrt() throws IOException {
        Model teacher = OnnxImporter.read(theirs());
        FineTuning.Settings tune = new FineTuning.Settings(3, 4, 1e-3, 2e-4, GanLoss.NON_SATURATING, 1f, false, 7,
                0);
        RecipeRunner runner = new RecipeRunner(teacher, null, null, null, tune, dir.resolve("work"), Map.of(),
                n -> List.of(), true);
        Map<String, String> recipes = Map.of(
                "prune", "prune:channel=0.5",
                "distill", "distill:width=0.5",
                "quantize", "quantize:int8",
                "encode", "share:bits=4,encode:huffman",
                "all", "prune:channel=0.5,distill:width=0.75,quantize:int8,encode:huffman");
        for (var e : recipes.entrySet()) {
            RecipeRunner.Result r = runner.run(RecipeShortForm.parse(e.getValue()));
            String what = e.getKey() + " (" + e.getValue() + ")";
            byte[] written = Files.readAllBytes(r.file());
            Model reread = OnnxImporter.fromBytes(written, r.file().toString());
            runsInOrtAsInTheEngine(written, reread, what);
            assertThat(reread.metadata().get(DiscriminatorFree.PROVENANCE_KEY)).as(what)
                    .startsWith("none: discriminator-free distillation");
            assertThat(sameWeights(reread, teacher)).as(what + " changed the teacher").isFalse();
            if (e.getKey().equals("encode") || e.getKey().equals("all")) {
                assertThat(r.gcz()).as(what).isNotNull();
                var decoded = GczReader.read(r.gcz()).proto();
                byte[] onnx = OnnxExporter.toBytes(decoded);
                runsInOrtAsInTheEngine(onnx, OnnxImporter.fromProto(decoded, r.gcz().toString()), what + " .gcz");
            }
            if (!e.getKey().equals("encode")) {
                assertThat(reread.macs() < teacher.macs() || hasIntegerWeights(reread)).as(what).isTrue();
            }
        }
    }

    private static boolean hasIntegerWeights(Model m) {
        return m.weightSlots().values().stream()
                .anyMatch(s -> s.weights().storage() instanceof WeightStorage.IntN);
    }

    /** The same through the command line with the foreign file as --teacher and nothing else. */
    @Test
    void compressCommandTakesTheForeignFileAloneAndSaysItDistils() throws IOException {
        Path g = theirs();
        Path out = dir.resolve("out").resolve("student.onnx");
        PrintStream oldOut = System.out;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            code = Main.execute("compress", "--teacher", g.toString(), "--recipe",
                    "prune:channel=0.5,distill:width=0.75,quantize:int8,encode:huffman", "--steps", "2",
                    "--batch-size", "4", "--out", out.toString());
        } finally {
            System.setOut(oldOut);
        }
        String printed = stdout.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed).isZero();
        assertThat(printed).containsOnlyOnce(DiscriminatorFree.NOTE);
        assertThat(out).exists();
        Path gcz = RecipeRunner.codedFile(out);
        assertThat(gcz).exists();
        Model written = OnnxImporter.read(out);
        assertThat(written.metadata().get(DiscriminatorFree.PROVENANCE_KEY))
                .contains("channel-pruning, distillation, ptq-weights");
        assertThat(written.metadata()).doesNotContainKey("dataset_sha256").doesNotContainKey("teacher_d_sha256");
        runsInOrtAsInTheEngine(Files.readAllBytes(out), written, "compress");
        runsInOrtAsInTheEngine(OnnxExporter.toBytes(GczReader.read(gcz).proto()), GczReader.readModel(gcz),
                "compress .gcz");

        // images named with --data are read (and hashed into the provenance) even without a discriminator
        Path images = Files.createDirectories(dir.resolve("images"));
        for (int i = 0; i < 8; i++) {
            java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(16, 16,
                    java.awt.image.BufferedImage.TYPE_INT_RGB);
            img.setRGB(i, i, 0xff8040);
            javax.imageio.ImageIO.write(img, "png", images.resolve("img" + i + ".png").toFile());
        }
        Path withData = dir.resolve("out").resolve("with-data.onnx");
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            code = Main.execute("compress", "--teacher", g.toString(), "--technique", "channel-pruning", "--config",
                    "{\"ratio\":0.5}", "--steps", "2", "--batch-size", "4", "--data", images.toString(), "--out",
                    withData.toString());
        } finally {
            System.setOut(oldOut);
        }
        assertThat(code).isZero();
        assertThat(OnnxImporter.read(withData).metadata()).containsKey("dataset_sha256")
                .containsKey(DiscriminatorFree.PROVENANCE_KEY);
    }
}
