package dev.gancompress.compress.quantize;

import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionContext;
import dev.gancompress.compress.ConfigFields;
import dev.gancompress.metrics.CostModel;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Mixed-precision weight quantisation: a sensitivity scan quantises one layer at a time to each candidate width
 * and measures the output's drop in PSNR against the unquantised model ({@link LayerSensitivity}), then
 * {@link BitAllocation} picks the widths that lose least under a budget on the stored weight bytes, and ptq-weights
 * applies them layer by layer. The choice (bits and PSNR per layer, the bytes reached) is written to the model's
 * metadata, which the pipeline carries into the ONNX provenance. Fine-tuning afterwards trains through the chosen
 * grids as after ptq-weights.
 *
 * <p>The budget is checked against the smallest reachable size before the scan runs, and every layer name before
 * anything at all.
 */
public final class MixedPrecision implements Compression {
    public static final String NAME = "mixed-precision";
    public static final String METADATA_KEY = "mixed_precision";

    /**
     * Validated settings; round-trip to JSON. A missing (null) field takes its default.
     *
     * @param budget      stored weight bytes of the whole model as a fraction of its fp32 bytes, in (0, 1]; default
     *                    0.2 (int8 everywhere is about 0.25)
     * @param bits        candidate widths, distinct, each in {1, 2, 4, 8, 16}; default [8, 4, 2]
     * @param granularity "per-channel" (default) or "per-tensor" for the integer widths
     * @param layers      the layers to choose widths for (default: every quantisable one); the others stay as
     *                    they are and count in the budget as stored
     * @param samples     latent codes in the scan's batch, >= 1; default 64
     */
    public record Config(Double budget, List<Integer> bits, String granularity, List<String> layers, Integer samples) {
        public static final List<Integer> DEFAULT_BITS = List.of(8, 4, 2);

        public Config {
            budget = budget == null ? 0.2 : budget;
            require(budget > 0 && budget <= 1, "budget", "a fraction of the fp32 weight bytes in (0, 1]", budget);
            bits = bits == null ? DEFAULT_BITS : List.copyOf(bits);
            require(!bits.isEmpty() && bits.stream().allMatch(QuantizationConfig.BITS::contains)
                            && new HashSet<>(bits).size() == bits.size(), "bits",
                    "a non-empty list of distinct widths from " + QuantizationConfig.BITS, bits);
            granularity = granularity == null ? QuantizationConfig.PER_CHANNEL : granularity;
            require(QuantizationConfig.GRANULARITIES.contains(granularity), "granularity",
                    "one of " + String.join(", ", QuantizationConfig.GRANULARITIES), "'" + granularity + "'");
            layers = ConfigFields.layerNames(layers, NAME);
            samples = samples == null ? 64 : samples;
            require(samples >= 1, "samples", "an integer >= 1", samples);
        }

        public static Config of(double budget) {
            return new Config(budget, null, null, null, null);
        }

        private static void require(boolean ok, String field, String expected, Object got) {
            ConfigFields.require(ok, NAME, field, expected, got);
        }
    }

    /** The widths chosen, per layer in graph order, with each one's PSNR when quantised alone. */
    public record Assignment(Map<String, Integer> bits, Map<String, Double> psnrAlone, double budget,
                             double reachedFraction) {
        public Assignment {
            bits = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(bits));
            psnrAlone = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(psnrAlone));
        }

        /** "budget 0.2, reached 0.1934 of fp32 weight bytes; fc 4 bits (41.2 dB alone), up1 8 bits (...), ..." */
        public String describe() {
            StringJoiner layers = new StringJoiner(", ");
            bits.forEach((layer, b) -> layers.add(String.format(Locale.ROOT, "%s %d bit%s (%.1f dB alone)", layer, b,
                    b == 1 ? "" : "s", psnrAlone.get(layer))));
            return String.format(Locale.ROOT, "budget %s, reached %.4f of fp32 weight bytes; %s", budget,
                    reachedFraction, layers);
        }
    }

    private final Config config;

    public MixedPrecision(Config config) {
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
    public Config config() {
        return config;
    }

    @Override
    public Model apply(Model model, CompressionContext context) {
        Assignment assignment = choose(model, context == null ? 0 : context.seed());
        Model m = model;
        for (Map.Entry<String, Integer> e : assignment.bits().entrySet()) {
            m = LayerSensitivity.quantizeAll(m, e.getValue(), config.granularity(), List.of(e.getKey()));
        }
        return m.withMetadata(Map.of(METADATA_KEY, assignment.describe(), "quantization",
                quantizationSummary(assignment)));
    }

    /** Scans the model and chooses the widths, without changing it; the scan's latent codes come from {@code seed}. */
    public Assignment choose(Model model, long seed) {
        List<String> layers = layers(model);
        LayerSensitivity bytes = LayerSensitivity.bytesOnly(model, layers, config.bits(), config.granularity());
        BitAllocation.choose(bytes, config.budget()); // refuses an impossible budget before the scan
        LayerSensitivity s = LayerSensitivity.scan(model, layers, config.bits(), config.granularity(),
                config.samples(), seed);
        BitAllocation.Choice choice = BitAllocation.choose(s, config.budget());
        Map<String, Integer> bits = new LinkedHashMap<>();
        Map<String, Double> psnr = new LinkedHashMap<>();
        for (int l = 0; l < layers.size(); l++) {
            int c = choice.candidate()[l];
            bits.put(layers.get(l), s.bits().get(c));
            psnr.put(layers.get(l), LayerSensitivity.psnr(s.mse()[l][c]));
        }
        return new Assignment(bits, psnr, config.budget(), (double) choice.bytes() / s.fp32Bytes());
    }

    /** The configured layers, checked to exist and be quantisable, or every quantisable one; in graph order. */
    private List<String> layers(Model model) {
        List<String> names = new ArrayList<>();
        for (Node n : new PostTrainingQuantization(QuantizationConfig.of(8, config.granularity(), config.layers()))
                .targets(model)) {
            names.add(n.name());
        }
        return names;
    }

    private static String quantizationSummary(Assignment a) {
        StringJoiner j = new StringJoiner(", ", "mixed precision: ", "");
        a.bits().forEach((layer, b) -> j.add(layer + " " + (b == 16 ? "fp16" : b == 2 ? "ternary"
                : b == 1 ? "binary" : "int" + b)));
        return j.toString();
    }

    /** The cost model's count of {@code m}'s stored weight bytes as a fraction of its fp32 bytes. */
    public static double weightByteFraction(Model m) {
        var totals = CostModel.of(m, CostModel.Options.defaults()).totals();
        return (double) totals.weightBytes() / totals.weightBytesFp32();
    }
}
