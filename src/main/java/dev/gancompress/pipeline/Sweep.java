package dev.gancompress.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gancompress.AtomicFiles;
import dev.gancompress.GanCompressException;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.metrics.CostModel;
import dev.gancompress.metrics.DomainEvaluator;
import dev.gancompress.metrics.QualityEvaluation;
import dev.gancompress.metrics.QualityReport;
import dev.gancompress.model.Model;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.report.DeploymentRow;
import dev.gancompress.report.HtmlReport;
import dev.gancompress.report.ParetoFront;
import dev.gancompress.report.ReportEntry;
import dev.gancompress.report.ResultRow;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Runs the trials of a {@link SweepSpace} against one teacher: each trial is its recipe run by a {@link RecipeRunner}
 * (in {@code <dir>/trials/<name>/}), then evaluated; its record is appended to {@code <dir>/trials.jsonl} as soon as
 * it finishes ({@link TrialLog}). Trials run in parallel on a local pool bounded by the cores and by the memory a
 * trial needs ({@link #parallelism}). A resumed sweep skips every trial already recorded whose model file is
 * unchanged, and a trial killed mid-way resumes inside its fine-tune from the runner's checkpoint. At the end every
 * model is timed in ONNX Runtime in one run (trials never time themselves while others compete for the cores), the
 * Pareto frontier of FID against bytes on disk, MACs and latency is written to {@code frontier.json}, and the report
 * of all trials to {@code report.html} and {@code report.md}.
 */
public final class Sweep {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    public static final String TRIALS = "trials.jsonl";
    public static final String REPORT = "report";
    public static final String FRONTIER = "frontier.json";

    /**
     * @param parallelism      trials at once; 0 picks the most the cores and memory allow
     * @param throughputBatch  ONNX Runtime batch for the timing
     * @param throughputRounds timing rounds per model; 0 skips the timing (latency then unmeasured)
     */
    public record Settings(int parallelism, int throughputBatch, int throughputRounds) {
        public Settings {
            if (parallelism < 0 || throughputBatch < 1 || throughputRounds < 0) {
                throw new GanCompressException("sweep settings: parallelism >= 0, timing batch >= 1 and rounds >= 0 "
                        + "expected, got " + parallelism + ", " + throughputBatch + ", " + throughputRounds);
            }
        }
    }

    /** What a sweep did: the records of the space's trials in trial order, and how many ran now. */
    public record Result(List<TrialRecord> trials, int ran, int reused, int failed, int parallelism,
                         List<String> frontier, Path report) {
    }

    private final Model teacher;
    private final Path teacherFile;
    private final Model discriminator;
    private final ImageDataset data;
    private final Model evaluatorModel;
    private final Supplier<QualityEvaluation> evaluation;
    private final FineTuning.Settings tune;
    private final Path dir;
    private final Map<String, String> provenance;
    private final boolean verify;
    private final PrintStream out;

    /**
     * @param teacherFile the teacher's ONNX file: the reference row, timed with the trials
     * @param evaluation  makes one evaluation per trial (each trial thread gets its own)
     * @param tune        fine-tuning settings; each recipe's own {@code fineTuneSteps} replaces the steps
     * @param provenance  recorded in every trial's model file (command line, input hashes)
     */
    public Sweep(Model teacher, Path teacherFile, Model discriminator, ImageDataset data, Model evaluatorModel,
                 Supplier<QualityEvaluation> evaluation, FineTuning.Settings tune, Path dir,
                 Map<String, String> provenance, boolean verify, PrintStream out) {
        this.teacher = teacher;
        this.teacherFile = teacherFile;
        this.discriminator = discriminator;
        this.data = data;
        this.evaluatorModel = evaluatorModel;
        this.evaluation = evaluation;
        this.tune = tune;
        this.dir = dir;
        this.provenance = Map.copyOf(provenance);
        this.verify = verify;
        this.out = out;
    }

    /** A trial of the space as the sweep runs it: its recipe (named), id and parameter values. */
    record Planned(int index, SweepSpace.Trial trial, Recipe recipe, String id) {
    }

    /**
     * How many trials run at once: the requested number (or the cores when 0), but no more than the memory holds at
     * {@code perTrialBytes} each (three quarters of the heap, the rest for the teacher, data and evaluation), and at
     * least one.
     */
    public static int parallelism(int requested, int cores, long maxMemory, long perTrialBytes) {
        int wanted = requested > 0 ? requested : Math.max(1, cores);
        long byMemory = Math.max(1, (long) (0.75 * maxMemory) / Math.max(1, perTrialBytes));
        return (int) Math.max(1, Math.min(wanted, byMemory));
    }

    /**
     * A generous estimate of one trial's memory: the generator's and discriminator's weights four times (weights,
     * gradients, Adam's two moments), the activations of a training batch kept for the backward pass and their
     * gradients, and 64 MiB for the evaluation's features and samples.
     */
    public static long perTrialBytes(Model generator, Model discriminator, int batch) {
        var g = CostModel.of(generator, CostModel.Options.defaults()).totals();
        long params = g.parameters();
        long activations = g.activationBytes();
        if (discriminator != null) {
            var d = CostModel.of(discriminator, CostModel.Options.defaults()).totals();
            params += d.parameters();
            activations += d.activationBytes();
        }
        return 16L * params + 3L * batch * activations + (64L << 20);
    }

    public Result run(SweepSpace space, Settings settings) {
        List<Planned> plan = plan(space);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new GanCompressException("cannot create sweep directory " + dir + ": " + e.getMessage(), e);
        }
        try (FileChannel lockFile = FileChannel.open(dir.resolve(".sweep.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = tryLock(lockFile)) {
            return runLocked(space, settings, plan);
        } catch (IOException e) {
            throw new GanCompressException("cannot lock sweep directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private FileLock tryLock(FileChannel ch) throws IOException {
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new GanCompressException("another sweep is running in " + dir + " (it holds .sweep.lock)");
        }
        return lock;
    }

    /**
     * Every trial's recipe validated (each technique created from its config) without a model: errors name the space
     * file, the trial and its values. Returns the number of trials.
     */
    public static int validate(SweepSpace space) {
        List<SweepSpace.Trial> trials = space.enumerate();
        for (int i = 0; i < trials.size(); i++) {
            Recipes.parse(trials.get(i).recipe(), trialAt(space, i, trials.get(i)));
        }
        return trials.size();
    }

    private static String trialAt(SweepSpace space, int i, SweepSpace.Trial t) {
        return "space file " + space.origin() + ": trial " + i + " (" + t.describe() + "): ";
    }

    /** Every trial's recipe named and validated before anything runs; errors name the trial and its values. */
    List<Planned> plan(SweepSpace space) {
        List<SweepSpace.Trial> trials = space.enumerate();
        String base = space.recipe().path("name").asText("sweep");
        List<Planned> plan = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        String settingsKey = tune + "|" + evaluationKey();
        for (int i = 0; i < trials.size(); i++) {
            SweepSpace.Trial t = trials.get(i);
            ObjectNode json = (ObjectNode) t.recipe().deepCopy();
            json.remove("name");
            String id = dev.gancompress.Digests.sha256((json.toString() + "|" + settingsKey)
                    .getBytes(StandardCharsets.UTF_8)).substring(0, 16);
            json.put("name", base + "-" + id.substring(0, 8));
            Recipe recipe = Recipes.parse(json, trialAt(space, i, t));
            Integer before = seen.put(id, i);
            if (before != null) {
                throw new GanCompressException("space file " + space.origin() + ": trials " + before + " and " + i
                        + " are the same recipe (" + t.describe() + ")");
            }
            plan.add(new Planned(i, t, recipe, id));
        }
        return plan;
    }

    /** The evaluation settings that change a trial's numbers (not the cache directory). */
    private String evaluationKey() {
        QualityEvaluation.Settings s = evaluation.get().settings();
        return s.samples() + "," + s.seed() + "," + s.referenceCount() + "," + s.k() + "," + s.kidSubsets() + ","
                + s.kidSubsetSize() + "," + s.intervalGroups();
    }

    private Result runLocked(SweepSpace space, Settings settings, List<Planned> plan) {
        TrialLog log = new TrialLog(dir.resolve(TRIALS));
        TrialLog.Contents contents = log.read();
        if (contents.tornBytes() > 0) {
            out.printf(Locale.ROOT, "%s ends in a torn line (%d bytes, a trial killed while it was written): "
                    + "ignored, that trial runs again%n", log.file(), contents.tornBytes());
        }
        Map<String, TrialRecord> done = new HashMap<>();
        for (TrialRecord r : contents.records()) {
            if (!r.ok() || unchanged(r)) {
                done.put(r.id(), r);
            } else {
                done.remove(r.id());
            }
        }
        List<Planned> pending = plan.stream().filter(p -> !done.containsKey(p.id())).toList();
        int p = parallelism(settings.parallelism(), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory(), perTrialBytes(teacher, discriminator, tune.batchSize()));
        p = Math.max(1, Math.min(p, pending.size()));
        out.printf(Locale.ROOT, "sweep %s: %d trials, %d already finished, %d to run, %d at a time%n", space,
                plan.size(), plan.size() - pending.size(), pending.size(), p);

        QualityEvaluation.Source teacherSource = new QualityEvaluation.Source(teacher, teacherFile.toString(),
                dev.gancompress.Digests.sha256(teacherFile));
        QualityReport teacherQuality = RecipeComparison.evaluated(evaluation.get(), teacherSource, teacherSource,
                dir.resolve("teacher-quality.json"), QualityEvaluation.Progress.NONE);
        Map<String, TrialRecord> records = new HashMap<>(done);
        int failed = runPending(pending, p, log, teacherSource, records, plan.size());

        List<TrialRecord> ordered = plan.stream().map(t -> records.get(t.id())).toList();
        List<TrialRecord> ok = ordered.stream().filter(TrialRecord::ok).toList();
        Map<String, Double> speed = timing(teacherQuality, ok, settings);
        List<ReportEntry> entries = new ArrayList<>();
        List<Model> models = new ArrayList<>();
        entries.add(ReportEntries.of("teacher", "", null, teacher, teacherFile, teacherQuality,
                speed.getOrDefault("teacher", Double.NaN)));
        models.add(teacher);
        Map<String, Planned> byId = new HashMap<>();
        plan.forEach(t -> byId.put(t.id(), t));
        for (TrialRecord r : ok) {
            Path file = dir.resolve(r.modelFile());
            Model m = OnnxImporter.read(file);
            Planned t = byId.get(r.id());
            entries.add(ReportEntries.of(r.name(), t.trial().describe(), t.recipe(), m, file, r.quality(),
                    speed.getOrDefault(r.name(), Double.NaN)));
            models.add(m);
        }
        List<String> frontier = writeFrontier(entries);
        String notes = String.format(Locale.ROOT, "%s: %d trials (%d failed), fine-tune batch %d, seed %d; quality "
                        + "from %d generated samples per model against %d real images (evaluation seed %d); latency "
                        + "from ONNX Runtime, every model timed in one run after all trials at batch %d, %d rounds%s. "
                        + "Frontier of FID, bytes, MACs and latency together: %s.", space, plan.size(),
                ordered.size() - ok.size(), tune.batchSize(), tune.seed(), teacherQuality.generatedSamples(),
                teacherQuality.reference().count(), teacherQuality.seed(), settings.throughputBatch(),
                settings.throughputRounds(), settings.throughputRounds() == 0 ? " (skipped: latency not measured)"
                        : "", String.join(", ", frontier));
        List<String> failures = ordered.stream().filter(r -> !r.ok()).map(r -> r.name() + ": " + r.error()).toList();
        if (!failures.isEmpty()) {
            notes += " Failed trials: " + String.join("; ", failures) + ".";
        }
        HtmlReport.write(dir, REPORT, new HtmlReport.Document("gancompress sweep report", notes, entries, models,
                teacherQuality.seed()));
        return new Result(ordered, pending.size(), plan.size() - pending.size(), failed, p, frontier,
                dir.resolve(REPORT + ".html"));
    }

    /** Whether a recorded trial's model file is still the one it measured. */
    private boolean unchanged(TrialRecord r) {
        Path f = dir.resolve(r.modelFile());
        return Files.exists(f) && dev.gancompress.Digests.sha256(f).equals(r.modelSha256());
    }

    private int runPending(List<Planned> pending, int parallelism, TrialLog log,
                           QualityEvaluation.Source teacherSource, Map<String, TrialRecord> records, int total) {
        if (pending.isEmpty()) {
            return 0;
        }
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "gancompress-trial");
            t.setDaemon(true);
            return t;
        });
        CompletionService<TrialRecord> cs = new ExecutorCompletionService<>(pool);
        List<Future<TrialRecord>> futures = new ArrayList<>();
        for (Planned t : pending) {
            futures.add(cs.submit(() -> runTrial(t, teacherSource)));
        }
        int failed = 0;
        try {
            for (int finished = 1; finished <= pending.size(); finished++) {
                TrialRecord r = cs.take().get();
                log.append(r);
                records.put(r.id(), r);
                if (r.ok()) {
                    out.printf(Locale.ROOT, "trial %d/%d %s (%s): FID %.3f, %,d bytes, %.2f M MACs, %.0f s%n",
                            finished, pending.size(), r.name(), describe(r), r.quality().fid(), r.bytesOnDisk(),
                            r.quality().cost().macs() / 1e6, r.trialSeconds());
                } else {
                    failed++;
                    out.printf(Locale.ROOT, "trial %d/%d %s (%s) failed: %s%n", finished, pending.size(), r.name(),
                            describe(r), r.error());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("sweep interrupted; finished trials are in " + log.file(), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("a trial failed: " + cause.getMessage(), cause);
        } finally {
            pool.shutdownNow();
        }
        return failed;
    }

    private static String describe(TrialRecord r) {
        List<String> parts = new ArrayList<>();
        r.values().forEach((k, v) -> parts.add(k + "=" + (v.isTextual() ? v.asText() : v.toString())));
        return String.join(", ", parts);
    }

    /** One trial: its recipe run (or its finished output reused), evaluated, and its record made. */
    private TrialRecord runTrial(Planned t, QualityEvaluation.Source teacherSource) {
        long started = System.nanoTime();
        Map<String, String> meta = new LinkedHashMap<>(provenance);
        meta.put("sweep_trial_id", t.id());
        meta.put("sweep_parameters", t.trial().describe());
        // each trial its own copy of the teacher: techniques and samplers never share a model between threads
        Model ownTeacher = teacher.copy();
        RecipeRunner runner = new RecipeRunner(ownTeacher, discriminator, data, evaluatorModel, tune,
                dir.resolve("trials"), meta, name -> List.of(), verify);
        String now = Instant.now().toString();
        try {
            RecipeRunner.Result r = runner.run(t.recipe());
            QualityEvaluation.Source student = QualityEvaluation.Source.read(r.file());
            QualityReport q = evaluation.get().evaluate(student, new QualityEvaluation.Source(ownTeacher,
                    teacherSource.file(), teacherSource.sha256()), QualityEvaluation.Progress.NONE);
            q.writeJson(r.file().resolveSibling("quality.json"));
            return new TrialRecord(t.id(), t.recipe().name(), TrialRecord.OK, null, t.trial().values(),
                    JSON.valueToTree(t.recipe()), dir.relativize(r.file()).toString(), student.sha256(),
                    size(r.file()), r.fineTuneSeconds(), (System.nanoTime() - started) / 1e9, Instant.now().toString(),
                    q);
        } catch (GanCompressException e) {
            // this combination is refused by a technique (e.g. a ratio that leaves a layer no channel): recorded,
            // so the sweep goes on and a resumed sweep does not retry it
            return new TrialRecord(t.id(), t.recipe().name(), TrialRecord.FAILED, e.getMessage(), t.trial().values(),
                    JSON.valueToTree(t.recipe()), null, null, 0, 0, (System.nanoTime() - started) / 1e9, now, null);
        }
    }

    /** ONNX Runtime images/s of the teacher and every finished trial, all in one run, reused when nothing changed. */
    private Map<String, Double> timing(QualityReport teacherQuality, List<TrialRecord> ok, Settings settings) {
        if (settings.throughputRounds() == 0) {
            return Map.of();
        }
        List<ResultRow> rows = new ArrayList<>();
        Map<String, Path> files = new LinkedHashMap<>();
        rows.add(new ResultRow("teacher", "teacher", "", teacherQuality, 0, 0));
        files.put("teacher", teacherFile);
        for (TrialRecord r : ok) {
            rows.add(new ResultRow(r.name(), "", "", r.quality(), 0, r.fineTuneSeconds()));
            files.put(r.name(), dir.resolve(r.modelFile()));
        }
        out.printf(Locale.ROOT, "timing %d models in ONNX Runtime (batch %d, %d rounds)%n", rows.size(),
                settings.throughputBatch(), settings.throughputRounds());
        LowRankQuantComparison.Deployment d = LowRankQuantComparison.deployment(rows, files, teacher, dir,
                settings.throughputBatch(), settings.throughputRounds(), teacherQuality.seed());
        Map<String, Double> speed = new HashMap<>();
        for (DeploymentRow row : d.rows()) {
            speed.put(row.name(), row.imagesPerSecond());
        }
        return speed;
    }

    /**
     * The models no other model beats in FID, bytes on disk, MACs and latency at once (latency left out when not
     * measured), and the two-objective frontiers, as {@code frontier.json}; returns the first list.
     */
    private List<String> writeFrontier(List<ReportEntry> entries) {
        boolean timed = entries.stream().allMatch(e -> e.imagesPerSecond() > 0);
        List<double[]> points = new ArrayList<>();
        for (ReportEntry e : entries) {
            double fid = e.quality().fid();
            double macs = e.quality().cost().macs();
            points.add(timed ? new double[] {fid, e.bytesOnDisk(), macs, e.millisecondsPerImage()}
                    : new double[] {fid, e.bytesOnDisk(), macs});
        }
        List<String> all = names(entries, ParetoFront.indices(points));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("objectives", timed ? List.of("fid", "bytes_on_disk", "macs", "ms_per_image")
                : List.of("fid", "bytes_on_disk", "macs"));
        json.put("frontier", all);
        json.put("fid_vs_bytes", names(entries, ParetoFront.indices(entries.stream()
                .map(e -> new double[] {e.quality().fid(), e.bytesOnDisk()}).toList())));
        json.put("fid_vs_macs", names(entries, ParetoFront.indices(entries.stream()
                .map(e -> new double[] {e.quality().fid(), e.quality().cost().macs()}).toList())));
        if (timed) {
            json.put("fid_vs_latency", names(entries, ParetoFront.indices(entries.stream()
                    .map(e -> new double[] {e.quality().fid(), e.millisecondsPerImage()}).toList())));
        }
        try {
            AtomicFiles.writeString(dir.resolve(FRONTIER), JSON.writeValueAsString(json) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a frontier always serialises", e);
        }
        return all;
    }

    private static List<String> names(List<ReportEntry> entries, List<Integer> idx) {
        return idx.stream().map(i -> entries.get(i).name()).toList();
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new GanCompressException("cannot read the size of " + f + ": " + e.getMessage(), e);
        }
    }

    /** The JSON of a trial's values, for tests and tools. */
    static JsonNode values(TrialRecord r) {
        return JSON.valueToTree(r.values());
    }
}
