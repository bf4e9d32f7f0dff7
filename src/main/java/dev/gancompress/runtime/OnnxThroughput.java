package dev.gancompress.runtime;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Parallel;
import dev.gancompress.nn.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * ONNX Runtime images/s of several generators with the same inputs, in one process: every model has its own session
 * and they are timed in alternating short rounds (model 1, 2, ..., n, then 2, ..., n, 1, and so on), each reporting
 * its median round, so that load from other processes on a shared machine hits all of them alike and the ratios stay
 * comparable even when the absolute numbers do not. The same protocol as {@link Int8Throughput}, for any number of models.
 */
public final class OnnxThroughput {
    /** Images per second per model name, in the order given, with the conditions they were measured under. */
    public record Result(int batch, int threads, int rounds, Map<String, Double> imagesPerSecond, CpuFeatures cpu) {
        public Result {
            imagesPerSecond = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(imagesPerSecond));
        }
    }

    static final int RUNS_PER_ROUND = 2;
    private static final int WARM_UP = 3;

    private OnnxThroughput() {
    }

    /**
     * Times every model on the same standard normal latent codes from {@code seed}.
     *
     * @param models ONNX files as bytes by name; all take the inputs of {@code shapes}
     * @param shapes a model with the generators' inputs (the teacher)
     */
    public static Result measure(Map<String, byte[]> models, Model shapes, int batch, int rounds, long seed) {
        if (models.isEmpty()) {
            throw new GanCompressException("throughput: no model to time");
        }
        if (batch < 1 || rounds < 1) {
            throw new GanCompressException("throughput: batch and rounds must be >= 1, got batch " + batch
                    + ", rounds " + rounds);
        }
        int threads = Parallel.threads();
        List<String> names = new ArrayList<>(models.keySet());
        List<OnnxRuntimeBackend> sessions = new ArrayList<>();
        double[][] seconds = new double[names.size()][rounds];
        try {
            for (String name : names) {
                sessions.add(new OnnxRuntimeBackend(models.get(name), threads));
            }
            Map<String, Tensor> feeds = Int8Throughput.latents(shapes, batch, new SplittableRandom(seed));
            for (int i = 0; i < WARM_UP; i++) {
                for (OnnxRuntimeBackend s : sessions) {
                    s.run(feeds);
                }
            }
            for (int r = 0; r < rounds; r++) {
                // each round starts one model later, so no model is always the one timed after a pause
                for (int i = 0; i < sessions.size(); i++) {
                    int m = (r + i) % sessions.size();
                    seconds[m][r] = timed(sessions.get(m), feeds);
                }
            }
        } finally {
            for (OnnxRuntimeBackend s : sessions) {
                s.close();
            }
        }
        Map<String, Double> perSecond = new LinkedHashMap<>();
        for (int m = 0; m < names.size(); m++) {
            perSecond.put(names.get(m), batch / median(seconds[m]));
        }
        return new Result(batch, threads, rounds, perSecond, CpuFeatures.read());
    }

    /** Seconds per forward pass, averaged over {@value #RUNS_PER_ROUND} passes. */
    static double timed(OnnxRuntimeBackend backend, Map<String, Tensor> feeds) {
        long t0 = System.nanoTime();
        for (int i = 0; i < RUNS_PER_ROUND; i++) {
            backend.run(feeds);
        }
        return (System.nanoTime() - t0) / 1e9 / RUNS_PER_ROUND;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
