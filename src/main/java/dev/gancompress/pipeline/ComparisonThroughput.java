package dev.gancompress.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.gancompress.AtomicFiles;
import dev.gancompress.GanCompressException;
import dev.gancompress.model.Model;
import dev.gancompress.report.ResultRow;
import dev.gancompress.runtime.OnnxThroughput;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime images/s of the teacher and every model of a comparison, all timed in one process run with
 * interleaved rounds ({@link OnnxThroughput}), on the files as written. The measurement is kept in
 * {@code <work>/throughput.json} and reused only when exactly the same files (by SHA-256) were timed at the same batch
 * size and rounds, so a resumed comparison reports the run it made, and any changed file re-times all of them.
 */
public final class ComparisonThroughput {
    public static final String FILE = "throughput.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What the throughput file holds: the files timed (by SHA-256) and what was measured. */
    record Run(Map<String, String> sha256, OnnxThroughput.Result result) {
    }

    private ComparisonThroughput() {
    }

    /**
     * Times every file (or reuses the stored measurement of exactly these files).
     *
     * @param files  ONNX file per row name, the reference (teacher) first
     * @param shapes a model with the generators' inputs (the teacher): latent codes, labels or input images
     */
    public static OnnxThroughput.Result measure(Map<String, Path> files, Model shapes, Path work, int batch,
                                                int rounds, long seed) {
        Map<String, String> hashes = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : files.entrySet()) {
            hashes.put(e.getKey(), dev.gancompress.Digests.sha256(e.getValue()));
        }
        Path cache = work.resolve(FILE);
        OnnxThroughput.Result measured = reusable(cache, hashes, batch, rounds);
        if (measured != null) {
            return measured;
        }
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : files.entrySet()) {
            try {
                bytes.put(e.getKey(), Files.readAllBytes(e.getValue()));
            } catch (IOException ex) {
                throw new UncheckedIOException("cannot read " + e.getValue() + ": " + ex.getMessage(), ex);
            }
        }
        measured = OnnxThroughput.measure(bytes, shapes, batch, rounds, seed);
        try {
            AtomicFiles.writeString(cache, JSON.writeValueAsString(new Run(hashes, measured)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a throughput run always serialises", e);
        }
        return measured;
    }

    /**
     * The rows with their ORT images/s and the ratio to the first row (the teacher), from {@link #measure}.
     *
     * @param files the ONNX file of each row by name
     */
    public static List<ResultRow> withSpeeds(List<ResultRow> rows, Map<String, Path> files, Model teacher, Path work,
                                             int batch, int rounds, long seed) {
        Map<String, Path> ordered = new LinkedHashMap<>();
        for (ResultRow r : rows) {
            Path f = files.get(r.name());
            if (f == null) {
                throw new GanCompressException("no ONNX file for row " + r.name());
            }
            ordered.put(r.name(), f);
        }
        OnnxThroughput.Result measured = measure(ordered, teacher, work, batch, rounds, seed);
        double reference = measured.imagesPerSecond().get(rows.get(0).name());
        List<ResultRow> out = new ArrayList<>();
        for (ResultRow r : rows) {
            double ips = measured.imagesPerSecond().get(r.name());
            out.add(r.withOrt(new ResultRow.OrtSpeed(ips, ips / reference, measured.batch(), measured.threads(),
                    measured.rounds())));
        }
        return out;
    }

    /** The stored measurement when it timed exactly these files at these settings, else null. */
    static OnnxThroughput.Result reusable(Path cache, Map<String, String> hashes, int batch, int rounds) {
        if (!Files.exists(cache)) {
            return null;
        }
        try {
            Run old = JSON.readValue(Files.readString(cache), Run.class);
            OnnxThroughput.Result r = old.result();
            boolean same = old.sha256().equals(hashes) && r.batch() == batch && r.rounds() == rounds
                    && r.imagesPerSecond().keySet().equals(hashes.keySet());
            return same ? r : null;
        } catch (IOException | RuntimeException stale) {
            return null; // unreadable or from another version: measured again
        }
    }
}
