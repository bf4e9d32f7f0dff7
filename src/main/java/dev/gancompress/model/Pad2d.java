package dev.gancompress.model;

import java.util.List;

/**
 * Spatial padding of an image [C, H, W] (ONNX Pad on the last two axes). REFLECT mirrors about the edge pixel
 * without repeating it (PyTorch's ReflectionPad2d, which pix2pix and CycleGAN ResNet generators put before every
 * 3x3 and 7x7 convolution to avoid border artefacts); EDGE repeats the edge pixel (ReplicationPad2d); ZERO fills
 * with 0 (a zero Pad that feeds a convolution is folded into its padding instead, see
 * {@code onnx.GraphSimplifier}).
 */
public record Pad2d(Mode mode, int top, int left, int bottom, int right) implements Layer {
    public enum Mode {
        ZERO("constant"), REFLECT("reflect"), EDGE("edge");

        private final String onnx;

        Mode(String onnx) {
            this.onnx = onnx;
        }

        /** The ONNX Pad mode attribute. */
        public String onnxName() {
            return onnx;
        }
    }

    public Pad2d {
        Layer.require(mode != null, "Pad2d needs a mode");
        Layer.require(top >= 0 && left >= 0 && bottom >= 0 && right >= 0,
                "Pad2d pads must be >= 0, got " + top + ", " + left + ", " + bottom + ", " + right);
    }

    @Override
    public String opName() {
        return "Pad";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        Layer.require(x.isImage(), "Pad2d expects [C, H, W], got " + x);
        if (mode == Mode.REFLECT) {
            // Reflection never repeats the edge, so it can add at most (size - 1) pixels on a side.
            Layer.require(Math.max(top, bottom) < x.height() && Math.max(left, right) < x.width(),
                    "reflect padding " + this + " needs pads smaller than the input " + x);
        }
        return Shape.of(x.channels(), x.height() + top + bottom, x.width() + left + right);
    }

    /**
     * The input index that output index {@code o} (in the padded axis of input size {@code n}, begin pad
     * {@code before}) reads, or -1 for a zero.
     */
    public int source(int o, int n, int before) {
        int i = o - before;
        if (i >= 0 && i < n) {
            return i;
        }
        return switch (mode) {
            case ZERO -> -1;
            case EDGE -> i < 0 ? 0 : n - 1;
            case REFLECT -> i < 0 ? -i : 2 * (n - 1) - i;
        };
    }

    @Override
    public long macs(List<Shape> inputs, Shape output) {
        return 0;
    }

    @Override
    public Pad2d copy() {
        return this;
    }
}
