package dev.gancompress.compress.encode;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionContext;
import dev.gancompress.compress.FineTuneController;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.model.Weights;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Weight sharing by k-means per layer (Han, Mao and Dally 2016, "Deep Compression", section 3): each selected
 * layer's weights are clustered into k = 2^bits centroids and stored as a {@link WeightStorage.Codebook}, so a weight
 * costs {@code bits} index bits plus the layer's table of k floats. It composes: the values clustered are the ones
 * the layer computes with (after a quantisation or pruning pass), and a pruned layer (one with a mask, or with exact
 * zeros) clusters only the surviving weights into k - 1 centroids next to an exact 0 (what pruned entries store).
 *
 * <p>Fine-tuning trains the centroids ({@link CentroidFineTuning}) unless the configuration says not to.
 */
public final class WeightSharing implements Compression {
    public static final String NAME = "weight-sharing";

    private final WeightSharingConfig config;

    public WeightSharing(WeightSharingConfig config) {
        this.config = config;
    }

    @Override
    public Phase phase() {
        return Phase.SHARE;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public WeightSharingConfig config() {
        return config;
    }

    @Override
    public Model apply(Model model, CompressionContext context) {
        Model copy = model.copy();
        List<Node> targets = targets(copy);
        int k = 1 << config.bits();
        for (int t = 0; t < targets.size(); t++) {
            Weights w = targets.get(t).layer().weight("weight").weights();
            share(w, k, config.init(), new Random(config.seed() * 1_000_003L + t), config.iterations());
        }
        return copy.withMetadata(Map.of("weight_sharing", config.describe() + ": "
                + targets.stream().map(Node::name).collect(Collectors.joining(", "))));
    }

    /** Clusters {@code w}'s effective values (its unmasked ones, next to a 0 centroid, when it has a mask). */
    static void share(Weights w, int k, CentroidInit init, Random rnd, int iterations) {
        float[] values = w.effectiveValues();
        float[] mask = w.mask();
        if (mask == null) {
            // exact zeros are pruned weights (a pruned model read from ONNX carries no mask): they get the mask back,
            // so fine-tuning keeps them at 0, and an exact 0 centroid rather than pulling a shared one off zero, as
            // Deep Compression shares only the surviving weights
            for (int i = 0; i < values.length && mask == null; i++) {
                if (values[i] == 0f) {
                    mask = new float[values.length];
                    for (int j = 0; j < values.length; j++) {
                        mask[j] = values[j] == 0f ? 0f : 1f;
                    }
                    w.setMask(mask);
                }
            }
        }
        float[] centroids;
        if (mask != null) {
            int n = 0;
            float[] kept = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                if (mask[i] != 0f) {
                    kept[n++] = values[i];
                }
            }
            float[] c = KMeans1d.cluster(java.util.Arrays.copyOf(kept, n), k - 1, init, rnd, iterations);
            double[] withZero = new double[c.length + 1];
            for (int i = 0; i < c.length; i++) {
                withZero[i] = c[i];
            }
            centroids = KMeans1d.toFloats(withZero); // 0 is added (or merged with an existing 0)
        } else {
            centroids = KMeans1d.cluster(values, k, init, rnd, iterations);
        }
        System.arraycopy(values, 0, w.data(), 0, values.length);
        w.setStorage(new WeightStorage.Codebook(centroids));
        w.projectToStorage();
    }

    @Override
    public FineTuneController controller(Model compressed, CompressionContext context) {
        if (!config.fineTune()) {
            return FineTuneController.NONE;
        }
        List<Weights> shared = new ArrayList<>();
        for (Node n : targets(compressed)) {
            shared.add(n.layer().weight("weight").weights());
        }
        return new FineTuneController(List.of(), List.of(new CentroidFineTuning(shared)));
    }

    /** The nodes to share: the named ones (each must exist and have a weight matrix or kernel), else all such. */
    List<Node> targets(Model model) {
        List<Node> eligible = model.nodes().stream().filter(n -> n.layer().hasWeightMatrix()).toList();
        for (String name : config.layers()) {
            if (eligible.stream().noneMatch(n -> n.name().equals(name))) {
                boolean exists = model.nodes().stream().anyMatch(n -> n.name().equals(name));
                throw new GanCompressException("weight-sharing configuration: field 'layers': "
                        + (exists ? "node '" + name + "' has no weight matrix or kernel to share"
                        : "no node named '" + name + "'") + " in model " + model.name() + "; shareable: "
                        + eligible.stream().map(Node::name).collect(Collectors.joining(", ")));
            }
        }
        return eligible.stream().filter(n -> config.layers().isEmpty() || config.layers().contains(n.name()))
                .toList();
    }


}
