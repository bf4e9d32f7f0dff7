package dev.gancompress.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes protobuf wire bytes into {@link OnnxModelProto}. Fields outside the supported subset (doc strings,
 * value_info, training info, functions, ...) are skipped, as protobuf's unknown-field rule requires. A known
 * field with the wrong wire type is an error rather than a skip: that is how random bytes and text files
 * present themselves, and a clear "not ONNX" beats a silently empty model. Repeated numeric fields are accepted
 * packed and unpacked, since proto2 and proto3 producers differ on that.
 */
final class ProtoReader {
    private ProtoReader() {
    }

    private interface Parser<T> {
        T parse(CodedInputStream in) throws IOException;
    }

    static OnnxModelProto decode(byte[] bytes) throws IOException {
        return decode(bytes, null);
    }

    /**
     * @param external where tensors kept in external files are read from; null when the model has no file (bytes
     *                 only), so such a tensor is an error
     */
    static OnnxModelProto decode(byte[] bytes, ExternalData external) throws IOException {
        ProtoReader.external.set(external);
        try {
            return decodeModel(bytes);
        } finally {
            ProtoReader.external.remove();
        }
    }

    /** A lone TensorProto, as ONNX's test data stores each input and output ({@code input_0.pb}). */
    static OnnxTensor decodeTensor(byte[] bytes) throws IOException {
        return tensor(CodedInputStream.newInstance(bytes));
    }

    /** The resolver of the decode in progress (the parsers are static method references). */
    private static final ThreadLocal<ExternalData> external = new ThreadLocal<>();

    private static OnnxModelProto decodeModel(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        long irVersion = 0;
        String producerName = "";
        String producerVersion = "";
        OnnxGraph graph = null;
        List<OnnxModelProto.OpsetId> opsets = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case OnnxFieldNumbers.Model.IR_VERSION -> irVersion = readVarint(in, tag, "ModelProto.ir_version");
                case OnnxFieldNumbers.Model.PRODUCER_NAME -> producerName = readString(in, tag, "ModelProto.producer_name");
                case OnnxFieldNumbers.Model.PRODUCER_VERSION ->
                        producerVersion = readString(in, tag, "ModelProto.producer_version");
                case OnnxFieldNumbers.Model.GRAPH -> graph = nested(in, tag, "ModelProto.graph", ProtoReader::graph);
                case OnnxFieldNumbers.Model.OPSET_IMPORT ->
                        opsets.add(nested(in, tag, "ModelProto.opset_import", ProtoReader::opset));
                case OnnxFieldNumbers.Model.METADATA_PROPS -> {
                    String[] kv = nested(in, tag, "ModelProto.metadata_props", ProtoReader::entry);
                    metadata.put(kv[0], kv[1]);
                }
                default -> skip(in, tag);
            }
        }
        return new OnnxModelProto(irVersion, producerName, producerVersion, opsets, graph, metadata);
    }

    private static OnnxGraph graph(CodedInputStream in) throws IOException {
        List<OnnxNode> nodes = new ArrayList<>();
        String name = "";
        List<OnnxTensor> initializers = new ArrayList<>();
        List<OnnxValueInfo> inputs = new ArrayList<>();
        List<OnnxValueInfo> outputs = new ArrayList<>();
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case OnnxFieldNumbers.Graph.NODE -> nodes.add(nested(in, tag, "GraphProto.node", ProtoReader::node));
                case OnnxFieldNumbers.Graph.NAME -> name = readString(in, tag, "GraphProto.name");
                case OnnxFieldNumbers.Graph.INITIALIZER ->
                        initializers.add(nested(in, tag, "GraphProto.initializer", ProtoReader::tensor));
                case OnnxFieldNumbers.Graph.INPUT -> inputs.add(nested(in, tag, "GraphProto.input", ProtoReader::valueInfo));
                case OnnxFieldNumbers.Graph.OUTPUT ->
                        outputs.add(nested(in, tag, "GraphProto.output", ProtoReader::valueInfo));
                default -> skip(in, tag);
            }
        }
        return new OnnxGraph(name, nodes, initializers, inputs, outputs);
    }

    private static OnnxNode node(CodedInputStream in) throws IOException {
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        String name = "";
        String opType = "";
        String domain = "";
        List<OnnxAttribute> attributes = new ArrayList<>();
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case OnnxFieldNumbers.Node.INPUT -> inputs.add(readString(in, tag, "NodeProto.input"));
                case OnnxFieldNumbers.Node.OUTPUT -> outputs.add(readString(in, tag, "NodeProto.output"));
                case OnnxFieldNumbers.Node.NAME -> name = readString(in, tag, "NodeProto.name");
                case OnnxFieldNumbers.Node.OP_TYPE -> opType = readString(in, tag, "NodeProto.op_type");
                case OnnxFieldNumbers.Node.ATTRIBUTE ->
                        attributes.add(nested(in, tag, "NodeProto.attribute", ProtoReader::attribute));
                case OnnxFieldNumbers.Node.DOMAIN -> domain = readString(in, tag, "NodeProto.domain");
                default -> skip(in, tag);
            }
        }
        return new OnnxNode(name, opType, domain, inputs, outputs, attributes);
    }

    private static OnnxAttribute attribute(CodedInputStream in) throws IOException {
        String name = "";
        int type = 0;
        float f = 0f;
        long i = 0;
        String s = "";
        OnnxTensor t = null;
        FloatList floats = new FloatList();
        LongList ints = new LongList();
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case OnnxFieldNumbers.Attribute.NAME -> name = readString(in, tag, "AttributeProto.name");
                case OnnxFieldNumbers.Attribute.F -> {
                    expect(tag, WireFormat.WIRETYPE_FIXED32, "AttributeProto.f");
                    f = in.readFloat();
                }
                case OnnxFieldNumbers.Attribute.I -> i = readVarint(in, tag, "AttributeProto.i");
                case OnnxFieldNumbers.Attribute.S -> s = readString(in, tag, "AttributeProto.s");
                case OnnxFieldNumbers.Attribute.T -> t = nested(in, tag, "AttributeProto.t", ProtoReader::tensor);
                case OnnxFieldNumbers.Attribute.FLOATS -> readFloats(in, tag, "AttributeProto.floats", floats);
                case OnnxFieldNumbers.Attribute.INTS -> readLongs(in, tag, "AttributeProto.ints", ints);
                case OnnxFieldNumbers.Attribute.TYPE -> type = (int) readVarint(in, tag, "AttributeProto.type");
                default -> skip(in, tag);
            }
        }
        return new OnnxAttribute(name, type, f, i, s, t, floats.toArray(), ints.toArray());
    }

    private static OnnxTensor tensor(CodedInputStream in) throws IOException {
        LongList dims = new LongList();
        int dataType = 0;
        FloatList floatData = new FloatList();
        LongList int64Data = new LongList();
        LongList int32Data = new LongList();
        String name = "";
        byte[] raw = null;
        boolean externalData = false;
        Map<String, String> externalInfo = new LinkedHashMap<>();
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case OnnxFieldNumbers.Tensor.DIMS -> readLongs(in, tag, "TensorProto.dims", dims);
                case OnnxFieldNumbers.Tensor.DATA_TYPE -> dataType = (int) readVarint(in, tag, "TensorProto.data_type");
                case OnnxFieldNumbers.Tensor.FLOAT_DATA -> readFloats(in, tag, "TensorProto.float_data", floatData);
                case OnnxFieldNumbers.Tensor.INT64_DATA -> readLongs(in, tag, "TensorProto.int64_data", int64Data);
                case OnnxFieldNumbers.Tensor.INT32_DATA -> readLongs(in, tag, "TensorProto.int32_data", int32Data);
                case OnnxFieldNumbers.Tensor.NAME -> name = readString(in, tag, "TensorProto.name");
                case OnnxFieldNumbers.Tensor.RAW_DATA -> {
                    expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, "TensorProto.raw_data");
                    raw = in.readByteArray();
                }
                case OnnxFieldNumbers.Tensor.DATA_LOCATION ->
                        externalData = readVarint(in, tag, "TensorProto.data_location") == 1;
                case OnnxFieldNumbers.Tensor.EXTERNAL_DATA -> {
                    String[] kv = nested(in, tag, "TensorProto.external_data", ProtoReader::entry);
                    externalInfo.put(kv[0], kv[1]);
                }
                default -> skip(in, tag);
            }
        }
        if (externalData) {
            raw = externalBytes(name, externalInfo);
        }
        return buildTensor(name, dataType, dims.toArray(), floatData, int64Data, int32Data, raw);
    }

    private static OnnxTensor buildTensor(String name, int dataType, long[] dims, FloatList floatData,
                                          LongList int64Data, LongList int32Data, byte[] raw) throws IOException {
        long count = 1;
        for (long d : dims) {
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new InvalidProtocolBufferException("tensor '" + name + "' has dimension " + d);
            }
            count *= d;
            if (count > Integer.MAX_VALUE) {
                throw new InvalidProtocolBufferException("tensor '" + name + "' is too large: "
                        + Arrays.toString(dims));
            }
        }
        int n = (int) count;
        if (dataType == OnnxTensor.FLOAT) {
            float[] values = raw != null ? rawFloats(name, raw, n) : floatData.toArray();
            if (values.length != n) {
                throw new InvalidProtocolBufferException("tensor '" + name + "' of shape " + Arrays.toString(dims)
                        + " holds " + values.length + " floats");
            }
            return new OnnxTensor(name, dataType, dims, values, null);
        }
        if (dataType == OnnxTensor.INT64) {
            long[] values = raw != null ? rawLongs(name, raw, n) : int64Data.toArray();
            if (values.length != n) {
                throw new InvalidProtocolBufferException("tensor '" + name + "' of shape " + Arrays.toString(dims)
                        + " holds " + values.length + " int64 values");
            }
            return new OnnxTensor(name, dataType, dims, null, values);
        }
        if (OnnxTensor.holdsInts(dataType)) {
            int[] values = raw != null ? unpackInts(name, dataType, raw, n) : int32Values(name, dataType, int32Data, n);
            try {
                return OnnxTensor.ofInts(name, dataType, dims, values);
            } catch (IllegalArgumentException e) {
                throw new InvalidProtocolBufferException(e.getMessage());
            }
        }
        // Another element type: kept as a shape only, so the importer can name it in its error.
        return new OnnxTensor(name, dataType, dims, null, null);
    }

    private static byte[] externalBytes(String name, Map<String, String> info) throws IOException {
        ExternalData resolver = external.get();
        String location = info.get("location");
        if (location == null || location.isEmpty()) {
            throw new InvalidProtocolBufferException("tensor '" + name + "' is marked EXTERNAL but names no location");
        }
        if (resolver == null) {
            throw new OnnxLayerDecoder.Unsupported("tensor '" + name + "' keeps its data in external file '"
                    + location + "'; read the model from its file, so that the path can be resolved next to it");
        }
        long offset;
        long length;
        try {
            offset = Long.parseLong(info.getOrDefault("offset", "0"));
            length = info.containsKey("length") ? Long.parseLong(info.get("length")) : -1;
        } catch (NumberFormatException e) {
            throw new InvalidProtocolBufferException("tensor '" + name + "': external data offset/length "
                    + info + " are not integers");
        }
        return resolver.read(name, location, offset, length);
    }

    /** The inverse of {@link ProtoWriter#packInts}: 4-bit pairs low nibble first, bytes, little-endian 16-bit. */
    static int[] unpackInts(String name, int dataType, byte[] raw, int n) throws IOException {
        int bits = OnnxTensor.bitsPerElement(dataType);
        long expected = ((long) n * bits + 7) / 8;
        if (raw.length != expected) {
            throw new InvalidProtocolBufferException("tensor '" + name + "' has " + raw.length
                    + " bytes of raw_data, expected " + expected + " for " + n + " " + OnnxTensor.typeName(dataType)
                    + " values");
        }
        boolean signed = OnnxTensor.minValue(dataType) < 0;
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
            values[i] = switch (bits) {
                case 4 -> {
                    int nibble = (raw[i / 2] >> (4 * (i % 2))) & 0xF;
                    yield signed && nibble >= 8 ? nibble - 16 : nibble;
                }
                case 8 -> signed ? raw[i] : raw[i] & 0xFF;
                case 32 -> (raw[4 * i] & 0xFF) | (raw[4 * i + 1] & 0xFF) << 8 | (raw[4 * i + 2] & 0xFF) << 16
                        | (raw[4 * i + 3] & 0xFF) << 24;
                default -> (raw[2 * i] & 0xFF) | (raw[2 * i + 1] & 0xFF) << 8;
            };
        }
        return values;
    }

    /** int32_data holds one element per entry, except 4-bit types: two packed per entry, low nibble first. */
    private static int[] int32Values(String name, int dataType, LongList int32Data, int n) throws IOException {
        long[] entries = int32Data.toArray();
        if (OnnxTensor.bitsPerElement(dataType) == 4) {
            byte[] packed = new byte[entries.length];
            for (int i = 0; i < entries.length; i++) {
                packed[i] = (byte) entries[i];
            }
            return unpackInts(name, dataType, packed, n);
        }
        if (entries.length != n) {
            throw new InvalidProtocolBufferException("tensor '" + name + "' holds " + entries.length
                    + " int32_data values, expected " + n);
        }
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
            int v = (int) entries[i];
            values[i] = switch (dataType) {
                case OnnxTensor.INT8 -> (byte) v;
                case OnnxTensor.UINT8 -> v & 0xFF;
                case OnnxTensor.INT32 -> v;
                default -> v & 0xFFFF;
            };
        }
        return values;
    }

    private static float[] rawFloats(String name, byte[] raw, int n) throws IOException {
        if (raw.length != 4L * n) {
            throw new InvalidProtocolBufferException("tensor '" + name + "' has " + raw.length
                    + " bytes of raw_data, expected " + 4L * n);
        }
        float[] values = new float[n];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    private static long[] rawLongs(String name, byte[] raw, int n) throws IOException {
        if (raw.length != 8L * n) {
            throw new InvalidProtocolBufferException("tensor '" + name + "' has " + raw.length
                    + " bytes of raw_data, expected " + 8L * n);
        }
        long[] values = new long[n];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(values);
        return values;
    }

    private static OnnxValueInfo valueInfo(CodedInputStream in) throws IOException {
        String name = "";
        OnnxValueInfo type = new OnnxValueInfo("", 0, List.of(), "");
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case OnnxFieldNumbers.ValueInfo.NAME -> name = readString(in, tag, "ValueInfoProto.name");
                case OnnxFieldNumbers.ValueInfo.TYPE -> type = nested(in, tag, "ValueInfoProto.type", ProtoReader::type);
                default -> skip(in, tag);
            }
        }
        return new OnnxValueInfo(name, type.elemType(), type.dims(), type.denotation());
    }

    /** TypeProto, returned as a nameless value info; non-tensor types come back with element type 0. */
    private static OnnxValueInfo type(CodedInputStream in) throws IOException {
        OnnxValueInfo tensorType = new OnnxValueInfo("", 0, List.of(), "");
        String denotation = "";
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case OnnxFieldNumbers.Type.TENSOR_TYPE ->
                        tensorType = nested(in, tag, "TypeProto.tensor_type", ProtoReader::tensorType);
                case OnnxFieldNumbers.Type.DENOTATION -> denotation = readString(in, tag, "TypeProto.denotation");
                default -> skip(in, tag);
            }
        }
        return new OnnxValueInfo("", tensorType.elemType(), tensorType.dims(), denotation);
    }

    private static OnnxValueInfo tensorType(CodedInputStream in) throws IOException {
        int elemType = 0;
        List<OnnxValueInfo.Dimension> dims = new ArrayList<>();
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case OnnxFieldNumbers.TensorType.ELEM_TYPE -> elemType = (int) readVarint(in, tag, "TypeProto.Tensor.elem_type");
                case OnnxFieldNumbers.TensorType.SHAPE -> dims = nested(in, tag, "TypeProto.Tensor.shape", ProtoReader::shape);
                default -> skip(in, tag);
            }
        }
        return new OnnxValueInfo("", elemType, dims, "");
    }

    private static List<OnnxValueInfo.Dimension> shape(CodedInputStream in) throws IOException {
        List<OnnxValueInfo.Dimension> dims = new ArrayList<>();
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (WireFormat.getTagFieldNumber(tag) == OnnxFieldNumbers.Shape.DIM) {
                dims.add(nested(in, tag, "TensorShapeProto.dim", ProtoReader::dimension));
            } else {
                skip(in, tag);
            }
        }
        return dims;
    }

    /** A dimension with neither value nor parameter is unknown; it reads as the symbol "?". */
    private static OnnxValueInfo.Dimension dimension(CodedInputStream in) throws IOException {
        OnnxValueInfo.Dimension dim = OnnxValueInfo.Dimension.symbolic("?");
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case OnnxFieldNumbers.Shape.DIM_VALUE -> dim = OnnxValueInfo.Dimension.fixed(
                        readVarint(in, tag, "TensorShapeProto.Dimension.dim_value"));
                case OnnxFieldNumbers.Shape.DIM_PARAM -> dim = OnnxValueInfo.Dimension.symbolic(
                        readString(in, tag, "TensorShapeProto.Dimension.dim_param"));
                default -> skip(in, tag);
            }
        }
        return dim;
    }

    private static OnnxModelProto.OpsetId opset(CodedInputStream in) throws IOException {
        String domain = "";
        long version = 0;
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case OnnxFieldNumbers.OpsetId.DOMAIN -> domain = readString(in, tag, "OperatorSetIdProto.domain");
                case OnnxFieldNumbers.OpsetId.VERSION -> version = readVarint(in, tag, "OperatorSetIdProto.version");
                default -> skip(in, tag);
            }
        }
        return new OnnxModelProto.OpsetId(domain, version);
    }

    private static String[] entry(CodedInputStream in) throws IOException {
        String key = "";
        String value = "";
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case OnnxFieldNumbers.Entry.KEY -> key = readString(in, tag, "StringStringEntryProto.key");
                case OnnxFieldNumbers.Entry.VALUE -> value = readString(in, tag, "StringStringEntryProto.value");
                default -> skip(in, tag);
            }
        }
        return new String[] {key, value};
    }

    private static <T> T nested(CodedInputStream in, int tag, String field, Parser<T> parser) throws IOException {
        expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, field);
        int length = in.readRawVarint32();
        if (length < 0) {
            throw new InvalidProtocolBufferException(field + " has a negative length");
        }
        int oldLimit = in.pushLimit(length);
        T value = parser.parse(in);
        if (in.getBytesUntilLimit() != 0) {
            throw new InvalidProtocolBufferException(field + " ends inside a field");
        }
        in.popLimit(oldLimit);
        return value;
    }

    private static String readString(CodedInputStream in, int tag, String field) throws IOException {
        expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, field);
        return new String(in.readByteArray(), StandardCharsets.UTF_8);
    }

    private static long readVarint(CodedInputStream in, int tag, String field) throws IOException {
        expect(tag, WireFormat.WIRETYPE_VARINT, field);
        return in.readInt64();
    }

    private static void readLongs(CodedInputStream in, int tag, String field, LongList out) throws IOException {
        if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int oldLimit = in.pushLimit(in.readRawVarint32());
            while (in.getBytesUntilLimit() > 0) {
                out.add(in.readInt64());
            }
            in.popLimit(oldLimit);
        } else {
            out.add(readVarint(in, tag, field));
        }
    }

    private static void readFloats(CodedInputStream in, int tag, String field, FloatList out) throws IOException {
        if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int oldLimit = in.pushLimit(in.readRawVarint32());
            while (in.getBytesUntilLimit() > 0) {
                out.add(in.readFloat());
            }
            in.popLimit(oldLimit);
        } else {
            expect(tag, WireFormat.WIRETYPE_FIXED32, field);
            out.add(in.readFloat());
        }
    }

    private static void expect(int tag, int wireType, String field) throws IOException {
        if (WireFormat.getTagWireType(tag) != wireType) {
            throw new InvalidProtocolBufferException(field + " (field " + WireFormat.getTagFieldNumber(tag)
                    + ") has wire type " + WireFormat.getTagWireType(tag) + ", expected " + wireType);
        }
    }

    private static void skip(CodedInputStream in, int tag) throws IOException {
        if (!in.skipField(tag)) {
            throw new InvalidProtocolBufferException("unexpected end-group tag for field "
                    + WireFormat.getTagFieldNumber(tag));
        }
    }

    private static final class LongList {
        private long[] data = new long[8];
        private int size;

        void add(long v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }

    private static final class FloatList {
        private float[] data = new float[8];
        private int size;

        void add(float v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        float[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
