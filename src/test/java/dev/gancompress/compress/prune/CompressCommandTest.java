package dev.gancompress.compress.prune;

import dev.gancompress.cli.Main;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Initializer;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxImporter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** `gancompress compress` end to end on a tiny teacher: outputs, provenance, resume, and exit code 2 on bad input. */
class CompressCommandTest {
    private static final DcganSpec TINY = new DcganSpec(8, 1, 28, 4, 4, 0, 0);

    @TempDir
    Path dir;
    private Path teacher;
    private Path teacherD;

    @BeforeEach
    void writeTeacher() {
        Model g = Dcgan.generator(TINY);
        Model d = Dcgan.discriminator(TINY);
        Initializer.dcgan(g, 1);
        Initializer.dcgan(d, 2);
        teacher = dir.resolve("teacher.onnx");
        teacherD = dir.resolve("teacher-d.onnx");
        OnnxExporter.write(g, teacher, Map.of());
        OnnxExporter.write(d, teacherD, Map.of());
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private Run compress(String technique, String config, String... extra) {
        String[] base = {"compress", "--teacher", teacher.toString(), "--teacher-d", teacherD.toString(),
                "--technique", technique, "--config", config, "--out", dir.resolve("out.onnx").toString()};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return run(all);
    }

    @Test
    void badInputExitsTwoWithTheReasonAndWritesNothing() {
        Run sparsity = compress("magnitude-pruning", "{\"sparsity\":1.2}");
        assertThat(sparsity.code()).isEqualTo(2);
        assertThat(sparsity.err()).contains("sparsity must be in [0, 1), got 1.2");
        Run unknown = compress("chanel-pruning", "{}");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown compression 'chanel-pruning'").contains("channel-pruning")
                .contains("magnitude-pruning");
        Run field = compress("channel-pruning", "{\"ratio\":0.5,\"ration\":0.2}");
        assertThat(field.code()).isEqualTo(2);
        assertThat(field.err()).contains("unknown field 'ration'");
        Run empty = compress("channel-pruning", "{\"ratio\":0.9}");
        assertThat(empty.code()).isEqualTo(2);
        assertThat(empty.err()).contains("leaves layer 'up2' with 0 of its 4 channels");
        Run json = compress("channel-pruning", "{ratio:0.5");
        assertThat(json.code()).isEqualTo(2);
        assertThat(json.err()).contains("--config is not valid JSON");
        assertThat(dir.resolve("out.onnx")).doesNotExist();
    }

    @Test
    void channelPruningWritesASmallerGeneratorWithProvenance() {
        Run ok = compress("channel-pruning", "{\"ratio\":0.5}", "--seed", "3");
        assertThat(ok.code()).as(ok.err()).isEqualTo(0);
        Model written = OnnxImporter.read(dir.resolve("out.onnx"));
        Model original = OnnxImporter.read(teacher);
        assertThat(written.macs()).isLessThan(original.macs() / 3);
        assertThat(written.metadata()).containsEntry("technique", "channel-pruning").containsEntry("seed", "3")
                .containsKey("teacher_sha256");
        assertThat(written.metadata().get("technique_config")).contains("\"ratio\":0.5")
                .contains("\"criterion\":\"L1_NORM\"");
        assertThat(ok.out()).contains("teacher").contains("MACs");
    }

    @Test
    void fineTunesFromAnImageFolderAndResumes() throws IOException {
        Path images = dir.resolve("images");
        Files.createDirectories(images);
        for (int i = 0; i < 16; i++) {
            BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    int v = Math.max(0, 255 - 20 * (Math.abs(x - 8 - i) + Math.abs(y - 14)));
                    img.getRaster().setSample(x, y, 0, v);
                }
            }
            ImageIO.write(img, "png", images.resolve("img" + i + ".png").toFile());
        }
        String[] common = {"--data", images.toString(), "--batch-size", "4", "--checkpoint-every", "1"};
        Run first = compress("magnitude-pruning", "{\"sparsity\":0.5,\"schedule\":\"iterative\",\"updateEvery\":1}",
                concat(common, "--steps", "2"));
        assertThat(first.code()).as(first.err()).isEqualTo(0);
        Run resumed = compress("magnitude-pruning", "{\"sparsity\":0.5,\"schedule\":\"iterative\",\"updateEvery\":1}",
                concat(common, "--steps", "4", "--resume"));
        assertThat(resumed.code()).as(resumed.err()).isEqualTo(0);
        assertThat(resumed.out()).contains("fine-tuned 4 steps (2 this run)");
        Model written = OnnxImporter.read(dir.resolve("out.onnx"));
        long total = 0;
        long zeros = 0;
        for (LayerSparsity l : UnstructuredPruning.sparsity(written)) {
            total += l.weights();
            zeros += l.zeros();
        }
        assertThat((double) zeros / total).isCloseTo(0.5, org.assertj.core.api.Assertions.within(0.001));
        assertThat(written.metadata()).containsEntry("fine_tune_steps", "4").containsKey("dataset_sha256");
    }

    @Test
    void runsAStagedRecipeFromItsShortFormAndListsTheRegistryInItsHelp() throws IOException {
        Path out = dir.resolve("staged.onnx");
        Run ok = run("compress", "--teacher", teacher.toString(), "--recipe",
                "prune:channel=0.5,quantize:int8,encode:huffman", "--out", out.toString(), "--seed", "4");
        assertThat(ok.code()).as(ok.err()).isEqualTo(0);
        assertThat(ok.out()).contains("stage 1/3 channel-pruning (channel-pruning)")
                .contains("stage 3/3 entropy-coding (entropy-coding)");
        Model written = OnnxImporter.read(out);
        assertThat(written.macs()).isLessThan(OnnxImporter.read(teacher).macs() / 3);
        assertThat(written.metadata()).containsEntry("technique", "channel-pruning+ptq-weights+entropy-coding")
                .containsEntry("seed", "4").containsKey("teacher_sha256").containsEntry("version",
                        dev.gancompress.Version.TOOL);
        assertThat(written.metadata().get("recipe")).contains("\"codecs\":[\"huffman\"]");
        assertThat(dir.resolve("staged.gcz")).exists();

        Run bad = run("compress", "--teacher", teacher.toString(), "--recipe", "quantize:int8,prune:channel=0.5",
                "--out", dir.resolve("bad.onnx").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("stage 2 'channel-pruning'").contains("cannot follow stage 'ptq-weights'");
        assertThat(dir.resolve("bad.onnx")).doesNotExist();

        Run help = run("compress", "--help");
        assertThat(help.out()).contains("prune: magnitude-pruning, channel-pruning, network-slimming")
                .contains("encode: weight-sharing, entropy-coding").contains("prune:channel=<ratio> -> channel-pruning");
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
