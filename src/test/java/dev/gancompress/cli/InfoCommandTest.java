package dev.gancompress.cli;

import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.onnx.OnnxExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class InfoCommandTest {
    @Test
    void printsEveryLayerWithShapeParamsMacsAndTotals(@TempDir Path dir) {
        Model g = Dcgan.generator(new DcganSpec(8, 1, 28, 4, 4, 3, 5));
        Path file = dir.resolve("g.onnx");
        OnnxExporter.write(g, file, Map.of("seed", "7"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute("info", file.toString());
        } finally {
            System.setOut(old);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(code).isZero();
        for (Node n : g.nodes()) {
            assertThat(out).contains(n.name());
        }
        assertThat(out).contains("[1, 28, 28]")
                .contains(String.format(Locale.ROOT, "%,d", g.parameterCount()))
                .contains(String.format(Locale.ROOT, "%,d", g.macs()))
                .contains("seed: 7");
    }
}
