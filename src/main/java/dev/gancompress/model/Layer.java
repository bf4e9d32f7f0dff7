package dev.gancompress.model;

import java.util.List;

/**
 * One operation of the graph. Implementations are immutable records whose weight arrays the engine
 * trains in place; a compression pass that changes structure returns new records.
 *
 * <p>MAC convention: multiply-accumulates of the linear algebra and of normalisation per sample;
 * activations, reshapes, copies and lookups count 0 (they cost data movement, which the cost model
 * charges separately).
 */
public sealed interface Layer permits Linear, Conv2d, ConvTranspose2d, BatchNorm2d, InstanceNorm2d, Activation,
        Reshape, Upsample, Resize2d, DepthToSpace, SpaceToDepth, Pad2d, Embedding, Add, Concat, Affine {

    /** The ONNX-like operator name, used in messages and reports. */
    String opName();

    /** Output shape for the given input shapes; throws IllegalArgumentException naming the mismatch. */
    Shape outputShape(List<Shape> inputs);

    long macs(List<Shape> inputs, Shape output);

    default List<WeightSlot> weights() {
        return List.of();
    }

    /** The slot with this role ("weight", "bias", ...), or null when the layer has none. */
    default WeightSlot weight(String role) {
        for (WeightSlot slot : weights()) {
            if (slot.role().equals(role)) {
                return slot;
            }
        }
        return null;
    }

    /**
     * Whether this layer has a trainable "weight" of rank 2 or more (Linear, Conv2d, ConvTranspose2d, Embedding):
     * what the weight-storage techniques (quantisation, weight sharing) act on.
     */
    default boolean hasWeightMatrix() {
        WeightSlot slot = weight("weight");
        return slot != null && slot.trainable() && slot.weights().rank() >= 2;
    }

    /**
     * The axis of {@code slot}'s tensor that runs over the layer's output channels: where per-channel quantisation
     * keeps its scales and the cost model counts per-channel side data. Dim 0 for weight matrices and kernels laid
     * out [out, in, ...] (Conv2d, Linear, and an Embedding's rows, as PyTorch quantises embeddings per row); -1 for
     * vectors (biases, normalisation), which are per-tensor. {@link ConvTranspose2d} overrides: its kernel is
     * [in, out, kh, kw].
     */
    default int outputChannelAxis(WeightSlot slot) {
        return slot.weights().rank() <= 1 ? -1 : 0;
    }

    /** A copy with its own weight arrays. */
    Layer copy();

    default int arity() {
        return 1;
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The slots of a layer with a trainable weight and an optional bias. */
    static List<WeightSlot> weightAndBias(Weights weight, Weights bias) {
        return bias == null ? List.of(new WeightSlot("weight", weight, true))
                : List.of(new WeightSlot("weight", weight, true), new WeightSlot("bias", bias, true));
    }

    static Weights copyOrNull(Weights w) {
        return w == null ? null : w.copy();
    }
}
