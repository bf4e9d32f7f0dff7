package dev.gancompress.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.GanCompressException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The append-only record of a sweep's finished trials, one JSON object per line ({@code trials.jsonl}). A line is
 * written whole with one append and forced to disk before the trial counts as finished, so a crash leaves at most
 * one torn last line (no newline yet): reading ignores it, and the first append cuts it off before writing, so the
 * trial it described simply runs again. A complete line that is not a record is corruption, not a crash, and is an
 * error naming the line.
 */
public final class TrialLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private boolean repaired;

    /** What the file holds: the complete records in file order and the bytes of a torn last line (0 if none). */
    public record Contents(List<TrialRecord> records, int tornBytes) {
        public Contents {
            records = List.copyOf(records);
        }
    }

    public TrialLog(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public Contents read() {
        if (!Files.exists(file)) {
            return new Contents(List.of(), 0);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new GanCompressException("cannot read " + file + ": " + e.getMessage(), e);
        }
        List<TrialRecord> records = new ArrayList<>();
        int start = 0;
        int line = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            line++;
            String text = new String(bytes, start, i - start, StandardCharsets.UTF_8).strip();
            start = i + 1;
            if (text.isEmpty()) {
                continue;
            }
            try {
                records.add(JSON.readValue(text, TrialRecord.class));
            } catch (JsonProcessingException e) {
                throw new GanCompressException(file + " line " + line + " is not a trial record ("
                        + e.getOriginalMessage() + "); the file is corrupt: remove that line to rerun its trial", e);
            }
        }
        return new Contents(records, bytes.length - start);
    }

    /** Appends one record as one line and forces it to disk; cuts off a torn last line first. */
    public synchronized void append(TrialRecord record) {
        byte[] line;
        try {
            line = (JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a trial record always serialises", e);
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (!repaired) {
                int torn = read().tornBytes();
                if (torn > 0) {
                    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        ch.truncate(ch.size() - torn);
                        ch.force(true);
                    }
                }
                repaired = true;
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer buf = ByteBuffer.wrap(line);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
        } catch (IOException e) {
            throw new GanCompressException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }
}
