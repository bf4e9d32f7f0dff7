package dev.gancompress.cli;

import dev.gancompress.TestModels;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxImporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class GczCommandsTest {
    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        PrintStream old = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute(new PrintWriter(err, true), args);
        } finally {
            System.setOut(old);
        }
        return new Run(code, bytes.toString(StandardCharsets.UTF_8), err.toString());
    }

    @Test
    void encodeDecodeAndInfoOfAGczFile(@TempDir Path dir) throws Exception {
        Model g = TestModels.randomize(Dcgan.generator(new DcganSpec(16, 1, 28, 8, 8, 0, 0)), 5);
        Path onnx = dir.resolve("g.onnx");
        OnnxExporter.write(g, onnx, Map.of());
        Path gcz = dir.resolve("g.gcz");
        Run enc = run("encode", onnx.toString(), "--share-bits", "4", "--init", "density", "--out", gcz.toString());
        assertThat(enc.code()).as(enc.err()).isZero();
        assertThat(enc.out()).contains("ONNX Runtime agrees").contains("dictionary-16").contains("smaller");
        assertThat(Files.size(gcz)).isLessThan(Files.size(onnx) / 5);

        Path back = dir.resolve("back.onnx");
        Run dec = run("decode", gcz.toString(), "--out", back.toString());
        assertThat(dec.code()).as(dec.err()).isZero();
        assertThat(dec.out()).contains("ONNX Runtime agrees");
        Model decoded = OnnxImporter.read(back);
        Model direct = ModelFiles.read(gcz); // every command reads .gcz through ModelFiles
        for (Map.Entry<String, WeightSlot> e : direct.weightSlots().entrySet()) {
            assertThat(decoded.weightSlots().get(e.getKey()).weights().data())
                    .isEqualTo(e.getValue().weights().data());
            assertThat(decoded.weightSlots().get(e.getKey()).weights().storage())
                    .isEqualTo(e.getValue().weights().storage());
        }
        assertThat(direct.weightSlots().get("fc.weight").weights().storage())
                .isInstanceOf(WeightStorage.Codebook.class);

        Run info = run("info", gcz.toString());
        assertThat(info.code()).as(info.err()).isZero();
        assertThat(info.out()).contains("container (.gcz)").contains("bits/val").contains("codecs")
                .contains("share").contains("fc.weight").contains("codebook");

        Run sample = run("sample", "--model", gcz.toString(), "--seed", "1", "--out", dir.resolve("s.png")
                .toString());
        assertThat(sample.code()).as(sample.err()).isZero();
    }

    @Test
    void aCorruptGczIsBadInputWithOneLine(@TempDir Path dir) throws Exception {
        Model g = TestModels.randomize(Dcgan.generator(new DcganSpec(16, 1, 28, 8, 8, 0, 0)), 6);
        Path onnx = dir.resolve("g.onnx");
        OnnxExporter.write(g, onnx, Map.of());
        Path gcz = dir.resolve("g.gcz");
        assertThat(run("encode", onnx.toString(), "--no-verify", "--out", gcz.toString()).code()).isZero();
        byte[] b = Files.readAllBytes(gcz);
        b[b.length / 2] ^= 0x10;
        Files.write(gcz, b);
        Run info = run("info", gcz.toString());
        assertThat(info.code()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(info.err().trim()).startsWith("error: .gcz file " + gcz).contains("CRC32C mismatch")
                .doesNotContain("Exception").doesNotContain("\n");
        Run decode = run("decode", onnx.toString(), "--out", dir.resolve("x.onnx").toString());
        assertThat(decode.code()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(decode.err()).contains("is not a .gcz container");
    }
}
