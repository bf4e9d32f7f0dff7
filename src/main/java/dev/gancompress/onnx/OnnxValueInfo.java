package dev.gancompress.onnx;

import java.util.List;

/**
 * ValueInfoProto restricted to tensor types: name, element type (TensorProto.DataType), shape and the
 * TypeProto denotation ("IMAGE", "TENSOR", ... see ONNX TypeDenotation.md), which tells images from latents.
 */
public record OnnxValueInfo(String name, int elemType, List<Dimension> dims, String denotation) {
    public OnnxValueInfo {
        dims = List.copyOf(dims);
    }

    /** TensorShapeProto.Dimension: a fixed size or a symbolic one such as the batch "N". */
    public record Dimension(long value, String param) {
        public static Dimension fixed(long value) {
            return new Dimension(value, "");
        }

        public static Dimension symbolic(String param) {
            return new Dimension(0, param);
        }

        public boolean isSymbolic() {
            return !param.isEmpty();
        }

        @Override
        public String toString() {
            return isSymbolic() ? param : Long.toString(value);
        }
    }
}
