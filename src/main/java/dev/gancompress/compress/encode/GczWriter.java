package dev.gancompress.compress.encode;

import dev.gancompress.AtomicFiles;
import dev.gancompress.model.Model;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxGraph;
import dev.gancompress.onnx.OnnxModelProto;
import dev.gancompress.onnx.OnnxTensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes the .gcz container (docs/FORMAT.md): the model's ONNX graph with its stored tensors taken out, then one
 * section per tensor coded by {@link TensorCodec} (the smallest of raw, Huffman and rANS, dense or sparse), then
 * an end section; every section carries a CRC32C. The weights a reader gets back are the ONNX initializers this
 * writer saw, bit for bit, so a model decodes to exactly the model that was encoded.
 */
public final class GczWriter {
    /** Metadata prefix of a tensor's storage kind, as the ONNX exporter writes it. */
    static final String STORAGE_PREFIX = "gancompress.storage.";

    private GczWriter() {
    }

    /** Encodes {@code model} (exported to ONNX with {@code provenance}) into {@code file}, atomically. */
    public static GczContents write(Model model, Path file, Map<String, String> provenance) {
        Encoded e = encode(OnnxExporter.toProto(model, provenance));
        AtomicFiles.writeBytes(file, e.bytes);
        return e.contents;
    }

    /** The file's bytes and what each tensor became. */
    public record Encoded(byte[] bytes, GczContents contents) {
    }

    public static Encoded encode(OnnxModelProto proto) {
        return encode(proto, CodedStream.CODECS);
    }

    /**
     * With the streams' codecs limited to {@code codecs} among "raw", "huffman", "rans" (raw is always allowed): the
     * stages of a Deep-Compression table (fixed-width codes only, Huffman only, rANS only).
     */
    public static Encoded encode(OnnxModelProto proto, java.util.Set<String> codecs) {
        List<EntropyCodec> allowed = new ArrayList<>();
        for (EntropyCodec c : CodedStream.CODECS) {
            if (c == RawCodec.INSTANCE || codecs.contains(c.name())) {
                allowed.add(c);
            }
        }
        return encode(proto, allowed);
    }

    private static Encoded encode(OnnxModelProto proto, List<EntropyCodec> codecs) {
        List<OnnxTensor> kept = new ArrayList<>();
        List<Integer> codedIndex = new ArrayList<>();
        List<OnnxTensor> coded = new ArrayList<>();
        List<OnnxTensor> initializers = proto.graph().initializers();
        for (int i = 0; i < initializers.size(); i++) {
            OnnxTensor t = initializers.get(i);
            if (TensorSymbols.supports(t)) {
                coded.add(t);
                codedIndex.add(i);
            } else {
                kept.add(t); // int64 shapes and foreign types stay in the graph section as ONNX
            }
        }
        OnnxGraph g = proto.graph();
        OnnxModelProto stripped = new OnnxModelProto(proto.irVersion(), proto.producerName(),
                proto.producerVersion(), proto.opsets(), new OnnxGraph(g.name(), g.nodes(), kept, g.inputs(),
                g.outputs()), proto.metadata());
        ByteSink out = new ByteSink();
        byte[] header = new byte[GczFormat.HEADER_BYTES - 4];
        System.arraycopy(GczFormat.MAGIC, 0, header, 0, GczFormat.MAGIC.length);
        header[GczFormat.MAGIC.length] = (byte) (GczFormat.VERSION >>> 8);
        header[GczFormat.MAGIC.length + 1] = (byte) GczFormat.VERSION;
        out.bytes(header);
        out.u32(GczFormat.crc(header));
        byte[] graph = OnnxExporter.toBytes(stripped);
        int graphSection = section(out, GczFormat.SECTION_GRAPH, graph);
        List<GczTensorReport> reports = new ArrayList<>();
        for (int i = 0; i < coded.size(); i++) {
            OnnxTensor t = coded.get(i);
            ByteSink d = new ByteSink();
            d.string(t.name());
            d.varint(codedIndex.get(i));
            d.u8(t.dataType());
            d.u8(t.rank());
            for (long dim : t.dims()) {
                d.varint(dim);
            }
            String kind = storageKind(t, proto.metadata());
            d.string(kind);
            TensorCodec.Choice choice = TensorCodec.encode(TensorSymbols.of(t), rows(t.dims()), codecs);
            d.bytes(choice.payload());
            int bytes = section(out, GczFormat.SECTION_TENSOR, d.toByteArray());
            reports.add(new GczTensorReport(t.name(), kind, t.size(), bytes, choice.layout(), choice.values(),
                    choice.codecs(), choice.entropyBits()));
        }
        ByteSink end = new ByteSink();
        end.varint(coded.size());
        section(out, GczFormat.SECTION_END, end.toByteArray());
        byte[] bytes = out.toByteArray();
        return new Encoded(bytes, new GczContents(proto, reports, graphSection, bytes.length));
    }

    /** Rows of the CSR layout: the leading axis of a matrix or kernel, 1 for vectors and scalars. */
    static int rows(long[] dims) {
        return dims.length >= 2 ? (int) dims[0] : 1;
    }

    /** Writes type, length, payload and CRC32C of the three; returns the section's size. */
    private static int section(ByteSink out, int type, byte[] payload) {
        byte[] head = {(byte) type, (byte) (payload.length >>> 24), (byte) (payload.length >>> 16),
                (byte) (payload.length >>> 8), (byte) payload.length};
        out.bytes(head);
        out.bytes(payload);
        out.u32(GczFormat.crc(head, payload));
        return head.length + payload.length + 4;
    }

    /** The IR storage kind behind an initializer: its own metadata entry, its QDQ/Cast base's, else fp32. */
    static String storageKind(OnnxTensor t, Map<String, String> metadata) {
        String own = metadata.get(STORAGE_PREFIX + t.name());
        if (own != null) {
            return own;
        }
        int dot = t.name().lastIndexOf('.');
        if (dot > 0) {
            String base = metadata.get(STORAGE_PREFIX + t.name().substring(0, dot));
            String suffix = t.name().substring(dot + 1);
            if (base != null) {
                return suffix.equals("quantized") || suffix.equals("half") ? base : base + " " + suffix;
            }
        }
        return OnnxTensor.typeName(t.dataType()).replace("float32", "fp32");
    }
}
