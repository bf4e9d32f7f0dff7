package dev.gancompress.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.gancompress.AtomicFiles;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** The benchmark's result as a Markdown table (printed, and pasted into the README) and as JSON. */
public final class BenchReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BenchReport() {
    }

    public static void print(InferenceBenchmark.Result r, PrintStream out) {
        out.println("Machine: " + r.machine().describe());
        out.println("Threads: " + r.threads() + " per backend (sessions interleaved, never concurrent)");
        for (Map.Entry<String, String> b : r.backends().entrySet()) {
            out.println("  " + b.getKey() + ": " + b.getValue());
        }
        Roofline.Result roof = r.roofline();
        if (roof != null) {
            out.printf(Locale.ROOT, "Roofline (same run, best of repetitions): fp32 GEMM %d^3 (engine) %.1f GFLOP/s; "
                            + "int8 GEMM %d^3 (ORT MatMulInteger u8 x s8) %.1f GOP/s; streaming copy %.1f GB/s%n",
                    roof.gemmSize(), roof.fp32Gflops(), roof.gemmSize(), roof.int8Gops(), roof.copyGBps());
        }
        out.println();
        out.println("| model | backend | precision | batch | images/s | spread | p50 ms | p99 ms | mem MB | GFLOP/s"
                + (roof != null ? " | % of roof" : "") + " | vs first model |");
        out.println("|---|---|---|---:|---:|---:|---:|---:|---:|---:" + (roof != null ? "|---:" : "") + "|---:|");
        for (InferenceBenchmark.Row row : r.rows()) {
            if (row.imagesPerSecond() == null) {
                out.printf(Locale.ROOT, "| %s | %s | - | %d | not run: %s |%n", row.model(), row.backend(), row.batch(),
                        row.note());
                continue;
            }
            String roofShare = "";
            if (roof != null) {
                boolean int8 = row.precision().startsWith("int8");
                roofShare = String.format(Locale.ROOT, " | %.0f %%%s", 100 * row.gflops()
                        / (int8 ? roof.int8Gops() : roof.fp32Gflops()), int8 ? " (int8)" : "");
            }
            out.printf(Locale.ROOT, "| %s | %s | %s | %d | %,.0f | ±%.1f %% | %s | %s | %.1f | %.1f%s | %s |%n",
                    row.model(), row.backend(), row.precision(), row.batch(), row.imagesPerSecond(),
                    row.spreadPercent(), ms(row.latencyP50Ms()), ms(row.latencyP99Ms()), row.memoryMB(), row.gflops(),
                    roofShare, row.ratioToFirst() == null ? "-" : String.format(Locale.ROOT, "%.2fx",
                            row.ratioToFirst()));
        }
        if (!r.training().isEmpty()) {
            out.println();
            out.println("Training step (forward, backward, Adam), engine vs PyTorch through DJL, same batch and threads:");
            out.println();
            out.println("| model | backend | batch | ms/step | images/s | speed vs PyTorch |");
            out.println("|---|---|---:|---:|---:|---:|");
            for (TrainingBenchmark.Row t : r.training()) {
                if (t.msPerStep() == null) {
                    out.printf(Locale.ROOT, "| %s | %s | %d | not run: %s |%n", t.model(), t.backend(), t.batch(),
                            t.note());
                } else {
                    out.printf(Locale.ROOT, "| %s | %s | %d | %.1f | %,.0f | %s |%n", t.model(), t.backend(),
                            t.batch(), t.msPerStep(), t.imagesPerSecond(), t.ratioToPeer() == null ? "-"
                                    : String.format(Locale.ROOT, "%.2fx", t.ratioToPeer()));
                }
            }
        }
        out.printf(Locale.ROOT, "%nspread: half the interquartile range of the repetitions' images/s; p50/p99: single "
                + "runs at batch 1; mem: heap kept plus native memory touched by opening the session and one run "
                + "at the largest batch (an estimate); GFLOP/s: 2 x the IR's MACs per image x images/s. Wall time %.0f s.%n",
                r.wallSeconds());
    }

    private static String ms(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    public static String json(InferenceBenchmark.Result r) {
        try {
            return JSON.writeValueAsString(r);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the benchmark as JSON: " + e.getMessage(), e);
        }
    }

    public static void writeJson(InferenceBenchmark.Result r, Path file) {
        AtomicFiles.writeString(file, json(r));
    }
}
