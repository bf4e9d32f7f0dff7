package dev.gancompress.cli;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.data.Datasets;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.metrics.DomainEvaluator;
import dev.gancompress.metrics.QualityEvaluation;
import dev.gancompress.model.Model;
import dev.gancompress.pipeline.DemoRecipes;
import dev.gancompress.pipeline.RecipeComparison;
import dev.gancompress.pipeline.RecipeRunner;
import dev.gancompress.report.ComparisonReport;
import dev.gancompress.report.ImageGrid;
import dev.gancompress.report.ResultRow;
import dev.gancompress.runtime.GeneratorSampler;
import dev.gancompress.train.ProgressBarHook;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The main job: sample the bundled teachers, compress the unconditional teacher with every "
                + "technique and combination (equal fine-tuning budgets), evaluate each, and write the report "
                + "(out/demo/report.md). Interrupted runs continue where they stopped.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--models", defaultValue = "models", description = "Folder of bundled models (default ${DEFAULT-VALUE}).")
    Path models;

    @Option(names = "--out", defaultValue = "out/demo", description = "Output and work folder (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--steps", defaultValue = "300", description = "Fine-tuning steps per recipe (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--samples", defaultValue = "10000", description = "Generated samples per model for FID etc.")
    int samples;

    @Option(names = "--data-dir") Path dataDir;

    @Option(names = "--seed", defaultValue = "1") long seed;

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
        Model teacher = ModelFiles.read(teacherFile);
        Model discriminator = ModelFiles.read(discriminatorFile);
        DomainEvaluator evaluator = DomainEvaluator.load(evaluatorFile);
        int[] image = teacher.outputShape().dims();
        ImageDataset train = Datasets.open(Datasets.FASHION_MNIST, dataDir, image[0], image[1], image[2],
                Datasets.Fit.PAD);
        ImageDataset test = Datasets.open(Datasets.FASHION_MNIST_TEST, dataDir, image[0], image[1], image[2],
                Datasets.Fit.PAD);
        evaluator.requireShape(test);
        RecipeRunner runner = new RecipeRunner(teacher, discriminator, train, evaluator.model(),
                FineTuning.Settings.defaults(steps, seed), out,
                Map.of("command", Main.invocation(), "teacher_sha256", DomainEvaluator.sha256(teacherFile)),
                name -> List.of(new ProgressBarHook("fine-tune " + name)));
        long started = System.nanoTime();
        List<ResultRow> rows = RecipeComparison.run(teacher, teacherFile.toString(), runner,
                () -> new QualityEvaluation(DomainEvaluator.load(evaluatorFile), test,
                        QualityEvaluation.Settings.defaults().withSamples(samples).withSeed(seed)),
                DemoRecipes.entries(teacher, steps), new EvaluationProgressBar());
        double minutes = (System.nanoTime() - started) / 60e9;
        List<Model> all = new ArrayList<>();
        all.add(teacher);
        for (ResultRow r : rows.subList(1, rows.size())) {
            all.add(ModelFiles.read(out.resolve(r.name()).resolve(RecipeRunner.OUTPUT)));
        }
        String preamble = String.format(Locale.ROOT, "Teacher %s (%,d parameters, %,d MACs/image). Every recipe is "
                        + "fine-tuned %d steps of batch 64 against a copy of the teacher's discriminator (distillation "
                        + "adds output L1 x10 and feature matching x1). Quality: %d generated samples vs the 10,000 "
                        + "Fashion-MNIST test images on evaluator %s (layer %s, test accuracy %.4f); fidelity: PSNR/SSIM "
                        + "to the teacher on the same latent codes. Cost: dense fp32 storage, batch 1, energy from "
                        + "the 45 nm table (Horowitz 2014). Wall time of this run: %.1f min.",
                teacherFile, teacher.parameterCount(), teacher.macs(), steps, samples, evaluatorFile,
                rows.get(0).quality().evaluator().layer(), rows.get(0).quality().evaluator().testAccuracy(), minutes);
        ComparisonReport.writeAll(out, "report", "gancompress demo report", preamble, rows, all, seed);
        System.out.println(ComparisonReport.markdown(rows));
        System.out.printf(Locale.ROOT, "wrote %s in %.1f min%n", out.resolve("report.md"), minutes);
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
