package dev.gancompress.cli;

import dev.gancompress.pipeline.KdPruneComparison;
import dev.gancompress.report.ResultRow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "compare-kd-prune", mixinStandardHelpOptions = true,
        description = "Students at 1/2, 1/4 and 1/8 of the teacher's MACs by (a) channel pruning + fine-tune, "
                + "(b) distillation, (c) pruning-initialised distillation, with equal fine-tuning steps; writes "
                + "comparison.md/.json, a Pareto plot and a sample grid. Killed runs continue where they stopped.")
final class CompareKdPruneCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    VerifyOption verifyOption = new VerifyOption();

    @Option(names = "--teacher", defaultValue = "models/dcgan-fashion.onnx",
            description = "Teacher generator ONNX file (default ${DEFAULT-VALUE}).")
    Path teacher;

    @Option(names = "--teacher-d", defaultValue = "models/dcgan-fashion-d.onnx",
            description = "The teacher's discriminator ONNX file (default ${DEFAULT-VALUE}).")
    Path teacherD;

    @Option(names = "--evaluator", defaultValue = "models/evaluator-fashion.onnx",
            description = "Evaluator ONNX file made by train-evaluator (default ${DEFAULT-VALUE}).")
    Path evaluator;

    @Option(names = "--data", defaultValue = "fashion-mnist", description = "Fine-tuning data.") String data;

    @Option(names = "--reference", defaultValue = "fashion-mnist-test", description = "Real images for FID etc.")
    String reference;

    @Option(names = "--data-dir",
            description = "Where the Fashion-MNIST IDX files are (default: the Debian package's).")
    Path dataDir;

    @Option(names = "--steps", defaultValue = "300", description = "Fine-tuning steps per student (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--fractions", split = ",", defaultValue = "0.5,0.25,0.125",
            description = "MACs fractions of the teacher (default ${DEFAULT-VALUE}).")
    List<Double> fractions;

    @Option(names = "--samples", defaultValue = "10000", description = "Generated samples per model for FID etc.")
    int samples;

    @Option(names = "--seed", defaultValue = "1",
            description = "Seed of training, latent codes and metrics (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--work", defaultValue = "out/demo",
            description = "Work and output directory, shared with the demo so each student is trained once (default ${DEFAULT-VALUE}).")
    Path work;

    @Override
    public Integer call() throws Exception {
        KdPruneComparison.Settings settings = new KdPruneComparison.Settings(fractions, steps, 10.0, 1.0, 1.0);
        ComparisonRun run = new ComparisonRun(teacher, teacherD, evaluator, data, reference, dataDir, work, seed, verifyOption.verify());
        long started = System.nanoTime();
        List<ResultRow> rows = run.run(t -> KdPruneComparison.entries(t, settings), steps, samples);
        double minutes = (System.nanoTime() - started) / 60e9;
        String preamble = String.format(Locale.ROOT, "Teacher %s; %d fine-tuning steps of batch 64 per student "
                        + "(adversarial loss against a copy of the teacher's discriminator; distillation adds output L1 "
                        + "x10 and feature matching x1). %s Wall time of this run: %.1f min (students and evaluations "
                        + "found in %s were reused).", teacher, steps, ComparisonRun.evaluationSentence(rows, samples),
                minutes, work);
        run.report("comparison-kd-prune", "Distillation vs pruning", preamble, rows);
        return ExitCode.OK.code();
    }
}
