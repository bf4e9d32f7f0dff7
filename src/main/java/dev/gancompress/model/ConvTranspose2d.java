package dev.gancompress.model;

import java.util.List;

/**
 * Transposed convolution (the data-gradient of Conv2d), weight [in, out, kh, kw] as in PyTorch and ONNX.
 * Output H = (H - 1) strideH - 2 padH + kh + outputPadH; MACs per sample = in * H * W * out * kh * kw.
 */
public record ConvTranspose2d(int in, int out, Kernel2d kernel, int outputPadH, int outputPadW,
                              Weights weight, Weights bias) implements Layer {
    public ConvTranspose2d {
        Layer.require(weight.rank() == 4 && weight.dim(0) == in && weight.dim(1) == out
                        && weight.dim(2) == kernel.kh() && weight.dim(3) == kernel.kw(),
                "ConvTranspose2d weight must be [" + in + ", " + out + ", " + kernel.kh() + ", " + kernel.kw()
                        + "], got " + weight);
        Layer.require(bias == null || (bias.rank() == 1 && bias.dim(0) == out),
                "ConvTranspose2d bias must be [" + out + "]");
        Layer.require(outputPadH >= 0 && outputPadH < Math.max(kernel.strideH(), 1)
                        && outputPadW >= 0 && outputPadW < Math.max(kernel.strideW(), 1),
                "ConvTranspose2d output padding must be smaller than the stride");
    }

    public static ConvTranspose2d create(int in, int out, Kernel2d kernel, int outputPad, boolean withBias) {
        return new ConvTranspose2d(in, out, kernel, outputPad, outputPad,
                Weights.zeros(in, out, kernel.kh(), kernel.kw()), withBias ? Weights.zeros(out) : null);
    }

    @Override
    public String opName() {
        return "ConvTranspose";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        Layer.require(x.isImage() && x.channels() == in,
                "ConvTranspose2d expects input [" + in + ", H, W], got " + x);
        int oh = kernel.transposedOutH(x.height(), outputPadH);
        int ow = kernel.transposedOutW(x.width(), outputPadW);
        Layer.require(oh >= 1 && ow >= 1, "ConvTranspose2d " + kernel + " gives an empty output for " + x);
        return Shape.of(out, oh, ow);
    }

    @Override
    public long macs(List<Shape> inputs, Shape output) {
        Shape x = inputs.get(0);
        return (long) in * x.height() * x.width() * out * kernel.area();
    }

    @Override
    public List<WeightSlot> weights() {
        return Layer.weightAndBias(weight, bias);
    }

    /** Output channels are dim 1 of the [in, out, kh, kw] kernel (ONNX DequantizeLinear axis 1). */
    @Override
    public int outputChannelAxis(WeightSlot slot) {
        return slot.role().equals("weight") ? 1 : Layer.super.outputChannelAxis(slot);
    }

    @Override
    public ConvTranspose2d copy() {
        return new ConvTranspose2d(in, out, kernel, outputPadH, outputPadW, weight.copy(), Layer.copyOrNull(bias));
    }
}
