package dev.gancompress.model;

import java.util.List;

/** Nearest-neighbour upsampling by an integer factor (ONNX Resize, mode nearest). */
public record Upsample(int scale) implements Layer {
    public Upsample {
        Layer.require(scale >= 1, "Upsample scale must be >= 1, got " + scale);
    }

    @Override
    public String opName() {
        return "Resize";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        Layer.require(x.isImage(), "Upsample expects [C, H, W], got " + x);
        return Shape.of(x.channels(), x.height() * scale, x.width() * scale);
    }

    @Override
    public long macs(List<Shape> inputs, Shape output) {
        return 0;
    }

    @Override
    public Upsample copy() {
        return this;
    }
}
