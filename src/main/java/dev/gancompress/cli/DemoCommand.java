package dev.gancompress.cli;

import dev.gancompress.GanCompressException;
import dev.gancompress.data.Datasets;
import dev.gancompress.model.Model;
import dev.gancompress.pipeline.DemoRecipes;
import dev.gancompress.report.ImageGrid;
import dev.gancompress.report.ResultRow;
import dev.gancompress.runtime.GeneratorSampler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The main job: sample the bundled teachers, compress the unconditional teacher with every "
                + "technique and combination (equal fine-tuning budgets), evaluate each, and write the report "
                + "(out/demo/report.md). Interrupted runs continue where they stopped.")
final class DemoCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    VerifyOption verifyOption = new VerifyOption();

    @Option(names = "--models", defaultValue = "models", description = "Folder of bundled models (default ${DEFAULT-VALUE}).")
    Path models;

    @Option(names = "--out", defaultValue = "out/demo", description = "Output and work folder (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--steps", defaultValue = "300", description = "Fine-tuning steps per recipe (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--samples", defaultValue = "10000", description = "Generated samples per model for FID etc.")
    int samples;

    @Option(names = "--data-dir",
            description = "Where the Fashion-MNIST IDX files are (default: the Debian package's).")
    Path dataDir;

    @Option(names = "--seed", defaultValue = "1",
            description = "Seed of training, latent codes and metrics (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        Path teacherFile = require("dcgan-fashion.onnx", "the unconditional teacher generator");
        Path discriminatorFile = require("dcgan-fashion-d.onnx", "its discriminator");
        Path evaluatorFile = require("evaluator-fashion.onnx", "the Fashion-MNIST evaluator");
        Files.createDirectories(out);
        for (String name : new String[] {"dcgan-fashion", "cdcgan-fashion"}) {
            Path file = models.resolve(name + ".onnx");
            if (Files.exists(file)) {
                Model teacher = ModelFiles.read(file);
                GeneratorSampler sampler = new GeneratorSampler(teacher);
                int[] s = sampler.imageShape();
                Path grid = out.resolve(name + "-samples.png");
                ImageGrid.write(sampler.generate(seed, 100, 100), 100, s[0], s[1], s[2], 10, 2, grid);
                System.out.printf(Locale.ROOT, "%s: %,d parameters, %,d MACs/image -> %s%n", name,
                        teacher.parameterCount(), teacher.macs(), grid);
            }
        }
        ComparisonRun run = new ComparisonRun(teacherFile, discriminatorFile, evaluatorFile, Datasets.FASHION_MNIST,
                Datasets.FASHION_MNIST_TEST, dataDir, out, seed, verifyOption.verify());
        Model teacher = run.teacher();
        long started = System.nanoTime();
        List<ResultRow> rows = run.run(t -> DemoRecipes.entries(t, steps), steps, samples);
        double minutes = (System.nanoTime() - started) / 60e9;
        String preamble = String.format(Locale.ROOT, "Teacher %s (%,d parameters, %,d MACs/image). Every recipe is "
                        + "fine-tuned %d steps of batch 64 against a copy of the teacher's discriminator (distillation "
                        + "adds output L1 x10 and feature matching x1). %s Cost: dense fp32 storage, batch 1, energy "
                        + "from the 45 nm table (Horowitz 2014). Wall time of this run: %.1f min.",
                teacherFile, teacher.parameterCount(), teacher.macs(), steps,
                ComparisonRun.evaluationSentence(rows, samples), minutes);
        run.report("report", "gancompress demo report", preamble, rows);
        return ExitCode.OK.code();
    }

    private Path require(String name, String what) {
        Path file = models.resolve(name);
        if (!Files.exists(file)) {
            throw new GanCompressException("missing " + what + " " + file + " (the README says which command makes it)");
        }
        return file;
    }
}
