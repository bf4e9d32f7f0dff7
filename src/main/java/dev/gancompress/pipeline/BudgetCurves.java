package dev.gancompress.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.AtomicFiles;
import dev.gancompress.GanCompressException;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionContext;
import dev.gancompress.compress.FineTuneController;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.compress.distill.Distillation;
import dev.gancompress.compress.distill.DistillationConfig;
import dev.gancompress.compress.distill.IterativeDistillationPlan;
import dev.gancompress.compress.prune.ChannelCriterion;
import dev.gancompress.compress.prune.ChannelPruning;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.metrics.QualityEvaluation;
import dev.gancompress.metrics.QualityReport;
import dev.gancompress.model.Model;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.runtime.VerifiedModelWriter;
import dev.gancompress.train.StepResult;
import dev.gancompress.train.TrainingHook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Budget curves: for every MACs fraction, method and training seed, the student's FID (with its interval),
 * recall and PSNR to the teacher after each step budget. Methods at a constant learning rate train once to the
 * largest budget and are snapshotted at every budget on the way (a point inside the longer run is exactly the
 * shorter run: the data order and latent codes depend on (seed, step) only). Methods whose schedule decays over
 * the run, and the staged iterative method, train each budget separately: a point inside a decaying run has not
 * been annealed and would understate what its budget buys; the extra cost is sum/max of the budgets (1.43x for
 * 300, 1,000, 3,000, 10,000).
 *
 * <p>Resumable at every level: a finished point is a line of {@code <work>/results.jsonl} (rewritten atomically
 * per point) and is never redone; a written snapshot is not trained again; an interrupted fine-tune continues
 * from its checkpoint. Points are keyed by fraction, method, seed, steps and sample count.
 */
public final class BudgetCurves {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String RESULTS = "results.jsonl";

    /** Validated settings. */
    public record Settings(List<Double> fractions, List<Long> budgets, List<Long> seeds, List<BudgetMethod> methods,
                           int samples, String featureNetwork, int iterativeStages, boolean verify) {
        public Settings {
            require(fractions != null && !fractions.isEmpty()
                    && fractions.stream().allMatch(f -> f > 0 && f < 1), "--fractions", "numbers in (0, 1)", fractions);
            require(budgets != null && !budgets.isEmpty() && budgets.stream().allMatch(b -> b > 0)
                    && new TreeSet<>(budgets).size() == budgets.size(), "--steps", "distinct step counts > 0", budgets);
            require(seeds != null && !seeds.isEmpty() && new TreeSet<>(seeds).size() == seeds.size(), "--seeds",
                    "distinct seeds", seeds);
            require(methods != null && !methods.isEmpty() && Set.copyOf(methods).size() == methods.size(),
                    "--methods", "distinct method names", methods);
            require(samples >= 100, "--samples", "at least 100", samples);
            require(iterativeStages >= 2, "--stages", "an integer >= 2", iterativeStages);
            require(featureNetwork != null || methods.stream().noneMatch(BudgetMethod::needsFeatureNetwork),
                    "--feature-network", "a file for the methods with a feature-network loss", featureNetwork);
            fractions = List.copyOf(fractions);
            budgets = budgets.stream().sorted().toList();
            seeds = List.copyOf(seeds);
            methods = List.copyOf(methods);
        }

        long largestBudget() {
            return budgets.get(budgets.size() - 1);
        }
    }

    /** One evaluated point of a curve; the teacher's is method "teacher", fraction 1, seed 0, steps 0. */
    public record Point(double fraction, String method, long seed, long steps, int samples, double macsRatio,
                        double fid, double fidLow, double fidHigh, double precision, double recall,
                        double recallLow, double recallHigh, double psnr) {
        String key() {
            return key(fraction, method, seed, steps, samples);
        }

        static String key(double fraction, String method, long seed, long steps, int samples) {
            return String.format(Locale.ROOT, "%.6f/%s/%d/%d/%d", fraction, method, seed, steps, samples);
        }

        static Point of(double fraction, String method, long seed, long steps, QualityReport q, long teacherMacs) {
            return new Point(fraction, method, seed, steps, q.generatedSamples(),
                    (double) q.cost().macs() / teacherMacs, q.fid(), q.intervals().fid().low(),
                    q.intervals().fid().high(), q.precision(), q.recall(), q.intervals().recall().low(),
                    q.intervals().recall().high(), q.fidelity().psnr());
        }
    }

    /** What the runs read: the teacher pair, data and the evaluation network (for the loss guard). */
    public record Inputs(Model teacher, String teacherFile, Model teacherDiscriminator, ImageDataset data,
                         Model evaluator, Supplier<QualityEvaluation> evaluation, Path work,
                         Function<String, List<TrainingHook>> hooks, QualityEvaluation.Progress progress) {
    }

    private final Inputs in;
    private final Settings s;
    private final Path resultsFile;
    private final Map<String, Point> results = new LinkedHashMap<>();
    private QualityEvaluation evaluation;

    public BudgetCurves(Inputs inputs, Settings settings) {
        this.in = inputs;
        this.s = settings;
        this.resultsFile = inputs.work().resolve(RESULTS);
        for (Point p : load(resultsFile)) {
            results.put(p.key(), p);
        }
    }

    /** Trains and evaluates every missing point; returns all points of this sample count. */
    public List<Point> run() {
        QualityEvaluation.Source teacherSource = QualityEvaluation.Source.of(in.teacher(), in.teacherFile());
        if (!results.containsKey(Point.key(1, "teacher", 0, 0, s.samples()))) {
            append(Point.of(1, "teacher", 0, 0, evaluation().evaluate(teacherSource, teacherSource, in.progress()),
                    in.teacher().macs()));
        }
        for (double f : s.fractions()) {
            for (BudgetMethod m : s.methods()) {
                for (long seed : s.seeds()) {
                    List<Long> pending = s.budgets().stream()
                            .filter(b -> !results.containsKey(Point.key(f, m.cliName(), seed, b, s.samples()))).toList();
                    if (pending.isEmpty()) {
                        continue;
                    }
                    Map<Long, Path> snapshots = new LinkedHashMap<>();
                    if (m.oneRunForAllBudgets()) {
                        snapshots.putAll(train(f, m, seed, s.largestBudget(), s.budgets()));
                    } else {
                        for (long b : pending) {
                            snapshots.putAll(train(f, m, seed, b, List.of(b)));
                        }
                    }
                    for (long b : pending) {
                        QualityReport q = evaluation().evaluate(QualityEvaluation.Source.read(snapshots.get(b)),
                                teacherSource, in.progress());
                        append(Point.of(f, m.cliName(), seed, b, q, in.teacher().macs()));
                    }
                }
            }
        }
        return points();
    }

    /** Every loaded or measured point of this run's sample count. */
    public List<Point> points() {
        return results.values().stream().filter(p -> p.samples() == s.samples()).toList();
    }

    private QualityEvaluation evaluation() {
        if (evaluation == null) {
            evaluation = in.evaluation().get();
            // points are keyed by the settings' sample count: an evaluation of another size would never match
            if (evaluation.settings().samples() != s.samples()) {
                throw new GanCompressException("compare-budget: the evaluation makes " + evaluation.settings().samples()
                        + " samples, the settings say " + s.samples());
            }
        }
        return evaluation;
    }

    /** The run directory of one training run: its horizon names it, so the schedule it used is unambiguous. */
    Path runDir(double fraction, BudgetMethod m, long seed, long horizon) {
        return in.work().resolve(String.format(Locale.ROOT, "1of%d", Math.round(1 / fraction)))
                .resolve(m.cliName()).resolve("seed-" + seed).resolve("h-" + horizon);
    }

    static Path snapshot(Path runDir, long steps) {
        return runDir.resolve("step-" + steps + ".onnx");
    }

    /**
     * Trains (or resumes) one run of {@code horizon} steps and returns its snapshots for {@code budgets}; a run
     * whose snapshots all exist is not started.
     */
    private Map<Long, Path> train(double fraction, BudgetMethod m, long seed, long horizon, List<Long> budgets) {
        Path dir = runDir(fraction, m, seed, horizon);
        Map<Long, Path> files = new LinkedHashMap<>();
        for (long b : budgets) {
            files.put(b, snapshot(dir, b));
        }
        if (files.values().stream().allMatch(Files::exists)) {
            return files;
        }
        createDirectories(dir);
        double width = 1 - ChannelPruning.ratioForMacs(in.teacher(), fraction);
        CompressionContext context = new CompressionContext(in.teacher(), in.teacherDiscriminator(), in.data(),
                in.evaluator(), seed, dir);
        FineTuning.Settings base = FineTuning.Settings.defaults(horizon, seed).withSchedule(m.schedule());
        String label = dir.toString();
        if (m == BudgetMethod.ITER_KD) {
            Model student = iterative(fraction, m, seed, horizon, dir, context, base, label);
            write(student, files.get(horizon), m, seed, horizon);
            return files;
        }
        List<Compression> techniques = new ArrayList<>();
        if (m.distillation(width, s.featureNetwork()) == null) {
            techniques.add(new ChannelPruning(ChannelPruning.Config.uniform(1 - width, ChannelCriterion.L1_NORM)));
        } else {
            techniques.add(new Distillation(m.distillation(width, s.featureNetwork())));
        }
        Model student = in.teacher();
        FineTuneController controller = FineTuneController.NONE;
        FineTuning.Settings tune = base;
        for (Compression c : techniques) {
            student = c.apply(student, context);
            controller = controller.plus(c.controller(student, context));
            tune = c.fineTuneSettings(tune);
        }
        List<TrainingHook> hooks = new ArrayList<>(in.hooks().apply(label));
        hooks.add(new Snapshots(student, files, m, seed));
        FineTuning.run(student, in.teacherDiscriminator().copy(), in.data(), tune, controller, hooks, dir, true);
        // a run resumed from its final checkpoint takes no step: the last snapshot is the model as it stands
        if (!Files.exists(files.get(horizon))) {
            write(student, files.get(horizon), m, seed, horizon);
        }
        return files;
    }

    /** The stages of iterative prune-and-distill, each kept as stage-i.onnx (+ its discriminator) once done. */
    private Model iterative(double fraction, BudgetMethod m, long seed, long horizon, Path dir,
                            CompressionContext context, FineTuning.Settings base, String label) {
        DistillationConfig each = BudgetMethod.PRUNE_KD.distillation(1.0, s.featureNetwork());
        List<DistillationConfig> plan = IterativeDistillationPlan.stages(in.teacher(), fraction, s.iterativeStages(),
                each);
        long[] steps = IterativeDistillationPlan.stageSteps(horizon, plan.size());
        Model student = in.teacher();
        Model discriminator = in.teacherDiscriminator().copy();
        for (int i = 0; i < plan.size(); i++) {
            Path stageFile = dir.resolve("stage-" + (i + 1) + ".onnx");
            Path stageD = dir.resolve("stage-" + (i + 1) + "-d.onnx");
            if (Files.exists(stageFile) && Files.exists(stageD)) {
                student = OnnxImporter.read(stageFile);
                discriminator = OnnxImporter.read(stageD);
                continue;
            }
            Distillation stage = new Distillation(plan.get(i));
            Path stageDir = dir.resolve("stage-" + (i + 1));
            createDirectories(stageDir);
            CompressionContext c = new CompressionContext(context.teacher(), context.teacherDiscriminator(),
                    context.data(), context.evaluator(), seed + 1000L * i, stageDir);
            student = stage.apply(student, c);
            FineTuning.run(student, discriminator, in.data(), stage.fineTuneSettings(base.withSteps(steps[i])
                            .withSeed(seed + 1000L * i)), stage.controller(student, c),
                    in.hooks().apply(label + " stage " + (i + 1)), stageDir, true);
            VerifiedModelWriter.write(discriminator, stageD, Map.of("budget.stage", Integer.toString(i + 1)), false);
            write(student, stageFile, m, seed, steps[i]);
        }
        return student;
    }

    private void write(Model student, Path file, BudgetMethod m, long seed, long steps) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("budget.method", m.cliName());
        meta.put("budget.steps", Long.toString(steps));
        meta.put("budget.schedule", m.schedule().toString());
        meta.put("seed", Long.toString(seed));
        VerifiedModelWriter.write(student, file, meta, s.verify());
    }

    /** Writes the student at each budget step it passes (the trainer calls onStep with completed steps). */
    private final class Snapshots implements TrainingHook {
        private final Model student;
        private final Map<Long, Path> files;
        private final BudgetMethod method;
        private final long seed;

        Snapshots(Model student, Map<Long, Path> files, BudgetMethod method, long seed) {
            this.student = student;
            this.files = files;
            this.method = method;
            this.seed = seed;
        }

        @Override
        public void onStep(StepResult result) {
            Path file = files.get(result.step());
            if (file != null && !Files.exists(file)) {
                write(student, file, method, seed, result.step());
            }
        }
    }

    /** Adds a point and rewrites the results file atomically, so a kill leaves either the old or the new file. */
    private void append(Point p) {
        results.put(p.key(), p);
        StringBuilder text = new StringBuilder();
        for (Point q : results.values()) {
            try {
                text.append(JSON.writeValueAsString(q)).append('\n');
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a point always serialises", e);
            }
        }
        AtomicFiles.writeString(resultsFile, text.toString());
    }

    /** The points of a results file (none if it does not exist). */
    public static List<Point> load(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<Point> list = new ArrayList<>();
        try {
            int line = 0;
            for (String text : Files.readAllLines(file)) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                try {
                    list.add(JSON.readValue(text, Point.class));
                } catch (JsonProcessingException e) {
                    throw new GanCompressException("results file " + file + ", line " + line
                            + ": not a budget point (" + e.getOriginalMessage() + ")");
                }
            }
        } catch (IOException e) {
            throw new GanCompressException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return list;
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new GanCompressException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void require(boolean ok, String option, String expected, Object got) {
        if (!ok) {
            throw new GanCompressException("compare-budget " + option + " must be " + expected + ", got " + got);
        }
    }
}
