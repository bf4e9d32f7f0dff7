package dev.gancompress.model;

import java.util.List;

/**
 * Batch normalisation over [C, H, W] (Ioffe and Szegedy 2015). Training normalises by batch statistics and
 * updates the running ones with {@code momentum} (PyTorch convention: new = (1 - m) old + m batch, unbiased
 * variance); evaluation uses the running statistics. MACs: one multiply-add per element (the folded affine).
 */
public record BatchNorm2d(int channels, float eps, float momentum, Weights gamma, Weights beta,
                          Weights runningMean, Weights runningVar) implements Layer {
    public BatchNorm2d {
        for (Weights w : new Weights[] {gamma, beta, runningMean, runningVar}) {
            Layer.require(w.rank() == 1 && w.dim(0) == channels, "BatchNorm2d tensors must be [" + channels + "]");
        }
        Layer.require(eps > 0 && momentum >= 0 && momentum <= 1, "BatchNorm2d needs eps > 0 and momentum in [0, 1]");
    }

    public static BatchNorm2d create(int channels) {
        return new BatchNorm2d(channels, 1e-5f, 0.1f, Weights.filled(1f, channels), Weights.zeros(channels),
                Weights.zeros(channels), Weights.filled(1f, channels));
    }

    @Override
    public String opName() {
        return "BatchNormalization";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        Layer.require(x.isImage() && x.channels() == channels,
                "BatchNorm2d expects input [" + channels + ", H, W], got " + x);
        return x;
    }

    @Override
    public long macs(List<Shape> inputs, Shape output) {
        return output.size();
    }

    @Override
    public List<WeightSlot> weights() {
        return List.of(new WeightSlot("weight", gamma, true), new WeightSlot("bias", beta, true),
                new WeightSlot("running_mean", runningMean, false), new WeightSlot("running_var", runningVar, false));
    }

    @Override
    public BatchNorm2d copy() {
        return new BatchNorm2d(channels, eps, momentum, gamma.copy(), beta.copy(), runningMean.copy(),
                runningVar.copy());
    }
}
