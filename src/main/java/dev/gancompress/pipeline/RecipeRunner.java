package dev.gancompress.pipeline;

import dev.gancompress.GanCompressException;
import dev.gancompress.Provenance;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionContext;
import dev.gancompress.compress.FineTuneController;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.compress.distill.OutputDistillation;
import dev.gancompress.compress.distill.OutputLoss;
import dev.gancompress.compress.encode.EntropyCoding;
import dev.gancompress.compress.encode.GczContents;
import dev.gancompress.compress.encode.GczReader;
import dev.gancompress.compress.encode.GczWriter;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Model;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.onnx.OnnxModelProto;
import dev.gancompress.runtime.OnnxVerification;
import dev.gancompress.runtime.VerifiedModelWriter;
import dev.gancompress.AtomicFiles;
import dev.gancompress.train.GanTrainer;
import dev.gancompress.train.TrainingHook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs staged recipes against one teacher. Stage by stage: the technique rewrites the model the previous stage left,
 * then that very model is fine-tuned for the stage's budget with the technique's loss terms and hooks (bound to it,
 * so network slimming's shrink hook shrinks the scales that a following BN-scale pruning ranks) against a fresh copy
 * of the teacher's discriminator; without one (null), toward the teacher's outputs ({@link DiscriminatorFree}). Each stage therefore depends on the previous stage's generator only, which is all
 * its snapshot needs to hold.
 *
 * <p>Work directory {@code <work>/<recipe>/}: {@code NN-<stage>/} per stage with the fine-tune's checkpoint (every
 * {@code checkpointEverySteps}) and, once the stage is done, its snapshot ({@link StageSnapshot}); the result
 * {@code generator.onnx} (plus {@code generator.gcz} when the recipe ends in entropy coding) with the provenance.
 * A recipe whose output exists is not run again; after a kill, the finished stages are replayed from their
 * snapshots and the interrupted fine-tune resumes from its checkpoint, giving the uninterrupted run's weights.
 */
public final class RecipeRunner {
    public static final String OUTPUT = "generator.onnx";

    /**
     * What one recipe produced.
     *
     * @param gcz          the entropy-coded file, or null when the recipe does not end in entropy coding
     * @param verification the ONNX Runtime check of the written file; null when reused or not verified
     */
    public record Result(Recipe recipe, Model model, Path file, double fineTuneSeconds, boolean reused,
                         OnnxVerification.Result verification, Path gcz) {
    }

    /** Told when a stage starts and when its fine-tune ends: progress lines per stage. */
    public interface StageListener {
        default void onStage(Recipe recipe, int index, Stage stage, boolean replayed) {
        }

        default void onFineTuned(Recipe recipe, int index, Stage stage, GanTrainer.Result result) {
        }

        /** A remark about the whole run, said once (e.g. {@link DiscriminatorFree#NOTE}). */
        default void onNote(Recipe recipe, String note) {
        }
    }

    private final Model teacher;
    private final Model teacherDiscriminator;
    private final ImageDataset data;
    private final Model evaluator;
    private final FineTuning.Settings settings;
    private final Path workRoot;
    private final Provenance provenance;
    private final Function<String, List<TrainingHook>> hooks;
    private final boolean verify;
    private StageListener listener = new StageListener() {
    };

    public RecipeRunner(Model teacher, Model teacherDiscriminator, ImageDataset data, Model evaluator,
                        FineTuning.Settings settings, Path workRoot, Map<String, String> provenance,
                        Function<String, List<TrainingHook>> hooks) {
        this(teacher, teacherDiscriminator, data, evaluator, settings, workRoot, provenance, hooks, true);
    }

    /** @param verify whether every written student is checked in ONNX Runtime ({@link VerifiedModelWriter}) */
    public RecipeRunner(Model teacher, Model teacherDiscriminator, ImageDataset data, Model evaluator,
                        FineTuning.Settings settings, Path workRoot, Map<String, String> provenance,
                        Function<String, List<TrainingHook>> hooks, boolean verify) {
        this(teacher, teacherDiscriminator, data, evaluator, settings, workRoot,
                Provenance.fromMetadata(provenance).withSeed(settings.seed()), hooks, verify);
    }

    /**
     * @param settings the defaults of every stage's fine-tune (a stage's "fineTune" fields override them) and the
     *                 recipe's seed
     * @param hooks    extra training hooks (progress bars) by "recipe/stage"
     */
    public RecipeRunner(Model teacher, Model teacherDiscriminator, ImageDataset data, Model evaluator,
                        FineTuning.Settings settings, Path workRoot, Provenance provenance,
                        Function<String, List<TrainingHook>> hooks, boolean verify) {
        this.verify = verify;
        this.teacher = teacher;
        this.teacherDiscriminator = teacherDiscriminator;
        this.data = data;
        this.evaluator = evaluator;
        this.settings = settings;
        this.workRoot = workRoot;
        this.provenance = provenance;
        this.hooks = hooks;
    }

    public RecipeRunner onStage(StageListener l) {
        this.listener = l;
        return this;
    }

    public Path workRoot() {
        return workRoot;
    }

    /** The work directory of one recipe. */
    public Path recipeDir(Recipe recipe) {
        return workRoot.resolve(recipe.name());
    }

    /** The techniques of the recipe, created (and so validated) before anything runs. */
    public static List<Compression> techniques(Recipe recipe) {
        return RecipeRules.check(recipe, "recipe " + recipe.name());
    }

    /** Stage 0 keeps the recipe's seed (a one-stage recipe is what `compress` always ran); later stages mix in i. */
    static long stageSeed(long seed, int index) {
        return index == 0 ? seed : seed ^ (0x9E3779B97F4A7C15L * index);
    }

    public Result run(Recipe recipe) {
        return run(recipe, recipeDir(recipe).resolve(OUTPUT));
    }

    /**
     * Runs {@code recipe} in its work directory and writes the result to {@code out} (and a .gcz beside it when the
     * recipe ends in entropy coding); an existing {@code out} of the same recipe is returned as it is.
     */
    public Result run(Recipe recipe, Path out) {
        Path dir = recipeDir(recipe);
        List<Compression> techniques = techniques(recipe);
        recipe = resolved(recipe, techniques);
        String json = recipe.toJson();
        boolean coded = techniques.get(techniques.size() - 1) instanceof EntropyCoding;
        Path gczFile = codedFile(out);
        if (Files.exists(out) && (!coded || Files.exists(gczFile))) {
            Model done = OnnxImporter.read(out);
            if (json.equals(done.metadata().get(Provenance.RECIPE_KEY))) {
                double seconds = Double.parseDouble(done.metadata().getOrDefault("fine_tune_seconds", "0"));
                return new Result(recipe, done, out, seconds, true, null, coded ? gczFile : null);
            }
            throw new GanCompressException("work directory " + dir + " holds the output of another recipe ("
                    + done.metadata().get(Provenance.RECIPE_KEY) + "); remove it or use another --work directory");
        }
        Model model = teacher;
        double seconds = 0;
        long steps = 0;
        List<String> withoutDiscriminator = new ArrayList<>();
        for (int i = 0; i < techniques.size(); i++) {
            Stage stage = recipe.stages().get(i);
            Compression technique = techniques.get(i);
            Path stageDir = dir.resolve(String.format(Locale.ROOT, "%02d-%s", i + 1, stage.name()));
            long seed = stageSeed(settings.seed(), i);
            CompressionContext context = new CompressionContext(teacher, teacherDiscriminator, data, evaluator, seed,
                    stageDir);
            Path snapshot = stageDir.resolve(StageSnapshot.FILE);
            String key = StageKeys.snapshotKey(recipe, i);
            boolean done = StageKeys.prepare(stageDir, recipe, i);
            listener.onStage(recipe, i, stage, done);
            model = technique.apply(model, context);
            FineTuning.Settings tune = technique.phase() == Compression.Phase.ENTROPY
                    ? stage.fineTune().over(settings, seed).withSteps(0)
                    : technique.fineTuneSettings(stage.fineTune().over(settings, seed));
            steps += tune.steps();
            if (teacherDiscriminator == null && tune.steps() > 0) {
                if (withoutDiscriminator.isEmpty()) {
                    listener.onNote(recipe, DiscriminatorFree.NOTE);
                }
                withoutDiscriminator.add(stage.name());
                tune = DiscriminatorFree.settings(tune);
            }
            if (done) {
                seconds += StageSnapshot.restore(snapshot, key, model);
                continue;
            }
            double stageSeconds = 0;
            createDirectories(stageDir);
            StageKeys.writeStageKey(stageDir, recipe, i);
            if (tune.steps() > 0) {
                FineTuneController controller = technique.controller(model, context);
                if (stage.fineTune().kdWeight() > 0) {
                    controller = controller.plus(new FineTuneController(List.of(OutputDistillation.toTeacher(teacher,
                            OutputLoss.L1, (float) stage.fineTune().kdWeight())), List.of()));
                }
                if (teacherDiscriminator == null) {
                    controller = DiscriminatorFree.controller(controller, teacher, model);
                }
                // each stage starts from the teacher's discriminator: its output depends on the previous stage's
                // generator alone, so the stage snapshot is the generator's tensors
                Model discriminator = teacherDiscriminator == null ? null : teacherDiscriminator.copy();
                GanTrainer.Result r = FineTuning.run(model, discriminator, data, tune, controller,
                        hooks.apply(recipe.name() + "/" + stage.name()), stageDir, true);
                stageSeconds = r.seconds();
                listener.onFineTuned(recipe, i, stage, r);
            }
            StageSnapshot.write(snapshot, key, model, stageSeconds);
            seconds += stageSeconds;
        }
        Provenance p = provenance.withRecipe(json).withSeed(settings.seed())
                .with("technique", String.join("+", techniques.stream().map(Compression::name).toList()))
                .with("technique_config", techniqueConfigs(techniques))
                .with("fine_tune_steps", Long.toString(steps))
                .with("fine_tune_seconds", String.format(Locale.ROOT, "%.1f", seconds));
        if (data != null) {
            p = p.withInputHash("dataset", data.contentHash());
        }
        if (!withoutDiscriminator.isEmpty()) {
            p = p.with(DiscriminatorFree.PROVENANCE_KEY, DiscriminatorFree.provenance(withoutDiscriminator));
        }
        Model named = model.withName(teacher.name() + "-" + recipe.name());
        Path gcz = null;
        if (coded) {
            gcz = gczFile;
            writeCoded(named, gcz, p, ((EntropyCoding) techniques.get(techniques.size() - 1)));
        }
        OnnxVerification.Result check = VerifiedModelWriter.write(named, out, p.metadata(), verify);
        return new Result(recipe, named, out, seconds, false, check, gcz);
    }

    /**
     * The recipe with every stage's inherited fine-tune fields filled in from the runner's settings: the keys of the
     * work directory and the provenance then say what ran (a --steps change is a change of the recipe).
     */
    private Recipe resolved(Recipe recipe, List<Compression> techniques) {
        List<Stage> stages = new ArrayList<>();
        for (int i = 0; i < techniques.size(); i++) {
            Stage s = recipe.stages().get(i);
            stages.add(new Stage(s.name(), s.technique(), s.config(), s.fineTune().resolved(settings,
                    techniques.get(i).phase() != Compression.Phase.ENTROPY)));
        }
        return new Recipe(recipe.name(), recipe.description(), stages);
    }

    /** "x.onnx" -> "x.gcz", beside it. */
    public static Path codedFile(Path onnx) {
        String name = onnx.getFileName().toString();
        String stem = name.endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
        return onnx.resolveSibling(stem + ".gcz");
    }

    /** The .gcz of the final model, checked to decode to exactly the tensors encoded before it is written. */
    private static void writeCoded(Model model, Path file, Provenance p, EntropyCoding coding) {
        OnnxModelProto proto = OnnxExporter.toProto(model, p.metadata());
        GczWriter.Encoded encoded = GczWriter.encode(proto, coding.codecSet());
        if (!GczContents.sameInitializers(proto, GczReader.read(encoded.bytes(), file.toString()).proto())) {
            throw new IllegalStateException("internal error: " + file + " does not decode to the tensors encoded");
        }
        AtomicFiles.writeBytes(file, encoded.bytes());
    }

    /** The configuration record(s) with their defaults filled in: one object, or an array for several stages. */
    private static String techniqueConfigs(List<Compression> techniques) {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        if (techniques.size() == 1) {
            return json.valueToTree(techniques.get(0).config()).toString();
        }
        return json.valueToTree(techniques.stream().map(Compression::config).toList()).toString();
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new GanCompressException("cannot create work directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
