package dev.gancompress.onnx;

/**
 * The subset of AttributeProto used by the operators gancompress maps: FLOAT, INT, STRING, TENSOR, FLOATS, INTS.
 * Fields that do not belong to {@code type} hold their zero value. Other attribute types (graphs, sparse
 * tensors, ...) are read as {@code type} only, so an unsupported operator can still be named in an error.
 */
public record OnnxAttribute(String name, int type, float f, long i, String s, OnnxTensor t, float[] floats,
                            long[] ints) {
    /** AttributeProto.AttributeType values. */
    public static final int FLOAT = 1;
    public static final int INT = 2;
    public static final int STRING = 3;
    public static final int TENSOR = 4;
    public static final int FLOATS = 6;
    public static final int INTS = 7;

    public static OnnxAttribute ofFloat(String name, float value) {
        return new OnnxAttribute(name, FLOAT, value, 0, "", null, new float[0], new long[0]);
    }

    public static OnnxAttribute ofInt(String name, long value) {
        return new OnnxAttribute(name, INT, 0f, value, "", null, new float[0], new long[0]);
    }

    public static OnnxAttribute ofString(String name, String value) {
        return new OnnxAttribute(name, STRING, 0f, 0, value, null, new float[0], new long[0]);
    }

    public static OnnxAttribute ofTensor(String name, OnnxTensor value) {
        return new OnnxAttribute(name, TENSOR, 0f, 0, "", value, new float[0], new long[0]);
    }

    public static OnnxAttribute ofInts(String name, long... values) {
        return new OnnxAttribute(name, INTS, 0f, 0, "", null, new float[0], values);
    }
}
