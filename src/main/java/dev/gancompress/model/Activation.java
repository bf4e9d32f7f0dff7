package dev.gancompress.model;

import java.util.List;

/**
 * Element-wise nonlinearity. {@code alpha} is the negative slope of LeakyReLU and the lower bound of Clip;
 * {@code beta} is the upper bound of Clip (an infinite bound does not clip). Both are ignored otherwise.
 * Clip is PyTorch's hardtanh (Clip(-1, 1)) and ReLU6 (Clip(0, 6)).
 */
public record Activation(Function function, float alpha, float beta) implements Layer {
    public enum Function {
        RELU("Relu"), LEAKY_RELU("LeakyRelu"), TANH("Tanh"), SIGMOID("Sigmoid"), CLIP("Clip");

        private final String onnxName;

        Function(String onnxName) {
            this.onnxName = onnxName;
        }

        public String onnxName() {
            return onnxName;
        }
    }

    public Activation {
        Layer.require(function != null, "Activation needs a function");
        Layer.require(function != Function.CLIP || alpha <= beta,
                "Clip needs min <= max, got min " + alpha + " and max " + beta);
    }

    /** An activation without an upper bound: {@code beta} = 0. */
    public Activation(Function function, float alpha) {
        this(function, alpha, 0f);
    }

    /** min(max(x, min), max); infinite bounds clip on one side only. */
    public static Activation clip(float min, float max) {
        return new Activation(Function.CLIP, min, max);
    }

    /** ReLU6 = Clip(0, 6) (MobileNet's activation). */
    public static Activation relu6() {
        return clip(0f, 6f);
    }

    public static Activation relu() {
        return new Activation(Function.RELU, 0f);
    }

    public static Activation leakyRelu(float alpha) {
        return new Activation(Function.LEAKY_RELU, alpha);
    }

    public static Activation tanh() {
        return new Activation(Function.TANH, 0f);
    }

    public static Activation sigmoid() {
        return new Activation(Function.SIGMOID, 0f);
    }

    @Override
    public String opName() {
        return function.onnxName();
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return inputs.get(0);
    }

    @Override
    public long macs(List<Shape> inputs, Shape output) {
        return 0;
    }

    @Override
    public Activation copy() {
        return this;
    }
}
