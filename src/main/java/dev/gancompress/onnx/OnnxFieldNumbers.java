package dev.gancompress.onnx;

/**
 * Field numbers of onnx.proto (github.com/onnx/onnx, onnx/onnx.proto, IR version 8), for the messages and fields
 * gancompress reads or writes. Every other field is skipped on reading, so files from other producers load.
 */
final class OnnxFieldNumbers {
    private OnnxFieldNumbers() {
    }

    static final class Model {
        static final int IR_VERSION = 1;
        static final int PRODUCER_NAME = 2;
        static final int PRODUCER_VERSION = 3;
        static final int GRAPH = 7;
        static final int OPSET_IMPORT = 8;
        static final int METADATA_PROPS = 14;
    }

    static final class Graph {
        static final int NODE = 1;
        static final int NAME = 2;
        static final int INITIALIZER = 5;
        static final int INPUT = 11;
        static final int OUTPUT = 12;
    }

    static final class Node {
        static final int INPUT = 1;
        static final int OUTPUT = 2;
        static final int NAME = 3;
        static final int OP_TYPE = 4;
        static final int ATTRIBUTE = 5;
        static final int DOMAIN = 7;
    }

    static final class Attribute {
        static final int NAME = 1;
        static final int F = 2;
        static final int I = 3;
        static final int S = 4;
        static final int T = 5;
        static final int FLOATS = 7;
        static final int INTS = 8;
        static final int TYPE = 20;
    }

    static final class Tensor {
        static final int DIMS = 1;
        static final int DATA_TYPE = 2;
        static final int FLOAT_DATA = 4;
        /** int32_data: where int8, uint8, int4 (packed), float16 and bfloat16 values go when not in raw_data. */
        static final int INT32_DATA = 5;
        static final int INT64_DATA = 7;
        static final int NAME = 8;
        static final int RAW_DATA = 9;
        /** Repeated StringStringEntryProto: location, offset, length, checksum (ONNX docs/ExternalData.md). */
        static final int EXTERNAL_DATA = 13;
        static final int DATA_LOCATION = 14;
    }

    static final class ValueInfo {
        static final int NAME = 1;
        static final int TYPE = 2;
    }

    /** TypeProto: a oneof of which only tensor_type is supported, plus the denotation string. */
    static final class Type {
        static final int TENSOR_TYPE = 1;
        static final int DENOTATION = 6;
    }

    /** TypeProto.Tensor. */
    static final class TensorType {
        static final int ELEM_TYPE = 1;
        static final int SHAPE = 2;
    }

    /** TensorShapeProto and its Dimension. */
    static final class Shape {
        static final int DIM = 1;
        static final int DIM_VALUE = 1;
        static final int DIM_PARAM = 2;
    }

    static final class OpsetId {
        static final int DOMAIN = 1;
        static final int VERSION = 2;
    }

    /** StringStringEntryProto. */
    static final class Entry {
        static final int KEY = 1;
        static final int VALUE = 2;
    }
}
