package dev.gancompress.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.GanCompressException;
import dev.gancompress.Provenance;
import dev.gancompress.compress.CompressionRegistry;
import dev.gancompress.compress.ShortForm;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Model;
import dev.gancompress.pipeline.Recipe;
import dev.gancompress.pipeline.RecipeLibrary;
import dev.gancompress.pipeline.RecipeRules;
import dev.gancompress.pipeline.RecipeRunner;
import dev.gancompress.pipeline.Stage;
import dev.gancompress.pipeline.StageTuning;
import dev.gancompress.train.GanTrainer;
import dev.gancompress.train.ProgressBarHook;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * `compress`: builds a recipe (one stage from --technique, or --recipe) and hands it to {@link RecipeRunner}, the one
 * path that applies techniques, fine-tunes, checkpoints and writes the result with its provenance.
 */
@Command(name = "compress", mixinStandardHelpOptions = true,
        description = "Compress a generator with one technique (--technique, a one-stage recipe) or a staged recipe "
                + "(--recipe FILE|NAME|SHORT-FORM), fine-tuning after each stage against the teacher's discriminator "
                + "(or, without --teacher-d, toward the teacher's outputs: discriminator-free distillation; "
                + "resumable), and write the compressed generator as ONNX with its provenance (plus .gcz when the "
                + "recipe ends in entropy coding). Recipes: docs/RECIPES.md.")
final class CompressCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    VerifyOption verifyOption = new VerifyOption();

    @picocli.CommandLine.Mixin
    FineTuneOptions fineTune = new FineTuneOptions();

    @picocli.CommandLine.Mixin
    DataOptions training = new DataOptions();

    private static final ObjectMapper JSON = new ObjectMapper();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--teacher", required = true, description = "Teacher generator ONNX file.")
    Path teacher;

    @Option(names = "--teacher-d", description = "The teacher's discriminator ONNX file, for adversarial "
            + "fine-tuning; without it every stage fine-tunes toward the teacher's outputs (discriminator-free "
            + "distillation), and a latent generator reads training images only when --data is given.")
    Path teacherDiscriminator;

    static final class What {
        @Option(names = "--technique", completionCandidates = TechniqueNames.class,
                description = "One registered technique: ${COMPLETION-CANDIDATES}.")
        String technique;

        @Option(names = "--recipe", description = "A staged recipe: a JSON file, a built-in name ("
                + "deep-compression, slimming, distill-int8, lowrank-int8, prune-channels, distill-half, "
                + "lowrank-tucker2, quantize-int8, share-encode) or a short form such as "
                + "prune:channel=0.5,distill:width=0.5,quantize:int8,encode:huffman (short forms below).")
        String recipe;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    What what;

    static final class ConfigSource {
        @Option(names = "--config", description = "The technique's configuration as a JSON object.")
        String json;

        @Option(names = "--config-file", description = "A JSON file with the technique's configuration.")
        Path file;
    }

    @ArgGroup(exclusive = true)
    ConfigSource config;

    @Option(names = "--steps", defaultValue = "0",
            description = "Fine-tuning steps of every stage that does not set its own (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--out", required = true, description = "Compressed generator ONNX file to write.")
    Path out;

    @Option(names = "--resume", description = "Continue from the stage snapshots and checkpoints next to --out "
            + "(<out>.work); without it the run starts from the teacher.")
    boolean resume;

    @Option(names = "--seed", defaultValue = "1",
            description = "Seed of the techniques and the fine-tuning (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--evaluator", description = "Evaluation network ONNX file, for calibrations that read it; "
            + "feature-network losses (kd_perceptual, kd_mmd) are refused if their network is, or derives from, it.")
    Path evaluator;

    @Override
    public Integer call() throws IOException {
        Recipe recipe = recipe();
        boolean trains = recipe.stages().stream().anyMatch(s -> s.fineTune().steps() == null ? steps > 0
                : s.fineTune().steps() > 0);
        Model teacherModel = ModelFiles.readTeacher(teacher);
        Model discriminator = teacherDiscriminator == null ? null : ModelFiles.read(teacherDiscriminator);
        // discriminator-free distillation of a latent generator needs latent codes only: no images to read unless
        // the user names some (distribution matching to real images reads them)
        boolean readsImages = discriminator != null
                || teacherModel.input(dev.gancompress.model.Input.Kind.LATENT) == null
                || spec.commandLine().getParseResult().hasMatchedOption("--data");
        ImageDataset dataset = !trains || !readsImages ? null
                : TrainingData.open(training.data, training.dataDir, teacherModel);
        Model evaluatorModel = evaluator == null ? null : dev.gancompress.metrics.DomainEvaluator.load(evaluator).model();
        // without fine-tuning there is nothing worth resuming: stage snapshots go to a temporary directory, so a
        // refused or failed run leaves nothing next to --out
        Path work = trains ? out.toAbsolutePath().resolveSibling(out.getFileName() + ".work")
                : Files.createTempDirectory("gancompress-compress-");
        try {
            return run(recipe, teacherModel, discriminator, dataset, evaluatorModel, work);
        } finally {
            if (!trains) {
                deleteTree(work);
            }
        }
    }

    private int run(Recipe recipe, Model teacherModel, Model discriminator, ImageDataset dataset,
                    Model evaluatorModel, Path work) throws IOException {
        Path recipeWork = work.resolve(recipe.name());
        if (!resume && Files.isDirectory(recipeWork)) {
            deleteTree(recipeWork);
        } else if (resume && !Files.isDirectory(recipeWork)) {
            System.out.println("no checkpoint in " + recipeWork + ": starting from the teacher");
        }
        Provenance provenance = Provenance.of(Main.invocation()).withSeed(seed).withInput("teacher", teacher);
        if (teacherDiscriminator != null) {
            provenance = provenance.withInput("teacher_d", teacherDiscriminator);
        }
        if (evaluator != null) {
            provenance = provenance.withInput("evaluator", evaluator);
        }
        RecipeRunner runner = new RecipeRunner(teacherModel, discriminator, dataset, evaluatorModel,
                fineTune.settings(steps, seed), work, provenance,
                name -> List.of(new ProgressBarHook("fine-tune " + name)), verifyOption.verify());
        runner.onStage(new RecipeRunner.StageListener() {
            @Override
            public void onStage(Recipe r, int index, Stage stage, boolean replayed) {
                System.out.printf(Locale.ROOT, "stage %d/%d %s (%s)%s%n", index + 1, r.stages().size(), stage.name(),
                        stage.technique(), replayed ? ": done before, replayed from its snapshot" : "");
            }

            @Override
            public void onNote(Recipe r, String note) {
                System.out.println(note);
            }

            @Override
            public void onFineTuned(Recipe r, int index, Stage stage, GanTrainer.Result result) {
                System.out.printf(Locale.ROOT, "fine-tuned %d steps (%d this run) in %.1f s%n", result.steps(),
                        result.stepsThisRun(), result.seconds());
            }
        });
        printCost("teacher", teacherModel);
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.deleteIfExists(out); // a finished output is reused by the runner only under --resume
        RecipeRunner.Result result = runner.run(recipe, out);
        Model compressed = result.model();
        printCost(recipe.name(), compressed);
        if (result.verification() != null) {
            ModelFiles.report(out, result.verification());
        }
        System.out.printf(Locale.ROOT, "wrote %s: params %.3fx, MACs %.3fx of the teacher%n", out,
                (double) compressed.parameterCount() / teacherModel.parameterCount(),
                (double) compressed.macs() / teacherModel.macs());
        if (result.gcz() != null) {
            System.out.printf(Locale.ROOT, "wrote %s: %,d bytes%n", result.gcz(), Files.size(result.gcz()));
        }
        return ExitCode.OK.code();
    }

    /** The help's footer: the registered techniques by family and the short forms, read from the registry. */
    static String[] registryHelp() {
        List<String> lines = new java.util.ArrayList<>();
        lines.add("");
        lines.add("Registered techniques (family: names):");
        java.util.Map<String, List<String>> byFamily = new java.util.TreeMap<>();
        CompressionRegistry.families().forEach((name, family) ->
                byFamily.computeIfAbsent(family, f -> new java.util.ArrayList<>()).add(name));
        byFamily.forEach((family, names) -> lines.add("  " + family + ": " + String.join(", ", names)));
        lines.add("");
        lines.add("Short forms of --recipe (stages joined by ','; add :field=value for more config, @N for steps):");
        for (ShortForm f : CompressionRegistry.shortForms()) {
            lines.add("  " + f.usage() + " -> " + f.technique());
            lines.add("      " + f.meaning());
        }
        return lines.toArray(String[]::new);
    }

    /** --technique with its config as a one-stage recipe, or --recipe resolved; either validated here. */
    private Recipe recipe() {
        if (what.recipe != null) {
            if (config != null) {
                throw new GanCompressException("--config and --config-file configure --technique; a --recipe carries "
                        + "each stage's configuration");
            }
            return RecipeLibrary.resolve(what.recipe);
        }
        JsonNode node = readConfig();
        CompressionRegistry.create(what.technique, node); // the technique's own error, without a recipe around it
        Recipe recipe = new Recipe(what.technique, List.of(new Stage(what.technique, what.technique, node,
                StageTuning.INHERIT)));
        RecipeRules.check(recipe, "--technique " + what.technique);
        return recipe;
    }

    private JsonNode readConfig() {
        if (config == null) {
            return JSON.createObjectNode();
        }
        String text;
        String source;
        if (config.file != null) {
            source = "config file " + config.file;
            try {
                text = Files.readString(config.file);
            } catch (IOException e) {
                throw new GanCompressException("cannot read " + source + ": " + e.getMessage());
            }
        } else {
            source = "--config";
            text = config.json;
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new GanCompressException(source + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new GanCompressException(source + " must be a JSON object of " + what.technique
                    + "'s configuration fields, got " + text);
        }
        return node;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void printCost(String label, Model m) {
        long weights = 0;
        long nonZero = 0;
        for (var slot : m.weightSlots().values()) {
            if (slot.trainable()) {
                weights += slot.weights().size();
                nonZero += slot.weights().nonZeroCount();
            }
        }
        System.out.printf(Locale.ROOT, "%-20s params %,12d (non-zero %,12d)  MACs/image %,14d%n", label, weights,
                nonZero, m.macs());
    }
}

/** The registered techniques, for the help text: it lists what this build has, not what it had when written. */
final class TechniqueNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
        return new java.util.TreeSet<>(CompressionRegistry.names()).iterator();
    }
}
