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
 * on the bundled models are ~1e-6. A model with quantised activations is checked within one step of its output grid
 * ({@link #tolerance}): ONNX Runtime's int8 kernels requantise from exact integer sums where the engine rounds float
 * sums, so a value within float rounding of a grid boundary may land one code apart.
 */
public final class OnnxVerification {
    public static final double FP32_TOLERANCE = 1e-4;
    public static final int BATCH = 8;
    public static final long SEED = 20_261_129L;

    /** What one check measured. */
    public record Result(double maxAbsDifference, double tolerance, int batch, int outputs, double seconds) {
        public String summary() {
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
        for (int i = 0; i < a.length; i++) {
            double diff = Math.abs((double) a[i] - b[i]);
            if (!(diff <= worst)) {
                worst = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff;
                worstIndex = i;
            }
        }
        double tolerance = tolerance(model);
        if (worst > tolerance) {
            throw new GanCompressException(String.format(Locale.ROOT, "not writing %s: ONNX Runtime and the engine "
                            + "disagree on a seeded batch: max |difference| %.3g at output value %d (engine %s, ORT %s), "
                            + "tolerance %.2g; the exported file would not compute what was measured (use --no-verify "
                            + "to write it anyway)", file, worst, worstIndex, a[worstIndex], b[worstIndex],
                    tolerance));
        }
        return new Result(worst, tolerance, BATCH, a.length, (System.nanoTime() - started) / 1e9);
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
