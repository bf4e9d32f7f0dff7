package dev.gancompress.pipeline;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.UncompressedControl;
import dev.gancompress.compress.lowrank.LowRankConfig;
import dev.gancompress.compress.lowrank.LowRankFactorization;
import dev.gancompress.compress.quantize.ActivationCalibration;
import dev.gancompress.compress.quantize.ActivationQuantizationConfig;
import dev.gancompress.compress.quantize.BatchNormFolding;
import dev.gancompress.compress.quantize.MixedPrecision;
import dev.gancompress.compress.quantize.PostTrainingQuantization;
import dev.gancompress.compress.quantize.QuantizationAwareTraining;
import dev.gancompress.compress.quantize.QuantizationConfig;
import dev.gancompress.metrics.DomainEvaluator;
import dev.gancompress.model.Model;
import dev.gancompress.report.DeploymentRow;
import dev.gancompress.report.ResultRow;
import dev.gancompress.runtime.OnnxThroughput;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The low-rank and lower-precision families side by side, each against the fp32 teacher: Tucker-2 at two MACs
 * budgets (fine-tuned), int8 and int4 weights after training (PTQ) and with quantisation-aware training (QAT),
 * ternary QAT, mixed precision under a weight-byte budget, and the int8 model ONNX Runtime runs on integer kernels
 * (int8 weights, calibrated uint8 activations), plus the uncompressed teacher fine-tuned for the
 * same steps as the control for what fine-tuning alone does. What each costs deployed is measured on the files
 * written: bytes on disk and ONNX Runtime images/s, every model timed in the same process run.
 */
public final class LowRankQuantComparison {
    /** The row whose ORT speed the goal is about: the int8 teacher in ONNX Runtime. */
    public static final String INT8_IN_ORT = "int8-ort";
    /** {@link #INT8_IN_ORT} with BatchNorm folded into the convolutions first. */
    public static final String INT8_IN_ORT_FOLDED = "int8-ort-folded";
    /** The goal for {@link #INT8_IN_ORT}: this speed-up over the fp32 teacher. */
    public static final double GOAL_SPEEDUP = 1.8;
    static final String THROUGHPUT_FILE = ComparisonThroughput.FILE;

    /**
     * Validated settings of the comparison.
     *
     * @param lowRankBudgets       MACs fractions of the teacher for the Tucker-2 rows, each in (0, 1)
     * @param fineTuneSteps        steps for the low-rank, QAT and control rows (the PTQ rows are not trained)
     * @param mixedPrecisionBudget weight bytes of the mixed-precision row as a fraction of fp32, in (0, 1]
     * @param calibrationSamples   latent codes the int8 activation ranges are measured on, >= 1
     */
    public record Settings(List<Double> lowRankBudgets, long fineTuneSteps, double mixedPrecisionBudget,
                           int calibrationSamples) {
        public Settings {
            if (lowRankBudgets == null || lowRankBudgets.isEmpty()) {
                throw new GanCompressException("the comparison needs at least one low-rank MACs budget");
            }
            for (double b : lowRankBudgets) {
                if (!(b > 0 && b < 1)) {
                    throw new GanCompressException("low-rank MACs budgets must be in (0, 1), got " + b);
                }
            }
            if (lowRankBudgets.stream().distinct().count() != lowRankBudgets.size()) {
                throw new GanCompressException("low-rank MACs budgets must be distinct, got " + lowRankBudgets);
            }
            if (fineTuneSteps < 0) {
                throw new GanCompressException("fine-tune steps must be >= 0, got " + fineTuneSteps);
            }
            if (!(mixedPrecisionBudget > 0 && mixedPrecisionBudget <= 1)) {
                throw new GanCompressException("mixed-precision budget must be a fraction of the fp32 weight bytes in "
                        + "(0, 1], got " + mixedPrecisionBudget);
            }
            if (calibrationSamples < 1 || calibrationSamples > ActivationQuantizationConfig.MAX_SAMPLES) {
                throw new GanCompressException("calibration samples must be from 1 to "
                        + ActivationQuantizationConfig.MAX_SAMPLES + ", got " + calibrationSamples);
            }
            lowRankBudgets = List.copyOf(lowRankBudgets);
        }

        /** The table: Tucker-2 at 0.5 and 0.75 of the MACs, mixed precision at 0.2, 256 calibration codes. */
        public static Settings defaults(long steps) {
            return new Settings(List.of(0.5, 0.75), steps, 0.2, 256);
        }
    }

    private LowRankQuantComparison() {
    }

    /** The rows of the table after the teacher, the same-budget control first. */
    public static List<ComparisonEntry> entries(Settings s) {
        long steps = s.fineTuneSteps();
        List<ComparisonEntry> list = new ArrayList<>();
        list.add(new ComparisonEntry(Recipe.of("control", steps, UncompressedControl.NAME,
                new UncompressedControl.Config()), "control: teacher + fine-tune", "1 (control)"));
        for (double b : s.lowRankBudgets()) {
            String budget = String.format(Locale.ROOT, "%.2f", b);
            list.add(new ComparisonEntry(Recipe.of("tucker2-" + budget, steps, LowRankFactorization.NAME,
                    LowRankConfig.ofMacsBudget(LowRankConfig.TUCKER2, b)), "low-rank Tucker-2 + fine-tune",
                    budget + " MACs"));
        }
        list.add(new ComparisonEntry(Recipe.of("ptq-int8", 0, PostTrainingQuantization.NAME,
                QuantizationConfig.integers(8)), "int8 weights, PTQ", "int8 weights"));
        list.add(new ComparisonEntry(new Recipe(INT8_IN_ORT, List.of(
                Stage.of(PostTrainingQuantization.NAME, QuantizationConfig.integers(8), StageTuning.steps(0)),
                Stage.of(ActivationCalibration.NAME, ActivationQuantizationConfig.percentile(s.calibrationSamples()),
                        StageTuning.steps(0)))),
                "int8 weights + activations, PTQ", "int8 in ORT"));
        // The same with BatchNorm folded first: ORT's int8 graph then has no float BatchNormalization islands
        // between its integer convolutions (README, "Int8 in ONNX Runtime").
        list.add(new ComparisonEntry(new Recipe(INT8_IN_ORT_FOLDED, List.of(
                Stage.of(BatchNormFolding.NAME, new BatchNormFolding.Config(), StageTuning.steps(0)),
                Stage.of(PostTrainingQuantization.NAME, QuantizationConfig.integers(8), StageTuning.steps(0)),
                Stage.of(ActivationCalibration.NAME, ActivationQuantizationConfig.percentile(s.calibrationSamples()),
                        StageTuning.steps(0)))),
                "BatchNorm folded, int8 weights + activations, PTQ", "int8 in ORT"));
        list.add(new ComparisonEntry(Recipe.of("qat-int8", steps, QuantizationAwareTraining.NAME,
                QuantizationAwareTraining.Config.of(8)), "int8 weights, QAT", "int8 weights"));
        list.add(new ComparisonEntry(Recipe.of("ptq-int4", 0, PostTrainingQuantization.NAME,
                QuantizationConfig.integers(4)), "int4 weights, PTQ", "int4 weights"));
        list.add(new ComparisonEntry(Recipe.of("qat-int4", steps, QuantizationAwareTraining.NAME,
                QuantizationAwareTraining.Config.of(4)), "int4 weights, QAT", "int4 weights"));
        list.add(new ComparisonEntry(Recipe.of("qat-ternary", steps, QuantizationAwareTraining.NAME,
                new QuantizationAwareTraining.Config(2, QuantizationConfig.TERNARY, null, null, null, null, null)),
                "ternary weights, QAT", "ternary weights"));
        String mp = String.format(Locale.ROOT, "%.2f", s.mixedPrecisionBudget());
        list.add(new ComparisonEntry(Recipe.of("mixed-" + mp, 0, MixedPrecision.NAME,
                MixedPrecision.Config.of(s.mixedPrecisionBudget())), "mixed precision (8/4/2 bits), post-training",
                mp + " of fp32 weight bytes"));
        return list;
    }

    /** The rows with their deployment cost, and the conditions ORT timed them under (threads, CPU and flags). */
    public record Deployment(List<DeploymentRow> rows, OnnxThroughput.Result throughput) {
        public Deployment {
            rows = List.copyOf(rows);
        }
    }

    /**
     * Bytes on disk and ONNX Runtime images/s for every row, all models timed in one run
     * ({@link ComparisonThroughput#measure}, cached in {@code <work>/throughput.json}) on the files as written; the
     * teacher is the first row and the reference of the speed ratios.
     *
     * @param files the ONNX file of each row by name, teacher first, in row order
     */
    public static Deployment deployment(List<ResultRow> rows, Map<String, Path> files, Model teacher,
                                                 Path work, int batch, int rounds, long seed) {
        Map<String, Path> ordered = new LinkedHashMap<>();
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (ResultRow r : rows) {
            Path f = files.get(r.name());
            if (f == null) {
                throw new GanCompressException("no ONNX file for row " + r.name());
            }
            ordered.put(r.name(), f);
            sizes.put(r.name(), size(f));
        }
        OnnxThroughput.Result measured = ComparisonThroughput.measure(ordered, teacher, work, batch, rounds, seed);
        double reference = measured.imagesPerSecond().get(rows.get(0).name());
        List<DeploymentRow> out = new ArrayList<>();
        for (ResultRow r : rows) {
            double ips = measured.imagesPerSecond().get(r.name());
            out.add(new DeploymentRow(r, sizes.get(r.name()), ips, ips / reference));
        }
        return new Deployment(out, measured);
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + f + ": " + e.getMessage(), e);
        }
    }
}
