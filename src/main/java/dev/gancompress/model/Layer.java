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
        Reshape, Upsample, Embedding, Add, Concat {

    /** The ONNX-like operator name, used in messages and reports. */
    String opName();

    /** Output shape for the given input shapes; throws IllegalArgumentException naming the mismatch. */
    Shape outputShape(List<Shape> inputs);

    long macs(List<Shape> inputs, Shape output);

    default List<WeightSlot> weights() {
        return List.of();
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
