package dev.gancompress.onnx;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * Encodes {@link OnnxModelProto} as protobuf wire bytes. Each nested message is encoded to its own byte array
 * first and then written as a length-delimited field, which costs a copy per nesting level but keeps every
 * message writer independent of size precomputation. Weights go to raw_data as little-endian float32 (or, for
 * stored weights, packed integers and 16-bit patterns), the layout onnx.proto prescribes and ONNX Runtime maps
 * directly.
 */
final class ProtoWriter {
    private ProtoWriter() {
    }

    private interface Body {
        void writeTo(CodedOutputStream out) throws IOException;
    }

    static byte[] encode(OnnxModelProto model) {
        return encode(model, null);
    }

    /**
     * Where initializers go when they are written as external data (ONNX docs/ExternalData.md), as PyTorch does
     * for large models: every initializer of at least {@code minBytes} is appended to {@code data}, which the
     * caller saves as {@code location} next to the .onnx file.
     */
    record ExternalSink(String location, java.io.ByteArrayOutputStream data, int minBytes) {
    }

    /** @param external null to keep every tensor inside the file */
    static byte[] encode(OnnxModelProto model, ExternalSink external) {
        ProtoWriter.external.set(external);
        try {
            return encodeModel(model);
        } finally {
            ProtoWriter.external.remove();
        }
    }

    private static final ThreadLocal<ExternalSink> external = new ThreadLocal<>();

    private static byte[] encodeModel(OnnxModelProto model) {
        return message(out -> {
            out.writeInt64(OnnxFieldNumbers.Model.IR_VERSION, model.irVersion());
            out.writeString(OnnxFieldNumbers.Model.PRODUCER_NAME, model.producerName());
            out.writeString(OnnxFieldNumbers.Model.PRODUCER_VERSION, model.producerVersion());
            out.writeByteArray(OnnxFieldNumbers.Model.GRAPH, graph(model.graph()));
            for (OnnxModelProto.OpsetId id : model.opsets()) {
                out.writeByteArray(OnnxFieldNumbers.Model.OPSET_IMPORT, message(o -> {
                    o.writeString(OnnxFieldNumbers.OpsetId.DOMAIN, id.domain());
                    o.writeInt64(OnnxFieldNumbers.OpsetId.VERSION, id.version());
                }));
            }
            for (Map.Entry<String, String> e : model.metadata().entrySet()) {
                out.writeByteArray(OnnxFieldNumbers.Model.METADATA_PROPS, message(o -> {
                    o.writeString(OnnxFieldNumbers.Entry.KEY, e.getKey());
                    o.writeString(OnnxFieldNumbers.Entry.VALUE, e.getValue());
                }));
            }
        });
    }

    private static byte[] graph(OnnxGraph graph) {
        return message(out -> {
            for (OnnxNode node : graph.nodes()) {
                out.writeByteArray(OnnxFieldNumbers.Graph.NODE, node(node));
            }
            out.writeString(OnnxFieldNumbers.Graph.NAME, graph.name());
            for (OnnxTensor t : graph.initializers()) {
                out.writeByteArray(OnnxFieldNumbers.Graph.INITIALIZER, initializer(t));
            }
            for (OnnxValueInfo v : graph.inputs()) {
                out.writeByteArray(OnnxFieldNumbers.Graph.INPUT, valueInfo(v));
            }
            for (OnnxValueInfo v : graph.outputs()) {
                out.writeByteArray(OnnxFieldNumbers.Graph.OUTPUT, valueInfo(v));
            }
        });
    }

    private static byte[] node(OnnxNode node) {
        return message(out -> {
            for (String in : node.inputs()) {
                out.writeString(OnnxFieldNumbers.Node.INPUT, in);
            }
            for (String o : node.outputs()) {
                out.writeString(OnnxFieldNumbers.Node.OUTPUT, o);
            }
            out.writeString(OnnxFieldNumbers.Node.NAME, node.name());
            out.writeString(OnnxFieldNumbers.Node.OP_TYPE, node.opType());
            for (OnnxAttribute a : node.attributes()) {
                out.writeByteArray(OnnxFieldNumbers.Node.ATTRIBUTE, attribute(a));
            }
            if (!node.domain().isEmpty()) {
                out.writeString(OnnxFieldNumbers.Node.DOMAIN, node.domain());
            }
        });
    }

    private static byte[] attribute(OnnxAttribute a) {
        return message(out -> {
            out.writeString(OnnxFieldNumbers.Attribute.NAME, a.name());
            switch (a.type()) {
                case OnnxAttribute.FLOAT -> out.writeFloat(OnnxFieldNumbers.Attribute.F, a.f());
                case OnnxAttribute.INT -> out.writeInt64(OnnxFieldNumbers.Attribute.I, a.i());
                case OnnxAttribute.STRING -> out.writeString(OnnxFieldNumbers.Attribute.S, a.s());
                case OnnxAttribute.TENSOR -> out.writeByteArray(OnnxFieldNumbers.Attribute.T, tensor(a.t()));
                case OnnxAttribute.FLOATS -> {
                    for (float f : a.floats()) {
                        out.writeFloat(OnnxFieldNumbers.Attribute.FLOATS, f);
                    }
                }
                case OnnxAttribute.INTS -> {
                    for (long i : a.ints()) {
                        out.writeInt64(OnnxFieldNumbers.Attribute.INTS, i);
                    }
                }
                default -> throw new IllegalArgumentException("cannot write attribute '" + a.name() + "' of type "
                        + a.type());
            }
            out.writeEnum(OnnxFieldNumbers.Attribute.TYPE, a.type());
        });
    }

    private static byte[] initializer(OnnxTensor t) {
        ExternalSink sink = external.get();
        byte[] raw = rawData(t);
        if (sink == null || raw.length < sink.minBytes()) {
            return tensor(t);
        }
        long offset = sink.data().size();
        sink.data().writeBytes(raw);
        return message(out -> {
            for (long d : t.dims()) {
                out.writeInt64(OnnxFieldNumbers.Tensor.DIMS, d);
            }
            out.writeInt32(OnnxFieldNumbers.Tensor.DATA_TYPE, t.dataType());
            out.writeString(OnnxFieldNumbers.Tensor.NAME, t.name());
            String[][] entries = {{"location", sink.location()}, {"offset", Long.toString(offset)},
                    {"length", Integer.toString(raw.length)}};
            for (String[] kv : entries) {
                out.writeByteArray(OnnxFieldNumbers.Tensor.EXTERNAL_DATA, message(o -> {
                    o.writeString(OnnxFieldNumbers.Entry.KEY, kv[0]);
                    o.writeString(OnnxFieldNumbers.Entry.VALUE, kv[1]);
                }));
            }
            out.writeEnum(OnnxFieldNumbers.Tensor.DATA_LOCATION, 1);
        });
    }

    private static byte[] tensor(OnnxTensor t) {
        return message(out -> {
            // dims is a proto2 repeated int64 without [packed = true]: one tag per value.
            for (long d : t.dims()) {
                out.writeInt64(OnnxFieldNumbers.Tensor.DIMS, d);
            }
            out.writeInt32(OnnxFieldNumbers.Tensor.DATA_TYPE, t.dataType());
            out.writeString(OnnxFieldNumbers.Tensor.NAME, t.name());
            out.writeByteArray(OnnxFieldNumbers.Tensor.RAW_DATA, rawData(t));
        });
    }

    private static byte[] rawData(OnnxTensor t) {
        if (t.ints() != null) {
            return packInts(t.ints(), OnnxTensor.bitsPerElement(t.dataType()));
        }
        if (t.dataType() == OnnxTensor.FLOAT) {
            ByteBuffer buf = ByteBuffer.allocate(4 * t.floats().length).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(t.floats());
            return buf.array();
        }
        ByteBuffer buf = ByteBuffer.allocate(8 * t.longs().length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asLongBuffer().put(t.longs());
        return buf.array();
    }

    /**
     * Integer and 16-bit float elements as raw_data: 4-bit values two per byte, the first element in the low nibble
     * (onnx.proto, INT4/UINT4), the last byte padded with 0 for an odd count; bytes as they are; 16-bit patterns
     * little-endian.
     */
    static byte[] packInts(int[] values, int bits) {
        switch (bits) {
            case 4 -> {
                byte[] out = new byte[(values.length + 1) / 2];
                for (int i = 0; i < values.length; i++) {
                    out[i / 2] |= (byte) ((values[i] & 0xF) << (4 * (i % 2)));
                }
                return out;
            }
            case 8 -> {
                byte[] out = new byte[values.length];
                for (int i = 0; i < values.length; i++) {
                    out[i] = (byte) values[i];
                }
                return out;
            }
            case 16 -> {
                byte[] out = new byte[2 * values.length];
                for (int i = 0; i < values.length; i++) {
                    out[2 * i] = (byte) values[i];
                    out[2 * i + 1] = (byte) (values[i] >>> 8);
                }
                return out;
            }
            case 32 -> {
                ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
                buf.asIntBuffer().put(values);
                return buf.array();
            }
            default -> throw new IllegalArgumentException("cannot pack " + bits + "-bit elements");
        }
    }

    private static byte[] valueInfo(OnnxValueInfo v) {
        byte[] shape = message(out -> {
            for (OnnxValueInfo.Dimension d : v.dims()) {
                out.writeByteArray(OnnxFieldNumbers.Shape.DIM, message(o -> {
                    if (d.isSymbolic()) {
                        o.writeString(OnnxFieldNumbers.Shape.DIM_PARAM, d.param());
                    } else {
                        o.writeInt64(OnnxFieldNumbers.Shape.DIM_VALUE, d.value());
                    }
                }));
            }
        });
        byte[] tensorType = message(out -> {
            out.writeInt32(OnnxFieldNumbers.TensorType.ELEM_TYPE, v.elemType());
            out.writeByteArray(OnnxFieldNumbers.TensorType.SHAPE, shape);
        });
        byte[] type = message(out -> {
            out.writeByteArray(OnnxFieldNumbers.Type.TENSOR_TYPE, tensorType);
            if (!v.denotation().isEmpty()) {
                out.writeString(OnnxFieldNumbers.Type.DENOTATION, v.denotation());
            }
        });
        return message(out -> {
            out.writeString(OnnxFieldNumbers.ValueInfo.NAME, v.name());
            out.writeByteArray(OnnxFieldNumbers.ValueInfo.TYPE, type);
        });
    }

    private static byte[] message(Body body) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            body.writeTo(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            // A ByteArrayOutputStream does not fail; this only wraps the checked signature.
            throw new UncheckedIOException(e);
        }
    }
}
