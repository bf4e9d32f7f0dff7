package dev.gancompress.onnx;

import java.util.Arrays;

/**
 * The subset of onnx.proto's TensorProto that gancompress reads and writes: a named float32 or int64 tensor, or
 * the stored form of a weight (int8, uint8, int4, uint4 integers; float16 and bfloat16 bit patterns).
 * Exactly one of {@code floats} / {@code longs} / {@code ints} is non-null, matching {@code dataType} (ints for
 * the small integer and 16-bit float types, unpacked: one element per int, 4-bit values sign- or zero-extended); a
 * tensor of any other element type read from a foreign file carries its shape only (all null), so errors can
 * name it.
 */
public record OnnxTensor(String name, int dataType, long[] dims, float[] floats, long[] longs, int[] ints) {
    /** TensorProto.DataType values used here. */
    public static final int FLOAT = 1;
    public static final int UINT8 = 2;
    public static final int INT8 = 3;
    public static final int INT32 = 6;
    public static final int INT64 = 7;
    public static final int FLOAT16 = 10;
    public static final int BFLOAT16 = 16;
    /** IR version 10 / opset 21: two values per byte, the first in the low nibble. */
    public static final int UINT4 = 21;
    public static final int INT4 = 22;

    public OnnxTensor {
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension "
                        + Arrays.toString(dims));
            }
            n *= d;
        }
        int length = dataType == FLOAT ? floats.length : dataType == INT64 ? longs.length
                : holdsInts(dataType) && ints != null ? ints.length : -1;
        if (length >= 0 && n != length) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(dims) + " holds "
                    + length + " values, expected " + n);
        }
        if (holdsInts(dataType) && ints != null) {
            int lo = minValue(dataType);
            int hi = maxValue(dataType);
            for (int v : ints) {
                if (v < lo || v > hi) {
                    throw new IllegalArgumentException("tensor '" + name + "' of type " + typeName(dataType)
                            + " holds " + v + ", outside [" + lo + ", " + hi + "]");
                }
            }
        }
    }

    /** A float32 or int64 tensor, as before the stored weight types existed. */
    public OnnxTensor(String name, int dataType, long[] dims, float[] floats, long[] longs) {
        this(name, dataType, dims, floats, longs, null);
    }

    public static OnnxTensor ofFloats(String name, int[] dims, float[] data) {
        return new OnnxTensor(name, FLOAT, toLongs(dims), data, null, null);
    }

    public static OnnxTensor ofLongs(String name, long[] dims, long[] data) {
        return new OnnxTensor(name, INT64, dims, null, data, null);
    }

    /** A tensor of one of the {@link #holdsInts} types: integer values, or float16/bfloat16 bit patterns. */
    public static OnnxTensor ofInts(String name, int dataType, long[] dims, int[] data) {
        if (!holdsInts(dataType)) {
            throw new IllegalArgumentException("tensor '" + name + "': " + typeName(dataType)
                    + " is not an integer or 16-bit float type");
        }
        return new OnnxTensor(name, dataType, dims, null, null, data);
    }

    /** Whether values of {@code dataType} are kept in {@link #ints()}. */
    public static boolean holdsInts(int dataType) {
        return dataType == UINT8 || dataType == INT8 || dataType == FLOAT16 || dataType == BFLOAT16
                || dataType == UINT4 || dataType == INT4 || dataType == INT32;
    }

    /** Bits per stored element of a {@link #holdsInts} type. */
    public static int bitsPerElement(int dataType) {
        return switch (dataType) {
            case UINT4, INT4 -> 4;
            case UINT8, INT8 -> 8;
            case FLOAT16, BFLOAT16 -> 16;
            case INT32 -> 32;
            default -> throw new IllegalArgumentException("not an integer or 16-bit float type: " + typeName(dataType));
        };
    }

    /** The smallest value of an integer type (0 for unsigned types and 16-bit bit patterns). */
    public static int minValue(int dataType) {
        return switch (dataType) {
            case INT8 -> -128;
            case INT4 -> -8;
            case INT32 -> Integer.MIN_VALUE;
            default -> 0;
        };
    }

    public static int maxValue(int dataType) {
        return switch (dataType) {
            case INT8 -> 127;
            case INT4 -> 7;
            case UINT8 -> 255;
            case UINT4 -> 15;
            case INT32 -> Integer.MAX_VALUE;
            default -> 0xFFFF;
        };
    }

    public int rank() {
        return dims.length;
    }

    public long size() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
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
            case UINT8 -> "uint8";
            case INT8 -> "int8";
            case INT32 -> "int32";
            case FLOAT16 -> "float16";
            case 11 -> "double";
            case BFLOAT16 -> "bfloat16";
            case UINT4 -> "uint4";
            case INT4 -> "int4";
            default -> "type " + dataType;
        };
    }
}
