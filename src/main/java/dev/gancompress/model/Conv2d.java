package dev.gancompress.model;

import java.util.List;

/**
 * 2-D convolution, weight [out, in / groups, kh, kw] (PyTorch and ONNX). Output H = floor((H + 2 padH -
 * ((kh - 1) dilationH + 1)) / strideH) + 1 (likewise W); MACs per sample = out * Hout * Wout * (in / groups) * kh * kw.
 * With {@code groups} g the channels split into g independent convolutions of in / g -> out / g channels (ResNeXt);
 * g = in = out is a depthwise convolution (MobileNet), one filter per channel.
 */
public record Conv2d(int in, int out, Kernel2d kernel, Weights weight, Weights bias, int groups) implements Layer {
    public Conv2d {
        Layer.require(groups >= 1 && in % groups == 0 && out % groups == 0,
                "Conv2d groups must divide both " + in + " input and " + out + " output channels, got " + groups);
        Layer.require(weight.rank() == 4 && weight.dim(0) == out && weight.dim(1) == in / groups
                        && weight.dim(2) == kernel.kh() && weight.dim(3) == kernel.kw(),
                "Conv2d weight must be [" + out + ", " + in / groups + ", " + kernel.kh() + ", " + kernel.kw()
                        + "], got " + weight);
        Layer.require(bias == null || (bias.rank() == 1 && bias.dim(0) == out), "Conv2d bias must be [" + out + "]");
    }

    /** An ungrouped convolution. */
    public Conv2d(int in, int out, Kernel2d kernel, Weights weight, Weights bias) {
        this(in, out, kernel, weight, bias, 1);
    }

    public static Conv2d create(int in, int out, Kernel2d kernel, boolean withBias) {
        return create(in, out, kernel, 1, withBias);
    }

    public static Conv2d create(int in, int out, Kernel2d kernel, int groups, boolean withBias) {
        Layer.require(groups >= 1 && in % groups == 0, "Conv2d groups " + groups + " must divide " + in);
        return new Conv2d(in, out, kernel, Weights.zeros(out, in / groups, kernel.kh(), kernel.kw()),
                withBias ? Weights.zeros(out) : null, groups);
    }

    /** Input channels each filter reads. */
    public int inPerGroup() {
        return in / groups;
    }

    public int outPerGroup() {
        return out / groups;
    }

    public boolean isGrouped() {
        return groups != 1;
    }

    /** One filter per channel: groups = in = out. */
    public boolean isDepthwise() {
        return groups > 1 && groups == in && groups == out;
    }

    /** The same geometry and grouping with other weights (e.g. folded or re-stored ones). */
    public Conv2d withWeights(Weights newWeight, Weights newBias) {
        return new Conv2d(in, out, kernel, newWeight, newBias, groups);
    }

    @Override
    public String opName() {
        return "Conv";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        Layer.require(x.isImage() && x.channels() == in, "Conv2d expects input [" + in + ", H, W], got " + x);
        int oh = kernel.convOutH(x.height());
        int ow = kernel.convOutW(x.width());
        Layer.require(oh >= 1 && ow >= 1, "Conv2d kernel " + kernel + " does not fit input " + x);
        return Shape.of(out, oh, ow);
    }

    @Override
    public long macs(List<Shape> inputs, Shape output) {
        return (long) out * output.height() * output.width() * inPerGroup() * kernel.area();
    }

    @Override
    public List<WeightSlot> weights() {
        return Layer.weightAndBias(weight, bias);
    }

    @Override
    public Conv2d copy() {
        return new Conv2d(in, out, kernel, weight.copy(), Layer.copyOrNull(bias), groups);
    }
}
