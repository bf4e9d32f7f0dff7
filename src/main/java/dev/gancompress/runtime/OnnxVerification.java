package dev.gancompress.runtime;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Input;
import dev.gancompress.model.ActivationQuantization;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.nn.Initializer;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Checks that ONNX Runtime computes what the engine computes for a model's exported bytes: both run one seeded
 * batch, and the largest absolute difference of the outputs must stay within the tolerance. This is the
 * promise behind every file gancompress writes: a model that passed here runs the same wherever ORT runs.
 *
 * <p>Inputs by kind: latent codes standard normal, images uniform in [-1, 1] (the generators' tanh range),
 * labels cycling through the classes, so conditional paths and every class embedding are exercised.
 * The tolerance 1e-4 is for fp32 graphs: the engine and ORT sum in different orders, and measured differences
 * on the bundled models are ~1e-6.
 *
 * <p>A model with quantised activations cannot agree to float precision: ONNX Runtime's int8 kernels requantise
 * from exact integer sums where the engine rounds float sums, so a value within float rounding of a grid boundary
 * lands one code apart, and the layers after it carry that flip on (measured on the bundled teacher, int8 with
 * BatchNorm folded, batch 64: 97 of 50,176 outputs one to three output steps off, mean 0.017 steps; unfolded 4 of
 * 50,176). Such flips are sporadic; a real fault (a wrong scale, zero point, layout or weight) moves most outputs.
 * So the quantised check ({@link #quantisedDisagreement}) bounds how many outputs may be off by more than one step
 * of the output grid ({@link #tolerance}), the mean difference, and the largest one; any activation grid of the
 * bundled int8 teacher scaled by 10% in the engine alone breaks at least one of the bounds (tested).
 */
public final class OnnxVerification {
    public static final double FP32_TOLERANCE = 1e-4;
    public static final int BATCH = 8;
    public static final long SEED = 20_261_129L;
    /** Quantised models: at most this share of outputs may differ by more than one output step... */
    public static final double MAX_SHARE_BEYOND_ONE_STEP = 0.005;
    /** ...the mean difference must stay below this many steps (a systematic offset of a step fails)... */
    public static final double MAX_MEAN_STEPS = 0.05;
    /** ...and no output may be further off than this many steps. */
    public static final double MAX_STEPS = 8;

    /**
     * What one check measured.
     *
     * @param tolerance       fp32: the largest allowed difference; quantised: one step of the output grid
     * @param shareBeyondStep the share of outputs further apart than {@code tolerance} (0 for a passing fp32 model)
     * @param meanDifference  the mean absolute difference
     */
    public record Result(double maxAbsDifference, double tolerance, int batch, int outputs, double seconds,
                         boolean quantised, double shareBeyondStep, double meanDifference) {
        public String summary() {
            if (quantised) {
                return String.format(Locale.ROOT, "ONNX Runtime agrees with the engine on int8 activations: %.3f%% of "
                        + "outputs more than one output step (%.2e) apart, mean %.3f steps, max %.2f steps, on a "
                        + "seeded batch of %d (%.2f s)", 100 * shareBeyondStep, tolerance, meanDifference / tolerance,
                        maxAbsDifference / tolerance, batch, seconds);
            }
            return String.format(Locale.ROOT, "ONNX Runtime agrees with the engine: max |difference| %.2e <= %.1e on "
                    + "a seeded batch of %d (%.2f s)", maxAbsDifference, tolerance, batch, seconds);
        }
    }

    private OnnxVerification() {
    }

    /**
     * Runs the engine on {@code model} and ORT on {@code onnxBytes}; throws a {@link GanCompressException} naming
     * {@code file} when they disagree beyond the tolerance or ORT cannot run the bytes.
     */
    public static Result check(Model model, byte[] onnxBytes, String file) {
        long started = System.nanoTime();
        Map<String, Tensor> feeds = seededBatch(model);
        Tensor engine = new Network(model).forward(feeds, false);
        Tensor ort;
        try (OnnxRuntimeBackend backend = new OnnxRuntimeBackend(onnxBytes, 1)) {
            ort = backend.run(feeds);
        } catch (GanCompressException e) {
            throw new GanCompressException("not writing " + file + ": ONNX Runtime cannot run the exported model ("
                    + e.getMessage() + "); use --no-verify to write it anyway", e);
        }
        float[] a = engine.data();
        float[] b = ort.data();
        if (a.length != b.length) {
            throw new GanCompressException("not writing " + file + ": ONNX Runtime returns " + b.length
                    + " output values, the engine " + a.length + "; use --no-verify to write it anyway");
        }
        double worst = 0;
        int worstIndex = -1;
        double sum = 0;
        int beyond = 0;
        double tolerance = tolerance(model);
        for (int i = 0; i < a.length; i++) {
            double diff = Math.abs((double) a[i] - b[i]);
            if (Double.isNaN(diff)) {
                diff = Double.POSITIVE_INFINITY;
            }
            sum += diff;
            if (diff > tolerance) {
                beyond++;
            }
            if (diff > worst || worstIndex < 0) {
                worst = diff;
                worstIndex = i;
            }
        }
        boolean quantised = !model.quantizedActivations().isEmpty();
        double share = a.length == 0 ? 0 : (double) beyond / a.length;
        double mean = a.length == 0 ? 0 : sum / a.length;
        if (quantised) {
            String why = quantisedDisagreement(share, mean, worst, tolerance);
            if (why != null) {
                throw new GanCompressException(String.format(Locale.ROOT, "not writing %s: ONNX Runtime and the "
                        + "engine disagree on a seeded batch beyond int8 rounding: %s (largest at output value %d: "
                        + "engine %s, ORT %s; one output step %.2g); the exported file would not compute what was "
                        + "measured (use --no-verify to write it anyway)", file, why, worstIndex, a[worstIndex],
                        b[worstIndex], tolerance));
            }
            return new Result(worst, tolerance, BATCH, a.length, (System.nanoTime() - started) / 1e9, true, share,
                    mean);
        }
        if (worst > tolerance) {
            throw new GanCompressException(String.format(Locale.ROOT, "not writing %s: ONNX Runtime and the engine "
                            + "disagree on a seeded batch: max |difference| %.3g at output value %d (engine %s, ORT %s), "
                            + "tolerance %.2g; the exported file would not compute what was measured (use --no-verify "
                            + "to write it anyway)", file, worst, worstIndex, a[worstIndex], b[worstIndex],
                    tolerance));
        }
        return new Result(worst, tolerance, BATCH, a.length, (System.nanoTime() - started) / 1e9, false, 0, mean);
    }

    /**
     * Why a quantised model's outputs disagree beyond sporadic rounding flips, or null when they agree: more than
     * {@link #MAX_SHARE_BEYOND_ONE_STEP} of the outputs over one step apart, a mean difference over
     * {@link #MAX_MEAN_STEPS} steps, or any output over {@link #MAX_STEPS} steps apart.
     */
    static String quantisedDisagreement(double shareBeyondStep, double meanDifference, double maxDifference,
                                        double step) {
        if (!(maxDifference <= MAX_STEPS * step)) {
            return String.format(Locale.ROOT, "max |difference| %.3g is over %.0f output steps", maxDifference,
                    MAX_STEPS);
        }
        if (shareBeyondStep > MAX_SHARE_BEYOND_ONE_STEP) {
            return String.format(Locale.ROOT, "%.2f%% of the outputs are more than one output step apart (at most "
                    + "%.1f%% allowed)", 100 * shareBeyondStep, 100 * MAX_SHARE_BEYOND_ONE_STEP);
        }
        if (!(meanDifference <= MAX_MEAN_STEPS * step)) {
            return String.format(Locale.ROOT, "the mean |difference| is %.3f output steps (at most %.2f allowed)",
                    meanDifference / step, MAX_MEAN_STEPS);
        }
        return null;
    }

    /**
     * {@link #FP32_TOLERANCE} for a float model; with quantised activations, one step of the grid nearest to the
     * output (following first inputs back from it): the output activation scale. The layers after that grid (Tanh,
     * Sigmoid, ReLU) have slopes of at most 1, so they do not widen a one-step difference.
     */
    public static double tolerance(Model model) {
        if (model.quantizedActivations().isEmpty()) {
            return FP32_TOLERANCE;
        }
        Map<String, Node> producers = new LinkedHashMap<>();
        model.nodes().forEach(n -> producers.put(n.name(), n));
        String value = model.output();
        while (value != null) {
            ActivationQuantization grid = model.quantizedActivations().get(value);
            if (grid != null) {
                return Math.max(FP32_TOLERANCE, grid.scale());
            }
            Node producer = producers.get(value);
            value = producer == null || producer.inputs().isEmpty() ? null : producer.inputs().get(0);
        }
        return Math.max(FP32_TOLERANCE, model.quantizedActivations().values().stream()
                .mapToDouble(ActivationQuantization::scale).max().orElse(0));
    }

    static Map<String, Tensor> seededBatch(Model model) {
        SplittableRandom rnd = new SplittableRandom(SEED);
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (Input in : model.inputs()) {
            int[] dims = in.shape().dims();
            int[] shape = new int[dims.length + 1];
            shape[0] = BATCH;
            System.arraycopy(dims, 0, shape, 1, dims.length);
            float[] data = new float[BATCH * Math.max(1, in.shape().size())];
            switch (in.kind()) {
                case LATENT -> {
                    for (int i = 0; i < data.length; i++) {
                        data[i] = (float) Initializer.gaussian(rnd);
                    }
                }
                case IMAGE -> {
                    for (int i = 0; i < data.length; i++) {
                        data[i] = (float) (rnd.nextDouble() * 2 - 1);
                    }
                }
                case LABEL -> {
                    data = new float[BATCH];
                    for (int i = 0; i < BATCH; i++) {
                        data[i] = i % in.numClasses();
                    }
                }
            }
            feeds.put(in.name(), new Tensor(shape, data));
        }
        return feeds;
    }
}
