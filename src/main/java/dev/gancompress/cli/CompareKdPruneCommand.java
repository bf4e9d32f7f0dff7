package dev.gancompress.cli;

import dev.gancompress.AtomicFiles;
import dev.gancompress.GanCompressException;
import dev.gancompress.pipeline.KdPruneComparison;
import dev.gancompress.report.SeedSummaryTable;
import dev.gancompress.report.ResultRow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
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

    @picocli.CommandLine.Mixin
    ComparisonInputs inputs = new ComparisonInputs();

    @Option(names = "--steps", defaultValue = "300", description = "Fine-tuning steps per student (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--fractions", split = ",", defaultValue = "0.5,0.25,0.125",
            description = "MACs fractions of the teacher (default ${DEFAULT-VALUE}).")
    List<Double> fractions;

    @Option(names = "--samples", defaultValue = "10000", description = "Generated samples per model for FID etc.")
    int samples;

    @Option(names = "--seed", defaultValue = "1",
            description = "Seed of the evaluation's latent codes (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--training-seeds", split = ",", defaultValue = "1,2,3",
            description = "Fine-tune every student once per seed, in <work>/seed-N, and summarise mean and range "
                    + "over seeds (default ${DEFAULT-VALUE}).")
    List<Long> trainingSeeds;

    @Option(names = "--work", defaultValue = "out/demo",
            description = "Work and output directory, shared with the demo so each student is trained once (default ${DEFAULT-VALUE}).")
    Path work;

    @Override
    public Integer call() throws Exception {
        KdPruneComparison.Settings settings = new KdPruneComparison.Settings(fractions, steps, 10.0, 1.0, 1.0);
        ComparisonRun run = inputs.open(work, seed, verifyOption.verify());
        if (trainingSeeds.isEmpty() || trainingSeeds.stream().distinct().count() != trainingSeeds.size()) {
            throw new GanCompressException("--training-seeds must list distinct seeds, got " + trainingSeeds);
        }
        long started = System.nanoTime();
        List<List<ResultRow>> perSeed = new ArrayList<>();
        for (long trainingSeed : trainingSeeds) {
            Path dir = work.resolve("seed-" + trainingSeed);
            List<ResultRow> rows = run.run(t -> KdPruneComparison.entries(t, settings), steps, samples, trainingSeed,
                    dir);
            run.report(dir, "comparison-kd-prune", "Distillation vs pruning, training seed " + trainingSeed,
                    preamble(steps, rows, Double.NaN), rows);
            perSeed.add(rows);
        }
        double minutes = (System.nanoTime() - started) / 60e9;
        String summary = "# Distillation vs pruning, " + trainingSeeds.size() + " training seeds\n\n"
                + preamble(steps, perSeed.get(0), minutes) + "\n\n" + SeedSummaryTable.markdown(trainingSeeds, perSeed);
        Path file = work.resolve("comparison-kd-prune.md");
        AtomicFiles.writeString(file, summary);
        System.out.println(SeedSummaryTable.markdown(trainingSeeds, perSeed));
        System.out.println("wrote " + file + " (per seed: " + work.resolve("seed-N") + ")");
        return ExitCode.OK.code();
    }

    private String preamble(long steps, List<ResultRow> rows, double minutes) {
        return String.format(Locale.ROOT, "Teacher %s; %d fine-tuning steps of batch 64 per student "
                        + "(adversarial loss against a copy of the teacher's discriminator; distillation adds output L1 "
                        + "x10 and feature matching x1). The two control rows are the uncompressed teacher fine-tuned "
                        + "with the same steps and losses. %s%s", inputs.teacher, steps,
                ComparisonRun.evaluationSentence(rows, samples), Double.isNaN(minutes) ? ""
                        : String.format(Locale.ROOT, " Wall time of this run: %.1f min (students and evaluations "
                        + "found in %s were reused).", minutes, work));
    }
}
