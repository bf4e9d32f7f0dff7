package dev.gancompress.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gancompress.onnx.ResamplingGraphs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gancompress import} and {@code info} on a bilinear + PixelShuffle PyTorch export. */
class ImportResamplingCommandTest {
    @TempDir
    Path dir;

    @Test
    void importsAndInfoListsTheResamplingLayers() throws IOException {
        Path file = Files.write(dir.resolve("g.onnx"), ResamplingGraphs.bilinearPixelShuffleGenerator(3));
        Path out = dir.resolve("teacher.onnx");
        CliRun r = CliRun.of("import", file.toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(out).exists();
        java.io.PrintStream stdout = System.out;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        CliRun info;
        try {
            System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
            info = CliRun.of("info", out.toString());
        } finally {
            System.setOut(stdout);
        }
        assertThat(info.code()).as(info.err()).isZero();
        assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("Resize")
                .contains("DepthToSpace");
    }
}
