package dev.gancompress.cli;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.data.Datasets;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.metrics.DomainEvaluator;
import dev.gancompress.metrics.QualityEvaluation;
import dev.gancompress.model.Model;
import dev.gancompress.pipeline.KdPruneComparison;
import dev.gancompress.pipeline.RecipeRunner;
import dev.gancompress.report.ComparisonReport;
import dev.gancompress.report.ResultRow;
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

@Command(name = "compare-kd-prune", mixinStandardHelpOptions = true,
        description = "Students at 1/2, 1/4 and 1/8 of the teacher's MACs by (a) channel pruning + fine-tune, "
                + "(b) distillation, (c) pruning-initialised distillation, with equal fine-tuning steps; writes "
                + "comparison.md/.json, a Pareto plot and a sample grid. Killed runs continue where they stopped.")
final class CompareKdPruneCommand implements Callable<Integer> {
    @Option(names = "--teacher", defaultValue = "models/dcgan-fashion.onnx") Path teacher;

    @Option(names = "--teacher-d", defaultValue = "models/dcgan-fashion-d.onnx") Path teacherD;

    @Option(names = "--evaluator", defaultValue = "models/evaluator-fashion.onnx") Path evaluator;

    @Option(names = "--data", defaultValue = "fashion-mnist", description = "Fine-tuning data.") String data;

    @Option(names = "--reference", defaultValue = "fashion-mnist-test", description = "Real images for FID etc.")
    String reference;

    @Option(names = "--data-dir") Path dataDir;

    @Option(names = "--steps", defaultValue = "300", description = "Fine-tuning steps per student (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--fractions", split = ",", defaultValue = "0.5,0.25,0.125",
            description = "MACs fractions of the teacher (default ${DEFAULT-VALUE}).")
    List<Double> fractions;

    @Option(names = "--samples", defaultValue = "10000", description = "Generated samples per model for FID etc.")
    int samples;

    @Option(names = "--seed", defaultValue = "1") long seed;

    @Option(names = "--work", defaultValue = "out/demo",
            description = "Work and output directory, shared with the demo so each student is trained once (default ${DEFAULT-VALUE}).")
    Path work;

    @Override
    public Integer call() throws Exception {
        KdPruneComparison.Settings settings = new KdPruneComparison.Settings(fractions, steps, 10.0, 1.0, 1.0);
        Model teacherModel = ModelFiles.read(teacher);
        Model discriminator = ModelFiles.read(teacherD);
        DomainEvaluator domain = DomainEvaluator.load(evaluator);
        int[] image = teacherModel.outputShape().dims();
        if (image.length != 3) {
            throw new GanCompressException("teacher " + teacher + " outputs " + teacherModel.outputShape()
                    + ", not an image [C, H, W]");
        }
        ImageDataset train = Datasets.open(data, dataDir, image[0], image[1], image[2], Datasets.Fit.PAD);
        ImageDataset real = Datasets.open(reference, dataDir, image[0], image[1], image[2], Datasets.Fit.PAD);
        domain.requireShape(real);
        Files.createDirectories(work);
        RecipeRunner runner = new RecipeRunner(teacherModel, discriminator, train, domain.model(),
                FineTuning.Settings.defaults(steps, seed), work,
                Map.of("command", Main.invocation(), "teacher_sha256", DomainEvaluator.sha256(teacher)),
                name -> List.of(new ProgressBarHook("fine-tune " + name)));
        long started = System.nanoTime();
        // the evaluator is read again once every student exists, so the numbers name the file as it is then
        List<ResultRow> rows = KdPruneComparison.run(teacherModel, teacher.toString(), runner,
                () -> new QualityEvaluation(DomainEvaluator.load(evaluator), real,
                        QualityEvaluation.Settings.defaults().withSamples(samples).withSeed(seed)), settings,
                new EvaluationProgressBar());
        double minutes = (System.nanoTime() - started) / 60e9;
        String preamble = String.format(Locale.ROOT, "Teacher %s; %d fine-tuning steps of batch 64 per student "
                        + "(adversarial loss against a copy of the teacher's discriminator; distillation adds output L1 x10 "
                        + "and feature matching x1); %d generated samples vs %d real test images, evaluator %s (%s, layer %s). "
                        + "Wall time of this run: %.1f min (students found in %s were reused).",
                teacher, steps, samples, rows.get(0).quality().reference().count(), evaluator,
                rows.get(0).quality().evaluator().sha256().substring(0, 12), rows.get(0).quality().evaluator().layer(),
                minutes, work);
        List<Model> models = new ArrayList<>();
        models.add(teacherModel);
        for (ResultRow r : rows.subList(1, rows.size())) {
            models.add(ModelFiles.read(work.resolve(r.name()).resolve(RecipeRunner.OUTPUT)));
        }
        ComparisonReport.writeAll(work, "comparison-kd-prune", "Distillation vs pruning", preamble, rows, models,
                seed);
        System.out.println(ComparisonReport.markdown(rows));
        System.out.printf(Locale.ROOT, "wrote %s/comparison-kd-prune.{md,json} with plots and samples "
                + "in %.1f min%n", work, minutes);
        return ExitCode.OK.code();
    }
}
