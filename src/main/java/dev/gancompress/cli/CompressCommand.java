package dev.gancompress.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.GanCompressException;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionContext;
import dev.gancompress.compress.CompressionRegistry;
import dev.gancompress.compress.FineTuneController;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Model;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.train.GanLoss;
import dev.gancompress.train.GanTrainer;
import dev.gancompress.train.ProgressBarHook;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import dev.gancompress.runtime.VerifiedModelWriter;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "compress", mixinStandardHelpOptions = true,
        description = "Apply one compression technique to a generator, fine-tune it against the teacher's "
                + "discriminator for --steps steps (resumable), and write the compressed generator as ONNX with "
                + "its provenance. The techniques are listed under --technique; each one's config fields are "
                + "listed when a config names an unknown field.")
final class CompressCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    VerifyOption verifyOption = new VerifyOption();

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--teacher", required = true, description = "Teacher generator ONNX file.")
    Path teacher;

    @Option(names = "--teacher-d", description = "The teacher's discriminator ONNX file (needed when --steps > 0).")
    Path teacherDiscriminator;

    @Option(names = "--technique", required = true, completionCandidates = TechniqueNames.class,
            description = "Registered technique: ${COMPLETION-CANDIDATES}.")
    String technique;

    static final class ConfigSource {
        @Option(names = "--config", description = "The technique's configuration as a JSON object.")
        String json;

        @Option(names = "--config-file", description = "A JSON file with the technique's configuration.")
        Path file;
    }

    @ArgGroup(exclusive = true)
    ConfigSource config;

    @Option(names = "--steps", defaultValue = "0", description = "Fine-tuning steps (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--out", required = true, description = "Compressed generator ONNX file to write.")
    Path out;

    @Option(names = "--resume", description = "Continue the fine-tuning from the checkpoint next to --out.")
    boolean resume;

    @Option(names = "--seed", defaultValue = "1",
            description = "Seed of the technique and the fine-tuning (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--data", defaultValue = "fashion-mnist",
            description = "Training images for fine-tuning (default ${DEFAULT-VALUE}); for an image-to-image "
                    + "teacher, paired data: edges-fashion-mnist or a folder of A|B images or of A/ and B/.")
    String data;

    @Option(names = "--data-dir", description = "Where the Fashion-MNIST IDX files are.")
    Path dataDir;

    @Option(names = "--batch-size", defaultValue = "64",
            description = "Fine-tuning batch size (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr-g", defaultValue = "2e-4",
            description = "Adam learning rate of the generator (default ${DEFAULT-VALUE}).")
    double lrG;

    @Option(names = "--lr-d", defaultValue = "2e-4",
            description = "Adam learning rate of the discriminator (default ${DEFAULT-VALUE}).")
    double lrD;

    @Option(names = "--freeze-d", description = "Keep the teacher's discriminator fixed during fine-tuning.")
    boolean freezeDiscriminator;

    @Option(names = "--checkpoint-every", defaultValue = "200",
            description = "Fine-tuning steps between checkpoints (default ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--evaluator", description = "Evaluator ONNX file, for distillation's perceptual loss.")
    Path evaluator;

    @Override
    public Integer call() throws IOException {
        JsonNode configJson = readConfig();
        Compression compression = CompressionRegistry.create(technique, configJson);
        FineTuning.Settings settings = new FineTuning.Settings(steps, batchSize, lrG, lrD, GanLoss.NON_SATURATING,
                1f, freezeDiscriminator, seed, checkpointEvery);
        if (steps > 0 && teacherDiscriminator == null) {
            throw new GanCompressException("--steps " + steps + " fine-tunes against the teacher's discriminator: "
                    + "pass --teacher-d");
        }
        Model teacherModel = ModelFiles.readTeacher(teacher);
        Model discriminator = teacherDiscriminator == null ? null : ModelFiles.read(teacherDiscriminator);
        ImageDataset dataset = steps == 0 ? null : TrainingData.open(data, dataDir, teacherModel);
        Path workDir = out.toAbsolutePath().resolveSibling(out.getFileName() + ".work");
        Model evaluatorModel = evaluator == null ? null : dev.gancompress.metrics.DomainEvaluator.load(evaluator).model();
        CompressionContext context = new CompressionContext(teacherModel, discriminator, dataset, evaluatorModel, seed,
                workDir);
        Model compressed = compression.apply(teacherModel, context);
        FineTuneController controller = compression.controller(compressed, context);
        settings = compression.fineTuneSettings(settings);
        printCost("teacher", teacherModel);
        printCost(technique, compressed);
        if (steps > 0) {
            Files.createDirectories(workDir);
            if (resume && !Files.exists(workDir.resolve(GanTrainer.CHECKPOINT_FILE))) {
                System.out.println("no checkpoint in " + workDir + ": starting the fine-tune from step 0");
            }
            GanTrainer.Result result = FineTuning.run(compressed, discriminator, dataset, settings, controller,
                    List.of(new ProgressBarHook("fine-tune " + technique)), workDir, resume);
            System.out.printf(Locale.ROOT, "fine-tuned %d steps (%d this run) in %.1f s%n", result.steps(),
                    result.stepsThisRun(), result.seconds());
            printCost("after fine-tuning", compressed);
        }
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("command", Main.invocation());
        provenance.put("technique", compression.name());
        provenance.put("technique_config", JSON.writeValueAsString(compression.config()));
        provenance.put("seed", Long.toString(seed));
        provenance.put("teacher_sha256", sha256(teacher));
        if (teacherDiscriminator != null) {
            provenance.put("teacher_d_sha256", sha256(teacherDiscriminator));
        }
        provenance.put("fine_tune_steps", Long.toString(steps));
        if (dataset != null) {
            provenance.put("dataset_sha256", dataset.contentHash());
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ModelFiles.report(out, VerifiedModelWriter.write(compressed.withName(teacherModel.name() + "-"
                + compression.name()), out, provenance, verifyOption.verify()));
        System.out.printf(Locale.ROOT, "wrote %s: params %.3fx, MACs %.3fx of the teacher%n", out,
                (double) compressed.parameterCount() / teacherModel.parameterCount(),
                (double) compressed.macs() / teacherModel.macs());
        return ExitCode.OK.code();
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
            throw new GanCompressException(source + " must be a JSON object of " + technique
                    + "'s configuration fields, got " + text);
        }
        return node;
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

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}

/** The registered techniques, for the help text: it lists what this build has, not what it had when written. */
final class TechniqueNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
        return new java.util.TreeSet<>(dev.gancompress.compress.CompressionRegistry.names()).iterator();
    }
}
