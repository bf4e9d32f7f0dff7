package dev.gancompress.nn;

import dev.gancompress.model.Weights;

/** A trainable tensor of a network and its gradient, named "node.role" as the ONNX initializer. */
public record Parameter(String name, Weights weights, float[] grad) {
}
