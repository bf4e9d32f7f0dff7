package dev.gancompress.onnx;

import java.util.Arrays;

/**
 * The subset of onnx.proto's TensorProto that gancompress reads and writes: a named float32 or int64 tensor.
 * Exactly one of {@code floats} / {@code longs} is non-null, matching {@code dataType}; a tensor of any other
 * element type read from a foreign file carries its shape only (both null), so errors can name it.
 */
public record OnnxTensor(String name, int dataType, long[] dims, float[] floats, long[] longs) {
    /** TensorProto.DataType values used here. */
    public static final int FLOAT = 1;
    public static final int INT64 = 7;

    public OnnxTensor {
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension "
                        + Arrays.toString(dims));
            }
            n *= d;
        }
        int length = dataType == FLOAT ? floats.length : dataType == INT64 ? longs.length : -1;
        if (length >= 0 && n != length) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(dims) + " holds "
                    + length + " values, expected " + n);
        }
    }

    public static OnnxTensor ofFloats(String name, int[] dims, float[] data) {
        return new OnnxTensor(name, FLOAT, toLongs(dims), data, null);
    }

    public static OnnxTensor ofLongs(String name, long[] dims, long[] data) {
        return new OnnxTensor(name, INT64, dims, null, data);
    }

    public int rank() {
        return dims.length;
    }

    /** Dimensions as ints, for building IR weights (ONNX allows int64 sizes; IR tensors do not). */
    public int[] intDims() {
        int[] d = new int[dims.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.toIntExact(dims[i]);
        }
        return d;
    }

    private static long[] toLongs(int[] dims) {
        long[] d = new long[dims.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = dims[i];
        }
        return d;
    }

    public static String typeName(int dataType) {
        return switch (dataType) {
            case FLOAT -> "float32";
            case INT64 -> "int64";
            case 2 -> "uint8";
            case 3 -> "int8";
            case 6 -> "int32";
            case 10 -> "float16";
            case 11 -> "double";
            case 16 -> "bfloat16";
            default -> "type " + dataType;
        };
    }
}
