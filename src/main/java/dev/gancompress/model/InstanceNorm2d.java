package dev.gancompress.model;

import java.util.List;

/**
 * Instance normalisation with a per-channel affine (Ulyanov et al. 2016), the same in training and
 * evaluation. MACs: three per element (mean, variance, affine).
 */
public record InstanceNorm2d(int channels, float eps, Weights gamma, Weights beta) implements Layer {
    public InstanceNorm2d {
        Layer.require(gamma.rank() == 1 && gamma.dim(0) == channels && beta.rank() == 1 && beta.dim(0) == channels,
                "InstanceNorm2d scale and bias must be [" + channels + "]");
        Layer.require(eps > 0, "InstanceNorm2d needs eps > 0");
    }

    public static InstanceNorm2d create(int channels) {
        return new InstanceNorm2d(channels, 1e-5f, Weights.filled(1f, channels), Weights.zeros(channels));
    }

    @Override
    public String opName() {
        return "InstanceNormalization";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        Layer.require(x.isImage() && x.channels() == channels,
                "InstanceNorm2d expects input [" + channels + ", H, W], got " + x);
        return x;
    }

    @Override
    public long macs(List<Shape> inputs, Shape output) {
        return 3L * output.size();
    }

    @Override
    public List<WeightSlot> weights() {
        return List.of(new WeightSlot("weight", gamma, true), new WeightSlot("bias", beta, true));
    }

    @Override
    public InstanceNorm2d copy() {
        return new InstanceNorm2d(channels, eps, gamma.copy(), beta.copy());
    }
}
