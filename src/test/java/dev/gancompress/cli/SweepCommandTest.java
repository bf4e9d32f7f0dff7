package dev.gancompress.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A bad space file is bad input: exit 2, one line naming the file and the field, nothing written. */
class SweepCommandTest {
    @TempDir
    Path dir;

    private String[] run(String space) throws Exception {
        Path file = dir.resolve("space.json");
        Files.writeString(file, space);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintWriter err = new PrintWriter(bytes, true, StandardCharsets.UTF_8);
        // a teacher that does not exist: the space is checked before any model is read
        int code = Main.execute(err, "sweep", "--space", file.toString(), "--out", dir.resolve("out").toString(),
                "--teacher", dir.resolve("missing.onnx").toString());
        err.flush();
        return new String[] {Integer.toString(code), bytes.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void aBadSpaceFileNamesTheFieldAndExitsTwo() throws Exception {
        String recipe = "{\"name\": \"q\", \"stages\": [{\"technique\": \"ptq-weights\", "
                + "\"config\": {\"bits\": 8, \"scheme\": \"symmetric\", \"granularity\": \"per-channel\", "
                + "\"layers\": []}}]}";
        String[] r = run("{\"recipe\": " + recipe + ", \"parameters\": [{\"stage\": 0, \"field\": \"config.bits\", "
                + "\"values\": 8}]}");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1].strip()).isEqualTo("error: space file " + dir.resolve("space.json") + ": parameters[0].values "
                + "(config.bits) must be a non-empty list, got 8");
        assertThat(dir.resolve("out")).doesNotExist();

        // a value the technique refuses: the trial and the technique's own message
        r = run("{\"recipe\": " + recipe + ", \"parameters\": [{\"stage\": 0, \"field\": \"config.bits\", "
                + "\"values\": [8, \"eight\"]}]}");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("space file " + dir.resolve("space.json") + ": trial 1 (0.config.bits=eight) (recipe 'q'): stage 1")
                .contains("bits").doesNotContain("\tat ");

        r = run("{\"recipe\": " + recipe + ", \"parameters\": [");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).startsWith("error: space file " + dir.resolve("space.json") + " is not JSON");
    }
}
