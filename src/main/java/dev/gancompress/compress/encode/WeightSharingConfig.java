package dev.gancompress.compress.encode;

import dev.gancompress.compress.ConfigFields;

import java.util.List;

/**
 * Validated settings of {@link WeightSharing}; round-trips to JSON, a missing (null) field takes its default.
 *
 * @param bits       index bits per weight, 1 to 8: k = 2^bits centroids per layer (Han et al. 2016 used 8 for
 *                   convolutions and 5 for fully connected layers of AlexNet); default 4
 * @param init       centroid initialisation: "linear" (default, best in Han et al.), "density" or "random"
 * @param layers     node names whose "weight" tensor to share (default: every Linear, Conv2d, ConvTranspose2d and
 *                   Embedding); biases and normalisation parameters stay fp32
 * @param seed       seed of the random initialisation (default 0); each layer draws from its own stream
 * @param iterations Lloyd iterations at most (default 50; 1-D k-means converges in far fewer)
 * @param fineTune   whether fine-tuning after the pass trains the centroids (gradients of all weights sharing a
 *                   centroid summed into it) rather than leaving them fixed; default true
 */
public record WeightSharingConfig(Integer bits, CentroidInit init, List<String> layers, Long seed,
                                  Integer iterations, Boolean fineTune) {
    public WeightSharingConfig {
        bits = bits == null ? 4 : bits;
        ConfigFields.require(bits >= 1 && bits <= 8, "weight-sharing", "bits", "an integer in [1, 8] (k = 2^bits "
                + "centroids)", bits);
        init = init == null ? CentroidInit.LINEAR : init;
        layers = ConfigFields.layerNames(layers, "weight-sharing");
        seed = seed == null ? 0L : seed;
        iterations = iterations == null ? 50 : iterations;
        ConfigFields.require(iterations >= 1 && iterations <= 10_000, "weight-sharing", "iterations",
                "an integer in [1, 10000]", iterations);
        fineTune = fineTune == null || fineTune;
    }

    public static WeightSharingConfig of(int bits, CentroidInit init, long seed) {
        return new WeightSharingConfig(bits, init, null, seed, null, null);
    }

    public String describe() {
        return bits + "-bit (" + (1 << bits) + " centroids), " + init.jsonName() + " init, seed " + seed;
    }
}
