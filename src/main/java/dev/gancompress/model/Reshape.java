package dev.gancompress.model;

import java.util.List;

/** Reinterprets a sample's elements (row-major, as ONNX Reshape) as {@code target}; flattening is [C*H*W]. */
public record Reshape(Shape target) implements Layer {
    @Override
    public String opName() {
        return "Reshape";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        Layer.require(x.size() == target.size(), "Reshape cannot turn " + x + " into " + target);
        return target;
    }

    @Override
    public long macs(List<Shape> inputs, Shape output) {
        return 0;
    }

    @Override
    public Reshape copy() {
        return this;
    }
}
