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
    /**
     * Few rounds: each round runs every model twice at batch 64. On the bundled DCGAN teacher (30 M MACs, ~1,500
     * images/s in ORT on 2 cores) 9 models take ~0.5 s per round, so 15 rounds plus warm-up are ~10 s on idle cores and
     * stay under two minutes with the cores shared several times over; the pix2pix ResNet (34.9 M MACs) is alike.
     */
    static final int DEFAULT_ORT_ROUNDS = 15;
    static final int ORT_BATCH = 64;

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

    @Option(names = "--ort-rounds", defaultValue = "" + DEFAULT_ORT_ROUNDS,
            description = "Interleaved ONNX Runtime timing rounds (batch " + ORT_BATCH + ") of the teacher and every "
                    + "student of a seed, all in one process run once they exist; each model reports its median "
                    + "round. 0 skips the timing and leaves the ORT columns empty (default ${DEFAULT-VALUE}).")
    int ortRounds;

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
        if (ortRounds < 0) {
            throw new GanCompressException("--ort-rounds must be >= 0, got " + ortRounds);
        }
        if (ortRounds > 0 && !inputs.teacher.getFileName().toString().endsWith(".onnx")) {
            throw new GanCompressException("--teacher " + inputs.teacher + ": ONNX Runtime times the teacher's file, "
                    + "so it must be an .onnx file (or pass --ort-rounds 0)");
        }
        long started = System.nanoTime();
        List<List<ResultRow>> perSeed = new ArrayList<>();
        for (long trainingSeed : trainingSeeds) {
            Path dir = work.resolve("seed-" + trainingSeed);
            List<ResultRow> rows = run.run(t -> KdPruneComparison.entries(t, settings), steps, samples, trainingSeed,
                    dir);
            if (ortRounds > 0) {
                rows = run.timed(dir, rows, ORT_BATCH, ortRounds);
            }
            run.report(dir, "comparison-kd-prune", "Distillation vs pruning, training seed " + trainingSeed,
                    preamble(steps, rows, Double.NaN), rows, true);
            perSeed.add(rows);
        }
        double minutes = (System.nanoTime() - started) / 60e9;
        String summary = "# Distillation vs pruning, " + trainingSeeds.size() + " training seeds\n\n"
                + preamble(steps, perSeed.get(0), minutes) + "\n\n" + SeedSummaryTable.markdown(trainingSeeds, perSeed, true);
        Path file = work.resolve("comparison-kd-prune.md");
        AtomicFiles.writeString(file, summary);
        System.out.println(SeedSummaryTable.markdown(trainingSeeds, perSeed, true));
        System.out.println("wrote " + file + " (per seed: " + work.resolve("seed-N") + ")");
        return ExitCode.OK.code();
    }

    /** How the ORT columns were measured, or that they were not. */
    private static String ortSentence(List<ResultRow> rows) {
        ResultRow.OrtSpeed o = rows.get(0).ort();
        if (o == null) {
            return "ORT images/s: not timed (--ort-rounds 0).";
        }
        return String.format(Locale.ROOT, "ORT images/s: ONNX Runtime CPU on the files as written, batch %d, %d "
                + "threads, %d interleaved rounds of the teacher and every student of the seed in one process run, "
                + "median round per model; \"of teacher\" is the ratio to the teacher's images/s in the same run.",
                o.batch(), o.threads(), o.rounds());
    }

    private String preamble(long steps, List<ResultRow> rows, double minutes) {
        return String.format(Locale.ROOT, "Teacher %s; %d fine-tuning steps of batch 64 per student "
                        + "(adversarial loss against a copy of the teacher's discriminator; distillation adds output L1 "
                        + "x10 and feature matching x1). The two control rows are the uncompressed teacher fine-tuned "
                        + "with the same steps and losses. %s %s%s", inputs.teacher, steps,
                ComparisonRun.evaluationSentence(rows, samples), ortSentence(rows), Double.isNaN(minutes) ? ""
                        : String.format(Locale.ROOT, " Wall time of this run: %.1f min (students and evaluations "
                        + "found in %s were reused).", minutes, work));
    }
}
