package dev.gancompress.model;

import java.util.List;

/**
 * Moves blocks of channels into space (ONNX DepthToSpace): [C, H, W] becomes [C / b^2, H b, W b]. The sub-pixel
 * convolution of Shi et al. 2016 ("Real-Time Single Image and Video Super-Resolution Using an Efficient Sub-Pixel
 * Convolutional Neural Network"; PyTorch's PixelShuffle, exported as CRD) upsamples this way, and so does the exact
 * sub-pixel form of a ConvTranspose ({@code onnx.SubPixelConvTranspose}). The two ONNX modes differ only in which
 * input channel feeds output channel c at block offset (i, j): DCR (the default, TensorFlow's depth_to_space) reads
 * channel (i b + j) C' + c, CRD reads c b^2 + i b + j.
 */
public record DepthToSpace(int blockSize, Mode mode) implements Layer {
    public enum Mode { DCR, CRD }

    public DepthToSpace {
        Layer.require(blockSize >= 1, "DepthToSpace block size must be >= 1, got " + blockSize);
        Layer.require(mode != null, "DepthToSpace needs a mode (DCR or CRD)");
    }

    @Override
    public String opName() {
        return "DepthToSpace";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        Layer.require(x.isImage(), "DepthToSpace expects [C, H, W], got " + x);
        int b2 = blockSize * blockSize;
        Layer.require(x.channels() % b2 == 0, "DepthToSpace with block size " + blockSize + " needs channels "
                + "divisible by " + b2 + ", got " + x);
        return Shape.of(x.channels() / b2, x.height() * blockSize, x.width() * blockSize);
    }

    /** The input channel that output channel {@code c} (of {@code outChannels}) reads at block offset (i, j). */
    public int sourceChannel(int c, int i, int j, int outChannels) {
        return mode == Mode.DCR ? (i * blockSize + j) * outChannels + c : (c * blockSize + i) * blockSize + j;
    }

    @Override
    public long macs(List<Shape> inputs, Shape output) {
        return 0;
    }

    @Override
    public DepthToSpace copy() {
        return this;
    }
}
