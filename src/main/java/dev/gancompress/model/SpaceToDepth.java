package dev.gancompress.model;

import java.util.List;

/**
 * The inverse of {@link DepthToSpace} in DCR order (ONNX SpaceToDepth): [C, H, W] becomes [C b^2, H / b, W / b],
 * output channel (i b + j) C + c holding input channel c at block offset (i, j). Encoders of image-to-image
 * generators (and TensorFlow's space_to_depth) downsample this way without discarding pixels.
 */
public record SpaceToDepth(int blockSize) implements Layer {
    public SpaceToDepth {
        Layer.require(blockSize >= 1, "SpaceToDepth block size must be >= 1, got " + blockSize);
    }

    @Override
    public String opName() {
        return "SpaceToDepth";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        Layer.require(x.isImage(), "SpaceToDepth expects [C, H, W], got " + x);
        Layer.require(x.height() % blockSize == 0 && x.width() % blockSize == 0, "SpaceToDepth with block size "
                + blockSize + " needs height and width divisible by it, got " + x);
        return Shape.of(x.channels() * blockSize * blockSize, x.height() / blockSize, x.width() / blockSize);
    }

    @Override
    public long macs(List<Shape> inputs, Shape output) {
        return 0;
    }

    @Override
    public SpaceToDepth copy() {
        return this;
    }
}
