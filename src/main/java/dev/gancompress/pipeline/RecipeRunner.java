package dev.gancompress.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.GanCompressException;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionContext;
import dev.gancompress.compress.CompressionRegistry;
import dev.gancompress.compress.FineTuneController;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Model;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.runtime.OnnxVerification;
import dev.gancompress.runtime.VerifiedModelWriter;
import dev.gancompress.train.GanTrainer;
import dev.gancompress.train.TrainingHook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs recipes against one teacher: applies the techniques in order, fine-tunes once with all their loss terms
 * against a fresh copy of the teacher's discriminator, and writes {@code <work>/<recipe>/generator.onnx} with
 * the recipe in its provenance. A recipe whose output exists is not run again, and an interrupted fine-tune
 * resumes from its checkpoint, so a killed comparison continues where it stopped.
 */
public final class RecipeRunner {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String OUTPUT = "generator.onnx";

    /** What one recipe produced. */
    /** @param verification the ONNX Runtime check of the written file; null when reused or not verified */
    public record Result(Recipe recipe, Model model, Path file, double fineTuneSeconds, boolean reused,
                         OnnxVerification.Result verification) {
    }

    private final Model teacher;
    private final Model teacherDiscriminator;
    private final ImageDataset data;
    private final Model evaluator;
    private final FineTuning.Settings settings;
    private final Path workRoot;
    private final Map<String, String> provenance;
    private final Function<String, List<TrainingHook>> hooks;
    private final boolean verify;

    public RecipeRunner(Model teacher, Model teacherDiscriminator, ImageDataset data, Model evaluator,
                        FineTuning.Settings settings, Path workRoot, Map<String, String> provenance,
                        Function<String, List<TrainingHook>> hooks) {
        this(teacher, teacherDiscriminator, data, evaluator, settings, workRoot, provenance, hooks, true);
    }

    /** @param verify whether every written student is checked in ONNX Runtime ({@link VerifiedModelWriter}) */
    public RecipeRunner(Model teacher, Model teacherDiscriminator, ImageDataset data, Model evaluator,
                        FineTuning.Settings settings, Path workRoot, Map<String, String> provenance,
                        Function<String, List<TrainingHook>> hooks, boolean verify) {
        this.verify = verify;
        this.teacher = teacher;
        this.teacherDiscriminator = teacherDiscriminator;
        this.data = data;
        this.evaluator = evaluator;
        this.settings = settings;
        this.workRoot = workRoot;
        this.provenance = Map.copyOf(provenance);
        this.hooks = hooks;
    }

    public Path workRoot() {
        return workRoot;
    }

    /** The techniques of the recipe, created (and so validated) before anything runs. */
    public static List<Compression> techniques(Recipe recipe) {
        List<Compression> list = new ArrayList<>();
        for (RecipeStep step : recipe.steps()) {
            list.add(CompressionRegistry.create(step.technique(), step.config()));
        }
        return list;
    }

    public Result run(Recipe recipe) {
        Path dir = workRoot.resolve(recipe.name());
        Path out = dir.resolve(OUTPUT);
        if (Files.exists(out)) {
            Model done = OnnxImporter.read(out);
            if (recipe.toJson().equals(done.metadata().get("recipe"))) {
                double seconds = Double.parseDouble(done.metadata().getOrDefault("fine_tune_seconds", "0"));
                return new Result(recipe, done, out, seconds, true, null);
            }
            throw new GanCompressException("work directory " + dir + " holds the output of another recipe ("
                    + done.metadata().get("recipe") + "); remove it or use another --work directory");
        }
        List<Compression> techniques = techniques(recipe);
        CompressionContext context = new CompressionContext(teacher, teacherDiscriminator, data, evaluator,
                settings.seed(), dir);
        Model model = teacher;
        FineTuneController controller = FineTuneController.NONE;
        FineTuning.Settings tune = new FineTuning.Settings(recipe.fineTuneSteps(), settings.batchSize(),
                settings.generatorLearningRate(), settings.discriminatorLearningRate(), settings.loss(),
                settings.adversarialWeight(), settings.freezeDiscriminator(), settings.seed(),
                settings.checkpointEverySteps());
        for (Compression c : techniques) {
            model = c.apply(model, context);
            controller = controller.plus(c.controller(model, context));
            tune = c.fineTuneSettings(tune);
        }
        double seconds = 0;
        if (recipe.fineTuneSteps() > 0) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new GanCompressException("cannot create work directory " + dir + ": " + e.getMessage(), e);
            }
            // the discriminator trains along with the student: each recipe starts from the teacher's
            Model discriminator = teacherDiscriminator == null ? null : teacherDiscriminator.copy();
            GanTrainer.Result r = FineTuning.run(model, discriminator, data, tune, controller,
                    hooks.apply(recipe.name()), dir, true);
            seconds = r.seconds();
        }
        Map<String, String> meta = new LinkedHashMap<>(provenance);
        meta.put("recipe", recipe.toJson());
        meta.put("fine_tune_steps", Long.toString(recipe.fineTuneSteps()));
        meta.put("fine_tune_seconds", String.format(java.util.Locale.ROOT, "%.1f", seconds));
        meta.put("seed", Long.toString(settings.seed()));
        if (data != null) {
            meta.put("dataset_sha256", data.contentHash());
        }
        Model named = model.withName(teacher.name() + "-" + recipe.name());
        OnnxVerification.Result check = VerifiedModelWriter.write(named, out, meta, verify);
        return new Result(recipe, named, out, seconds, false, check);
    }
}
