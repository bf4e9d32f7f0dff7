package dev.gancompress.cli;

import dev.gancompress.GanCompressException;
import dev.gancompress.pipeline.LowRankQuantComparison;
import dev.gancompress.report.DeploymentReport;
import dev.gancompress.report.ResultRow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "compare-lowrank-quant", mixinStandardHelpOptions = true,
        description = "Low-rank (Tucker-2 at two MACs budgets, fine-tuned), int8/int4 PTQ and QAT, ternary QAT, mixed "
                + "precision and the int8 model ONNX Runtime runs on integer kernels, against the fp32 teacher and a "
                + "same-budget fine-tuned control: FID with its interval, KID, precision/recall, PSNR/SSIM to the "
                + "teacher, bytes on disk, MACs, and ONNX Runtime images/s of every model timed in one run. Writes "
                + "comparison-lowrank-quant.md/.json, Pareto plots and a sample grid in --work. Killed runs continue "
                + "where they stopped.")
final class CompareLowRankQuantCommand implements Callable<Integer> {
    static final String STEM = "comparison-lowrank-quant";

    @picocli.CommandLine.Mixin
    VerifyOption verifyOption = new VerifyOption();

    @picocli.CommandLine.Mixin
    ComparisonInputs inputs = new ComparisonInputs();

    @Option(names = "--steps", defaultValue = "300",
            description = "Fine-tuning steps of the low-rank, QAT and control rows (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--lowrank-budgets", split = ",", defaultValue = "0.5,0.75",
            description = "MACs fractions of the teacher for the Tucker-2 rows (default ${DEFAULT-VALUE}).")
    List<Double> lowRankBudgets;

    @Option(names = "--mixed-budget", defaultValue = "0.2",
            description = "Weight bytes of the mixed-precision row, as a fraction of fp32 (default ${DEFAULT-VALUE}).")
    double mixedBudget;

    @Option(names = "--calibration-samples", defaultValue = "256",
            description = "Latent codes the int8 activation ranges are calibrated on (default ${DEFAULT-VALUE}).")
    int calibrationSamples;

    @Option(names = "--samples", defaultValue = "10000", description = "Generated samples per model for FID etc.")
    int samples;

    @Option(names = "--seed", defaultValue = "1",
            description = "Seed of the fine-tunes and of the evaluation's latent codes (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch", defaultValue = "64", description = "ORT batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--rounds", defaultValue = "25",
            description = "Alternating ORT timing rounds per model; each reports its median (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--work", defaultValue = "out/compare-lowrank-quant",
            description = "Work and output directory (default ${DEFAULT-VALUE}).")
    Path work;

    @Override
    public Integer call() throws Exception {
        // every option checked before a file is read or a model trained
        LowRankQuantComparison.Settings settings = new LowRankQuantComparison.Settings(lowRankBudgets, steps,
                mixedBudget, calibrationSamples);
        if (samples < 2) {
            throw new GanCompressException("--samples must be >= 2, got " + samples);
        }
        if (batch < 1 || rounds < 1) {
            throw new GanCompressException("--batch and --rounds must be >= 1, got " + batch + " and " + rounds);
        }
        if (!inputs.teacher.getFileName().toString().endsWith(".onnx")) {
            throw new GanCompressException("--teacher " + inputs.teacher + ": expected an .onnx file (its bytes on disk "
                    + "and its ONNX Runtime speed are the table's reference)");
        }
        long started = System.nanoTime();
        ComparisonRun run = inputs.open(work, seed, verifyOption.verify());
        ModelFiles.requireGenerator(run.teacher(), inputs.teacher);
        List<ResultRow> rows = run.run(t -> LowRankQuantComparison.entries(settings), steps, samples);
        run.reportDeployment(work, STEM, "Low-rank factorisation and lower precision against the fp32 teacher",
                deployed -> preamble(deployed, rows, (System.nanoTime() - started) / 60e9), rows, batch, rounds);
        return ExitCode.OK.code();
    }

    private String preamble(LowRankQuantComparison.Deployment deployed, List<ResultRow> rows, double minutes) {
        var ort = deployed.throughput();
        return String.format(Locale.ROOT, "Teacher %s. Fine-tuning: %d steps of batch 64 for the Tucker-2, QAT and "
                        + "control rows (the control is the uncompressed teacher fine-tuned with the same steps and "
                        + "adversarial loss; QAT trains an L1 distillation term at 1/100 of the generator learning "
                        + "rate); the PTQ and mixed-precision rows are not trained. %s Bytes on disk: the ONNX file "
                        + "as written (QDQ with integer initializers, int4 packed). ORT: ONNX Runtime CPU, batch %d, "
                        + "%d threads, %d alternating rounds of every model in one process, median round; CPU %s. %s Wall time "
                        + "of this run: %.1f min (students and evaluations found in %s were reused).",
                inputs.teacher, steps, ComparisonRun.evaluationSentence(rows, samples), ort.batch(), ort.threads(), ort.rounds(),
                ort.cpu(), DeploymentReport.goal(deployed.rows(),
                        LowRankQuantComparison.INT8_IN_ORT, LowRankQuantComparison.GOAL_SPEEDUP), minutes, work);
    }
}
