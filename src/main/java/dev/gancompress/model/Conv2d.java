package dev.gancompress.model;

import java.util.List;

/**
 * 2-D convolution, weight [out, in, kh, kw]. Output H = floor((H + 2 padH - kh) / strideH) + 1 (likewise W);
 * MACs per sample = out * Hout * Wout * in * kh * kw.
 */
public record Conv2d(int in, int out, Kernel2d kernel, Weights weight, Weights bias) implements Layer {
    public Conv2d {
        Layer.require(weight.rank() == 4 && weight.dim(0) == out && weight.dim(1) == in
                        && weight.dim(2) == kernel.kh() && weight.dim(3) == kernel.kw(),
                "Conv2d weight must be [" + out + ", " + in + ", " + kernel.kh() + ", " + kernel.kw() + "], got " + weight);
        Layer.require(bias == null || (bias.rank() == 1 && bias.dim(0) == out), "Conv2d bias must be [" + out + "]");
    }

    public static Conv2d create(int in, int out, Kernel2d kernel, boolean withBias) {
        return new Conv2d(in, out, kernel, Weights.zeros(out, in, kernel.kh(), kernel.kw()),
                withBias ? Weights.zeros(out) : null);
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
        return (long) out * output.height() * output.width() * in * kernel.area();
    }

    @Override
    public List<WeightSlot> weights() {
        return Layer.weightAndBias(weight, bias);
    }

    @Override
    public Conv2d copy() {
        return new Conv2d(in, out, kernel, weight.copy(), Layer.copyOrNull(bias));
    }
}
