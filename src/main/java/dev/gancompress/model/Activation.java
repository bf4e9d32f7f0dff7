package dev.gancompress.model;

import java.util.List;

/** Element-wise nonlinearity; {@code alpha} is the negative slope of LeakyReLU and ignored otherwise. */
public record Activation(Function function, float alpha) implements Layer {
    public enum Function {
        RELU("Relu"), LEAKY_RELU("LeakyRelu"), TANH("Tanh"), SIGMOID("Sigmoid");

        private final String onnxName;

        Function(String onnxName) {
            this.onnxName = onnxName;
        }

        public String onnxName() {
            return onnxName;
        }
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
