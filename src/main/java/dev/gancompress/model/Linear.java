package dev.gancompress.model;

import java.util.List;

/** y = W x + b with W of shape [out, in] (ONNX Gemm with transB = 1, PyTorch nn.Linear). */
public record Linear(int in, int out, Weights weight, Weights bias) implements Layer {
    public Linear {
        Layer.require(weight.rank() == 2 && weight.dim(0) == out && weight.dim(1) == in,
                "Linear weight must be [" + out + ", " + in + "], got " + weight);
        Layer.require(bias == null || (bias.rank() == 1 && bias.dim(0) == out), "Linear bias must be [" + out + "]");
    }

    public static Linear create(int in, int out, boolean withBias) {
        return new Linear(in, out, Weights.zeros(out, in), withBias ? Weights.zeros(out) : null);
    }

    @Override
    public String opName() {
        return "Linear";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        Layer.require(x.rank() == 1 && x.dim(0) == in, "Linear expects input [" + in + "], got " + x);
        return Shape.of(out);
    }

    @Override
    public long macs(List<Shape> inputs, Shape output) {
        return (long) in * out;
    }

    @Override
    public List<WeightSlot> weights() {
        return Layer.weightAndBias(weight, bias);
    }

    @Override
    public Linear copy() {
        return new Linear(in, out, weight.copy(), Layer.copyOrNull(bias));
    }
}
