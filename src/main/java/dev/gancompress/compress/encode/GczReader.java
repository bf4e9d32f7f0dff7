package dev.gancompress.compress.encode;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Model;
import dev.gancompress.onnx.FiniteWeights;
import dev.gancompress.onnx.OnnxGraph;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.onnx.OnnxModelProto;
import dev.gancompress.onnx.OnnxTensor;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a .gcz container as a stream, section by section (docs/FORMAT.md). Every section's CRC32C is checked
 * before anything in it is interpreted, and every length is checked against the format's bounds and the bytes
 * that remain before anything is allocated; a section's payload is read in 1 MiB pieces, so a length field
 * claiming more than the file holds fails at the file's end instead of allocating. All failures are a
 * {@link GanCompressException} naming the file, the section and what was expected.
 */
public final class GczReader {
    private final InputStream in;
    private final String source;
    private long offset;

    private GczReader(InputStream in, String source) {
        this.in = in;
        this.source = source;
    }

    /** Whether {@code file} starts with the .gcz magic (so a renamed file is still recognised). */
    public static boolean isGcz(Path file) {
        try (InputStream s = Files.newInputStream(file)) {
            return Arrays.equals(s.readNBytes(GczFormat.MAGIC.length), GczFormat.MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    public static GczContents read(Path file) {
        try (InputStream s = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(s, file.toString());
        } catch (NoSuchFileException e) {
            throw new GanCompressException(".gcz file " + file + " does not exist");
        } catch (IOException e) {
            throw new GanCompressException("cannot read .gcz file " + file + ": " + e.getMessage(), e);
        }
    }

    public static GczContents read(byte[] bytes, String source) {
        try {
            return read(new ByteArrayInputStream(bytes), source);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static GczContents read(InputStream in, String source) throws IOException {
        return new GczReader(in, source).readAll();
    }

    /** The model a .gcz file holds; refuses NaN or infinite weights as every model reader does. */
    public static Model readModel(Path file) {
        return FiniteWeights.require(readModelForInspection(file), file.toString());
    }

    public static Model readModelForInspection(Path file) {
        return OnnxImporter.fromProto(read(file).proto(), file.toString());
    }

    private GanCompressException error(String what) {
        return new GanCompressException(".gcz file " + source + ": " + what);
    }

    private byte[] readExactly(int n, String what) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(n, GczFormat.READ_CHUNK));
        byte[] chunk = new byte[Math.min(n, GczFormat.READ_CHUNK)];
        int left = n;
        while (left > 0) {
            int got = in.readNBytes(chunk, 0, Math.min(left, chunk.length));
            if (got == 0) {
                throw error("truncated: " + what + " needs " + n + " bytes at offset " + offset + ", the file ends "
                        + (n - left) + " bytes into it");
            }
            out.write(chunk, 0, got);
            left -= got;
        }
        offset += n;
        return out.toByteArray();
    }

    private GczContents readAll() throws IOException {
        byte[] header = readExactly(GczFormat.HEADER_BYTES, "the header");
        if (!Arrays.equals(Arrays.copyOf(header, GczFormat.MAGIC.length), GczFormat.MAGIC)) {
            throw error("not a .gcz file (the first 8 bytes are not the .gcz magic 89 47 43 5A 0D 0A 1A 0A)");
        }
        int body = GczFormat.HEADER_BYTES - 4;
        ByteSource h = new ByteSource(header, body, 4, "header");
        if (h.u32("header CRC") != GczFormat.crc(Arrays.copyOf(header, body))) {
            throw error("header CRC32C mismatch: the file is corrupt");
        }
        int version = ((header[8] & 0xFF) << 8) | (header[9] & 0xFF);
        if (version > GczFormat.VERSION) {
            throw error("format version " + version + " is newer than this build reads (up to "
                    + GczFormat.VERSION + "); use a newer gancompress");
        }
        if (version < 1) {
            throw error("format version " + version + " is not a valid version (expected 1)");
        }
        if (header[10] != 0 || header[11] != 0) {
            throw error("reserved header flags are " + (((header[10] & 0xFF) << 8) | (header[11] & 0xFF))
                    + "; version " + GczFormat.VERSION + " requires 0");
        }
        Section graph = section();
        if (graph.type != GczFormat.SECTION_GRAPH) {
            throw error("section at offset " + graph.offset + " is " + GczFormat.sectionName(graph.type)
                    + "; expected the graph section first");
        }
        OnnxModelProto stripped = OnnxImporter.parse(graph.payload, source + " (graph section)");
        List<OnnxTensor> coded = new ArrayList<>();
        List<Integer> indices = new ArrayList<>();
        List<GczTensorReport> reports = new ArrayList<>();
        long elements = 0;
        while (true) {
            Section s = section();
            if (s.type == GczFormat.SECTION_END) {
                ByteSource end = new ByteSource(s.payload, "end section at offset " + s.offset);
                long count = end.varint("tensor count", GczFormat.MAX_TENSORS);
                end.expectEnd("the tensor count");
                if (count != coded.size()) {
                    throw error("the end section counts " + count + " tensors, the file holds " + coded.size());
                }
                if (in.read() != -1) {
                    throw error("unexpected bytes after the end section at offset " + offset);
                }
                break;
            }
            if (s.type != GczFormat.SECTION_TENSOR) {
                throw error("section at offset " + s.offset + " is " + GczFormat.sectionName(s.type)
                        + "; expected a tensor or the end section");
            }
            if (coded.size() >= GczFormat.MAX_TENSORS) {
                throw error("more than " + GczFormat.MAX_TENSORS + " tensors");
            }
            ByteSource d = new ByteSource(s.payload, source + ": tensor section at offset " + s.offset);
            String name = d.string("tensor name", GczFormat.MAX_NAME);
            d = new ByteSource(s.payload, s.payload.length - d.remaining(), d.remaining(),
                    source + ": tensor '" + name + "'");
            int index = d.varintInt("initializer index", GczFormat.MAX_TENSORS);
            int type = d.u8("data type");
            if (type != OnnxTensor.FLOAT && !OnnxTensor.holdsInts(type)) {
                throw d.error("data type " + type + " is not one the container codes (float32, float16, bfloat16, "
                        + "int8, uint8, int4, uint4)");
            }
            int rank = d.u8("rank");
            if (rank > GczFormat.MAX_RANK) {
                throw d.error("rank " + rank + " exceeds " + GczFormat.MAX_RANK);
            }
            long[] dims = new long[rank];
            long size = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = d.varint("dimension " + i, GczFormat.MAX_TENSOR_ELEMENTS);
                size *= dims[i];
                if (size > GczFormat.MAX_TENSOR_ELEMENTS) {
                    throw d.error("shape " + Arrays.toString(Arrays.copyOf(dims, i + 1)) + " exceeds "
                            + GczFormat.MAX_TENSOR_ELEMENTS + " elements");
                }
            }
            elements += size;
            if (elements > GczFormat.MAX_ELEMENTS) {
                throw d.error("the tensors together exceed " + GczFormat.MAX_ELEMENTS + " elements");
            }
            String kind = d.string("storage kind", 64);
            TensorCodec.Decoded t = TensorCodec.decode(d, type, (int) size, GczWriter.rows(dims));
            coded.add(t.symbols().toTensor(name, dims));
            indices.add(index);
            reports.add(new GczTensorReport(name, kind, size, s.size(), t.layout(), t.values(), t.codecs(),
                    t.entropyBits()));
        }
        return new GczContents(reassemble(stripped, coded, indices), reports, graph.size(), offset);
    }

    /** Puts the coded tensors back at their initializer indices, the graph's own initializers in the gaps. */
    private OnnxModelProto reassemble(OnnxModelProto stripped, List<OnnxTensor> coded, List<Integer> indices) {
        OnnxGraph g = stripped.graph();
        int total = g.initializers().size() + coded.size();
        OnnxTensor[] all = new OnnxTensor[total];
        for (int i = 0; i < coded.size(); i++) {
            int index = indices.get(i);
            if (index >= total || all[index] != null) {
                throw error("tensor '" + coded.get(i).name() + "' claims initializer index " + index + ", which is "
                        + (index >= total ? "past the " + total + " initializers" : "taken twice"));
            }
            all[index] = coded.get(i);
        }
        int next = 0;
        for (int i = 0; i < total; i++) {
            if (all[i] == null) {
                all[i] = g.initializers().get(next++);
            }
        }
        return new OnnxModelProto(stripped.irVersion(), stripped.producerName(), stripped.producerVersion(),
                stripped.opsets(), new OnnxGraph(g.name(), g.nodes(), List.of(all), g.inputs(), g.outputs()),
                stripped.metadata());
    }

    private record Section(int type, byte[] payload, long offset) {
        int size() {
            return 5 + payload.length + 4;
        }
    }

    private Section section() throws IOException {
        long start = offset;
        int type = in.read();
        if (type < 0) {
            throw error("truncated: the file ends at offset " + offset + " before its end section");
        }
        offset++;
        byte[] len = readExactly(4, "a section length");
        int length = ((len[0] & 0xFF) << 24) | ((len[1] & 0xFF) << 16) | ((len[2] & 0xFF) << 8) | (len[3] & 0xFF);
        if (length < 0 || length > GczFormat.MAX_SECTION) {
            throw error("section at offset " + start + " claims " + Integer.toUnsignedString(length)
                    + " bytes, more than the " + GczFormat.MAX_SECTION + " a section may hold (corrupt)");
        }
        byte[] payload = readExactly(length, GczFormat.sectionName(type) + " section at offset " + start);
        byte[] crc = readExactly(4, "the CRC of the section at offset " + start);
        int stored = ((crc[0] & 0xFF) << 24) | ((crc[1] & 0xFF) << 16) | ((crc[2] & 0xFF) << 8) | (crc[3] & 0xFF);
        byte[] head = {(byte) type, len[0], len[1], len[2], len[3]};
        if (stored != GczFormat.crc(head, payload)) {
            throw error("CRC32C mismatch in the " + GczFormat.sectionName(type) + " section at offset " + start
                    + " (" + length + " bytes): the file is corrupt");
        }
        return new Section(type, payload, start);
    }
}
