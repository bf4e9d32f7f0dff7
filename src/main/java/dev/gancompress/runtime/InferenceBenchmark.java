package dev.gancompress.runtime;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Tensor;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Images/s of several models on several backends and batch sizes, in one process and one protocol (issue 12):
 * every (model, backend) session is opened and warmed up first; then, per batch size, the sessions are timed in
 * interleaved rounds (A B C, then B C A, ...) until the time budget is spent, so that drift and load from other
 * processes hit all of them alike. Each repetition is a few runs lasting about {@value #REPETITION_SECONDS} s; a
 * cell reports the median of its repetitions and their interquartile spread. At batch 1 every run is also timed on
 * its own, for latency percentiles. Achieved GFLOP/s count 2 FLOPs per MAC of the IR (the MACs the model states, so
 * a pruned model is credited only with the work it keeps). A backend that cannot run a model gives a row that says
 * why instead of numbers.
 */
public final class InferenceBenchmark {
    static final double REPETITION_SECONDS = 0.05;
    static final int MIN_ROUNDS = 5;
    static final int WARM_UP_RUNS = 3;

    /** What to run. {@code seconds} is the timing budget of the whole run, split evenly over the batch sizes. */
    public record Config(List<String> backends, List<Integer> batches, double seconds, int threads, long seed) {
        public Config {
            backends = List.copyOf(backends);
            batches = List.copyOf(batches);
            if (backends.isEmpty()) {
                throw new GanCompressException("--backend: give at least one of " + InferenceBackends.names());
            }
            for (String b : backends) {
                if (!InferenceBackends.names().contains(b)) {
                    throw new GanCompressException("--backend: unknown backend '" + b + "'; known: "
                            + String.join(", ", InferenceBackends.names()));
                }
            }
            if (batches.isEmpty()) {
                throw new GanCompressException("--batch: give at least one batch size");
            }
            for (int b : batches) {
                if (b < 1) {
                    throw new GanCompressException("--batch: every batch size must be >= 1, got " + b);
                }
            }
            if (!(seconds > 0) || Double.isInfinite(seconds)) {
                throw new GanCompressException("--seconds must be a positive number of seconds, got " + seconds);
            }
            if (threads < 1) {
                throw new GanCompressException("threads must be >= 1, got " + threads);
            }
        }
    }

    /**
     * One (model, backend, batch) cell. Measured fields are null when the backend refused the model ({@code note}
     * says why) and latencies are null above batch 1. {@code spreadPercent} is half the interquartile range of the
     * repetitions' images/s, relative to the median.
     */
    public record Row(String model, String backend, String precision, int batch, long macsPerImage,
                      Double imagesPerSecond, Double spreadPercent, Double latencyP50Ms, Double latencyP99Ms,
                      Double memoryMB, Double gflops, Double ratioToFirst, int repetitions, String note) {
    }

    /** The whole run: machine, backends as configured, rows in (batch, backend, model) order, roofline if asked. */
    public record Result(Machine machine, int threads, Map<String, String> backends, List<Row> rows,
                         Roofline.Result roofline, List<TrainingBenchmark.Row> training, double wallSeconds) {
    }

    /** One open session and everything timed on it. */
    private static final class Cell {
        final String model;
        final Model ir;
        final String backend;
        final InferenceSession session;
        final String refusal;
        double memoryMB;
        final Map<Integer, List<Double>> perSecond = new LinkedHashMap<>();
        final List<Double> latencies = new ArrayList<>();
        int runsPerRepetition = 1;

        Cell(String model, Model ir, String backend, InferenceSession session, String refusal) {
            this.model = model;
            this.ir = ir;
            this.backend = backend;
            this.session = session;
            this.refusal = refusal;
        }
    }

    private InferenceBenchmark() {
    }

    /**
     * Runs the benchmark on {@code models} (name to IR, the first is the reference of the ratio column) and returns
     * the rows; progress lines go to {@code log}.
     */
    public static Result run(Map<String, Model> models, Config config, PrintStream log) {
        if (models.isEmpty()) {
            throw new GanCompressException("--model: give at least one model");
        }
        long started = System.nanoTime();
        Machine machine = Machine.read();
        Map<String, String> described = new LinkedHashMap<>();
        List<Cell> cells = new ArrayList<>();
        int largest = config.batches().stream().mapToInt(Integer::intValue).max().orElseThrow();
        try {
            for (String name : config.backends()) {
                InferenceBackend backend = InferenceBackends.get(name);
                String unavailable = backend.unavailableReason();
                described.put(name, unavailable == null ? backend.describe(config.threads())
                        : "unavailable: " + unavailable);
                for (Map.Entry<String, Model> m : models.entrySet()) {
                    cells.add(open(backend, unavailable, m.getKey(), m.getValue(), config, largest, log));
                }
            }
            List<Cell> live = cells.stream().filter(c -> c.session != null).toList();
            for (int batch : config.batches()) {
                time(live, batch, config, log);
            }
        } finally {
            for (Cell c : cells) {
                if (c.session != null) {
                    c.session.close();
                }
            }
        }
        List<Row> rows = rows(cells, config, new ArrayList<>(models.keySet()));
        return new Result(machine, config.threads(), described, rows, null, List.of(),
                (System.nanoTime() - started) / 1e9);
    }

    private static Cell open(InferenceBackend backend, String unavailable, String name, Model model, Config config,
                             int largest, PrintStream log) {
        if (unavailable != null) {
            return new Cell(name, model, backend.name(), null, "backend unavailable: " + unavailable);
        }
        ProcessMemory.Mark mark = ProcessMemory.mark();
        InferenceSession session;
        try {
            session = backend.open(model, config.threads());
        } catch (GanCompressException e) {
            log.println("  " + backend.name() + " does not run " + name + ": " + e.getMessage());
            return new Cell(name, model, backend.name(), null, e.getMessage());
        }
        Cell cell = new Cell(name, model, backend.name(), session, null);
        try {
            Tensor out = session.run(BenchInputs.seeded(model, largest, new SplittableRandom(config.seed())));
            if (out.batch() != largest) {
                throw new IllegalStateException(backend.name() + " returned a batch of " + out.batch() + " for "
                        + largest + " inputs");
            }
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
        cell.memoryMB = ProcessMemory.addedSince(mark) / 1e6;
        return cell;
    }

    private static void time(List<Cell> cells, int batch, Config config, PrintStream log) {
        if (cells.isEmpty()) {
            return;
        }
        List<Map<String, Tensor>> feeds = new ArrayList<>();
        for (Cell c : cells) {
            feeds.add(BenchInputs.seeded(c.ir, batch, new SplittableRandom(config.seed() + batch)));
            double seconds = Double.MAX_VALUE;
            for (int i = 0; i < WARM_UP_RUNS; i++) {
                long t0 = System.nanoTime();
                c.session.run(feeds.get(feeds.size() - 1));
                seconds = Math.min(seconds, (System.nanoTime() - t0) / 1e9);
            }
            c.runsPerRepetition = (int) Math.max(1, Math.min(1000, Math.round(REPETITION_SECONDS / seconds)));
            c.perSecond.put(batch, new ArrayList<>());
        }
        double budget = config.seconds() / config.batches().size();
        long deadline = System.nanoTime() + (long) (budget * 1e9);
        int round = 0;
        while (round < MIN_ROUNDS || System.nanoTime() < deadline) {
            for (int i = 0; i < cells.size(); i++) {
                int k = (round + i) % cells.size();
                Cell c = cells.get(k);
                double seconds = 0;
                for (int r = 0; r < c.runsPerRepetition; r++) {
                    long t0 = System.nanoTime();
                    c.session.run(feeds.get(k));
                    double s = (System.nanoTime() - t0) / 1e9;
                    seconds += s;
                    if (batch == 1) {
                        c.latencies.add(s);
                    }
                }
                c.perSecond.get(batch).add(batch * c.runsPerRepetition / seconds);
            }
            round++;
        }
        log.printf("  batch %d: %d interleaved rounds of %d session(s)%n", batch, round, cells.size());
    }

    private static List<Row> rows(List<Cell> cells, Config config, List<String> order) {
        List<Row> rows = new ArrayList<>();
        for (int batch : config.batches()) {
            for (String backend : config.backends()) {
                Double reference = null;
                for (String model : order) {
                    Cell c = cells.stream().filter(x -> x.backend.equals(backend) && x.model.equals(model))
                            .findFirst().orElseThrow();
                    long macs = c.ir.macs();
                    if (c.session == null) {
                        rows.add(new Row(model, backend, "-", batch, macs, null, null, null, null, null, null, null,
                                0, c.refusal));
                        continue;
                    }
                    double[] ips = c.perSecond.get(batch).stream().mapToDouble(Double::doubleValue).toArray();
                    double median = percentile(ips, 50);
                    double spread = (percentile(ips, 75) - percentile(ips, 25)) / 2 / median * 100;
                    if (model.equals(order.get(0))) {
                        reference = median;
                    }
                    Double p50 = null;
                    Double p99 = null;
                    if (batch == 1) {
                        double[] lat = c.latencies.stream().mapToDouble(Double::doubleValue).toArray();
                        p50 = percentile(lat, 50) * 1e3;
                        p99 = percentile(lat, 99) * 1e3;
                    }
                    rows.add(new Row(model, backend, c.session.precision(), batch, macs, median, spread, p50, p99,
                            c.memoryMB, 2.0 * macs * median / 1e9, reference == null ? null : median / reference,
                            ips.length, null));
                }
            }
        }
        return rows;
    }

    /** The p-th percentile (0-100) by linear interpolation between order statistics. */
    static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double pos = p / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    /** The result with the roofline and training rows added (both measured by the caller in the same run). */
    public static Result with(Result r, Roofline.Result roofline, List<TrainingBenchmark.Row> training,
                              double wallSeconds) {
        return new Result(r.machine(), r.threads(), r.backends(), r.rows(), roofline, training, wallSeconds);
    }
}
