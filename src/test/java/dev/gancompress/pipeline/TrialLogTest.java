package dev.gancompress.pipeline;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.gancompress.GanCompressException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrialLogTest {
    static TrialRecord record(String id) {
        return new TrialRecord(id, "t-" + id, TrialRecord.FAILED, "refused", Map.of("0.config.bits", IntNode.valueOf(4)),
                null, null, null, 0, 0, 1.5, "2026-11-29T00:00:00Z", null);
    }

    @Test
    void aTornLastLineIsIgnoredOnReadAndCutOffBeforeTheNextAppend(@TempDir Path dir) throws Exception {
        TrialLog log = new TrialLog(dir.resolve("trials.jsonl"));
        log.append(record("a"));
        log.append(record("b"));
        // a crash in the middle of writing the third line: no newline, half an object
        byte[] third = (new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(record("c")))
                .getBytes(StandardCharsets.UTF_8);
        Files.write(log.file(), java.util.Arrays.copyOf(third, third.length / 2), StandardOpenOption.APPEND);

        TrialLog.Contents torn = new TrialLog(log.file()).read();
        assertThat(torn.records()).extracting(TrialRecord::id).containsExactly("a", "b");
        assertThat(torn.tornBytes()).isEqualTo(third.length / 2);
        assertThat(torn.records().get(0).values().get("0.config.bits").asInt()).isEqualTo(4);

        TrialLog resumed = new TrialLog(log.file());
        resumed.append(record("c"));
        TrialLog.Contents after = resumed.read();
        assertThat(after.records()).extracting(TrialRecord::id).containsExactly("a", "b", "c");
        assertThat(after.tornBytes()).isZero();
        assertThat(Files.readAllLines(log.file())).hasSize(3);
    }

    @Test
    void aBrokenCompleteLineIsCorruptionNamedByLine(@TempDir Path dir) throws Exception {
        TrialLog log = new TrialLog(dir.resolve("trials.jsonl"));
        log.append(record("a"));
        Files.writeString(log.file(), "{\"id\": \"b\", oops\n", StandardOpenOption.APPEND);
        log.append(record("c"));
        assertThatThrownBy(log::read).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("trials.jsonl line 2 is not a trial record");
    }

    @Test
    void aMissingFileIsAnEmptyLog(@TempDir Path dir) {
        TrialLog.Contents c = new TrialLog(dir.resolve("none.jsonl")).read();
        assertThat(c.records()).isEmpty();
        assertThat(c.tornBytes()).isZero();
    }
}
