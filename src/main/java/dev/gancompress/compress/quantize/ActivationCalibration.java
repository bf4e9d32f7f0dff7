package dev.gancompress.compress.quantize;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionContext;
import dev.gancompress.model.Activation;
import dev.gancompress.model.ActivationQuantization;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.nn.Initializer;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Post-training activation quantisation: runs the model on seeded calibration inputs, measures the range of the
 * input and output of each selected Linear, Conv2d and ConvTranspose2d (min/max or a percentile), and records a uint8
 * grid for each in {@link Model#quantizedActivations()}. With int8 weights (ptq-weights first) this is the QDQ
 * pattern ONNX Runtime runs as QLinearConv/QGemm, a Conv or Gemm whose input, weight and output are all quantised
 * (Jacob et al. 2018; calibration as in TensorRT and ONNX Runtime's static quantisation); the exporter writes
 * ConvTranspose in its sub-pixel Conv form for it. The model output stays float: the last grid is the input of the
 * final activation.
 *
 * <p>Calibration inputs: latent codes standard normal, labels cycling through the classes, all from the recipe's seed.
 * An image-to-image generator (pix2pix) is calibrated on the task's own inputs when the stage has paired training
 * data: a seeded sample of the pairs' input images (e.g. edge maps), since ranges measured on other images (noise)
 * misplace the grid for the images the model will see. Only without data does it draw images uniform in [-1, 1];
 * the output's metadata ({@value #INPUTS_KEY}) says which. Layer names are checked before any forward pass.
 */
public final class ActivationCalibration implements Compression {
    public static final String NAME = "ptq-activations";
    /** Metadata key naming the calibration inputs: the data set sampled, or random images. */
    public static final String INPUTS_KEY = "activation_calibration_inputs";
    private static final int BATCH = 64;

    private final ActivationQuantizationConfig config;

    public ActivationCalibration(ActivationQuantizationConfig config) {
        this.config = config;
    }

    @Override
    public Phase phase() {
        return Phase.QUANTIZE;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ActivationQuantizationConfig config() {
        return config;
    }

    /**
     * The static int8 model ONNX Runtime runs on integer kernels: weights int8 symmetric per output channel
     * (ptq-weights), then activations calibrated with {@code config} on latent codes from {@code seed}.
     */
    public static Model int8(Model fp32, ActivationQuantizationConfig config, long seed) {
        CompressionContext context = new CompressionContext(fp32, null, null, null, seed, null);
        Model weights = new PostTrainingQuantization(QuantizationConfig.integers(8)).apply(fp32, context);
        return new ActivationCalibration(config).apply(weights, context);
    }

    @Override
    public Model apply(Model model, CompressionContext context) {
        List<Node> targets = targets(model);
        Set<String> values = new LinkedHashSet<>();
        for (Node n : targets) {
            values.add(n.inputs().get(0));
            values.add(n.name());
        }
        values.remove(model.output());
        Model copy = model.copy();
        long seed = context == null ? 0 : context.seed();
        CalibrationImages images = CalibrationImages.of(copy, context == null ? null : context.data(),
                config.calibrationSamples(), seed);
        Map<String, ActivationRanges> ranges = calibrate(copy, values, seed, images);
        Map<String, ActivationQuantization> grids = new LinkedHashMap<>(copy.quantizedActivations());
        ranges.forEach((value, r) -> {
            float[] range = config.calibration().equals(ActivationQuantizationConfig.MINMAX)
                    ? new float[] {r.min(), r.max()} : r.percentileRange(config.percentile());
            float limit = saturationLimit(copy, value);
            grids.put(value, ActivationQuantization.ofRange(Math.max(range[0], -limit), Math.min(range[1], limit)));
        });
        return copy.withQuantizedActivations(grids).withMetadata(Map.of("activation_quantization",
                config.describe() + ": " + String.join(", ", grids.keySet()), INPUTS_KEY, images != null
                        ? images.describe() : copy.input(Input.Kind.LATENT) == null
                        && copy.input(Input.Kind.IMAGE) != null ? "random images uniform in [-1, 1] from seed " + seed
                        + " (no training data)" : "latent codes from seed " + seed));
    }

    /**
     * Where the value's consumers stop changing: beyond |x| = 4 tanh is within 7e-4 of +-1, beyond 8 the sigmoid
     * within 4e-4 of 0 or 1, both under half an 8-bit step of their outputs; infinite when any consumer is not such an
     * activation. A generator's pre-tanh logits reach -150 on its background, and a grid spanning that would spend
     * 97 % of its codes where tanh is flat and leave steps of 0.6 where it is steep (PSNR 28 dB on the bundled
     * teacher); clipping there costs nothing after the activation.
     */
    static float saturationLimit(Model model, String value) {
        List<Node> consumers = model.consumers(value);
        float limit = 0;
        for (Node c : consumers) {
            if (!(c.layer() instanceof Activation a)) {
                return Float.POSITIVE_INFINITY;
            }
            switch (a.function()) {
                case TANH -> limit = Math.max(limit, 4f);
                case SIGMOID -> limit = Math.max(limit, 8f);
                default -> {
                    return Float.POSITIVE_INFINITY;
                }
            }
        }
        return consumers.isEmpty() ? Float.POSITIVE_INFINITY : limit;
    }

    /** The nodes whose activations to quantise: the named ones (each must exist and be eligible), else all. */
    List<Node> targets(Model model) {
        List<Node> eligible = model.nodes().stream().filter(ActivationCalibration::eligible).toList();
        for (String name : config.layers()) {
            if (eligible.stream().noneMatch(n -> n.name().equals(name))) {
                boolean exists = model.nodes().stream().anyMatch(n -> n.name().equals(name));
                throw new GanCompressException("activation quantization configuration: field 'layers': "
                        + (exists ? "node '" + name + "' is not a Linear, Conv2d or ConvTranspose2d"
                        : "no node named '" + name + "'") + " in model " + model.name() + "; quantisable: "
                        + eligible.stream().map(Node::name).collect(Collectors.joining(", ")));
            }
        }
        return eligible.stream().filter(n -> config.layers().isEmpty() || config.layers().contains(n.name()))
                .toList();
    }

    private static boolean eligible(Node n) {
        return n.layer() instanceof Linear || n.layer() instanceof Conv2d || n.layer() instanceof ConvTranspose2d;
    }

    /** Two passes over the same seeded batches: ranges, then (for percentiles) histograms. */
    private Map<String, ActivationRanges> calibrate(Model model, Set<String> values, long seed,
                                                    CalibrationImages images) {
        Map<String, ActivationRanges> ranges = new LinkedHashMap<>();
        values.forEach(v -> ranges.put(v, new ActivationRanges()));
        Network net = new Network(model);
        boolean histogram = config.calibration().equals(ActivationQuantizationConfig.PERCENTILE);
        for (int pass = 0; pass < (histogram ? 2 : 1); pass++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int done = 0; done < config.calibrationSamples(); done += BATCH) {
                int n = Math.min(BATCH, config.calibrationSamples() - done);
                Map<String, Tensor> feeds = inputs(model, n, done, rnd);
                if (images != null) {
                    images.fill(feeds.get(images.input()), done);
                }
                net.forward(feeds, false);
                for (Map.Entry<String, ActivationRanges> e : ranges.entrySet()) {
                    float[] v = net.value(e.getKey()).data();
                    if (pass == 0) {
                        e.getValue().observeRange(v);
                    } else {
                        e.getValue().observeHistogram(v);
                    }
                }
            }
        }
        return ranges;
    }

    /** One calibration batch; {@code offset} numbers the samples so labels cycle across batches. */
    static Map<String, Tensor> inputs(Model model, int n, int offset, SplittableRandom rnd) {
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (Input in : model.inputs()) {
            List<Integer> dims = new ArrayList<>(List.of(n));
            for (int d : in.shape().dims()) {
                dims.add(d);
            }
            int[] shape = dims.stream().mapToInt(Integer::intValue).toArray();
            float[] data = new float[n * Math.max(1, in.shape().size())];
            for (int i = 0; i < data.length; i++) {
                data[i] = switch (in.kind()) {
                    case LATENT -> (float) Initializer.gaussian(rnd);
                    case IMAGE -> (float) (rnd.nextDouble() * 2 - 1);
                    case LABEL -> (offset + i) % in.numClasses();
                };
            }
            feeds.put(in.name(), new Tensor(shape, data));
        }
        return feeds;
    }
}
