package dev.gancompress.compress.encode;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Model;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.onnx.OnnxModelProto;
import dev.gancompress.onnx.OnnxTensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GczContainerTest {
    static byte[] smallFile() {
        return GczWriter.encode(OnnxExporter.toProto(GczFixtures.prunedAndShared(3), Map.of())).bytes();
    }

    private static void assertSameInitializers(OnnxModelProto a, OnnxModelProto b) {
        List<OnnxTensor> x = a.graph().initializers();
        List<OnnxTensor> y = b.graph().initializers();
        assertEquals(x.size(), y.size());
        for (int i = 0; i < x.size(); i++) {
            OnnxTensor s = x.get(i);
            OnnxTensor t = y.get(i);
            assertEquals(s.name(), t.name());
            assertEquals(s.dataType(), t.dataType(), s.name());
            assertArrayEquals(s.dims(), t.dims(), s.name());
            if (s.floats() != null) {
                for (int k = 0; k < s.floats().length; k++) {
                    assertEquals(Float.floatToRawIntBits(s.floats()[k]), Float.floatToRawIntBits(t.floats()[k]),
                            s.name() + "[" + k + "]");
                }
            }
            assertArrayEquals(s.ints(), t.ints(), s.name());
            assertArrayEquals(s.longs(), t.longs(), s.name());
        }
    }

    private static void assertSameWeights(Model a, Model b) {
        Map<String, WeightSlot> x = a.weightSlots();
        Map<String, WeightSlot> y = b.weightSlots();
        assertEquals(x.keySet(), y.keySet());
        for (String k : x.keySet()) {
            float[] p = x.get(k).weights().data();
            float[] q = y.get(k).weights().data();
            assertEquals(p.length, q.length, k);
            for (int i = 0; i < p.length; i++) {
                assertEquals(Float.floatToRawIntBits(p[i]), Float.floatToRawIntBits(q[i]), k + "[" + i + "]");
            }
            assertEquals(x.get(k).weights().storage(), y.get(k).weights().storage(), k);
        }
    }

    @Test
    void roundTripIsBitExactForEveryLayerTypeAndStorageKind() {
        Set<String> kinds = new java.util.TreeSet<>();
        for (Model m : List.of(GczFixtures.everyStorageKind(1), GczFixtures.conditionalBf16(2),
                GczFixtures.prunedAndShared(3))) {
            OnnxModelProto proto = OnnxExporter.toProto(m, Map.of("command", "test"));
            GczWriter.Encoded enc = GczWriter.encode(proto);
            GczContents back = GczReader.read(enc.bytes(), m.name());
            assertSameInitializers(proto, back.proto());
            assertEquals(proto.metadata(), back.proto().metadata());
            assertEquals(proto.graph().nodes().size(), back.proto().graph().nodes().size());
            Model original = OnnxImporter.fromProto(proto, "original");
            assertSameWeights(original, OnnxImporter.fromProto(back.proto(), "decoded"));
            assertSameWeights(m, OnnxImporter.fromProto(back.proto(), "decoded"));
            assertEquals(enc.bytes().length, back.fileBytes());
            assertEquals(enc.contents().tensors().stream().map(GczTensorReport::codecs).toList(),
                    back.tensors().stream().map(GczTensorReport::codecs).toList());
            for (WeightSlot s : m.weightSlots().values()) {
                kinds.add(s.weights().storage().kind());
            }
        }
        assertEquals(new java.util.TreeSet<>(List.of("fp32", "int8", "int8-narrow", "int4-narrow", "ternary", "binary", "fp16",
                "bf16", "codebook")), kinds);
    }

    @Test
    void prunedAndSharedTensorsAreCodedSparseAndByIndex() {
        GczContents c = GczReader.read(smallFile(), "small");
        Map<String, GczTensorReport> byName = c.tensors().stream()
                .collect(Collectors.toMap(GczTensorReport::name, t -> t));
        GczTensorReport pruned = byName.get("c1.weight");
        assertTrue(pruned.layout().startsWith("relative") || pruned.layout().equals("csr"), pruned.toString());
        GczTensorReport shared = byName.get("score.weight");
        assertEquals("codebook", shared.storage());
        assertEquals("dictionary-4", shared.values());
    }

    @Test
    void aFlippedBitAnywhereIsDetected() {
        byte[] good = smallFile();
        java.util.Random rnd = new java.util.Random(7);
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= (byte) (1 << rnd.nextInt(8));
            GanCompressException e = assertThrows(GanCompressException.class, () -> GczReader.read(bad, "m.gcz"),
                    "flip at byte " + i);
            assertTrue(e.getMessage().matches(".*(CRC32C mismatch|truncated|not a \\.gcz file|claims).*"),
                    "byte " + i + ": " + e.getMessage());
            assertTrue(e.getMessage().startsWith(".gcz file m.gcz"), e.getMessage());
        }
    }

    @Test
    void truncatedFilesAreRejectedClearly() {
        byte[] good = smallFile();
        for (int n = 0; n < good.length; n++) {
            byte[] cut = Arrays.copyOf(good, n);
            GanCompressException e = assertThrows(GanCompressException.class, () -> GczReader.read(cut, "m.gcz"));
            assertTrue(e.getMessage().contains("truncated"), n + ": " + e.getMessage());
        }
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertTrue(assertThrows(GanCompressException.class, () -> GczReader.read(longer, "m.gcz")).getMessage()
                .contains("unexpected bytes after the end section"));
    }

    @Test
    void newerVersionsAreRejectedClearly() {
        byte[] file = smallFile();
        file[9] = 2; // version 2, with a header CRC that matches it
        int crc = GczFormat.crc(Arrays.copyOf(file, 12));
        file[12] = (byte) (crc >>> 24);
        file[13] = (byte) (crc >>> 16);
        file[14] = (byte) (crc >>> 8);
        file[15] = (byte) crc;
        GanCompressException e = assertThrows(GanCompressException.class, () -> GczReader.read(file, "m.gcz"));
        assertEquals(".gcz file m.gcz: format version 2 is newer than this build reads (up to 1); use a newer "
                + "gancompress", e.getMessage());
    }

    @Test
    void lengthFieldsAreCheckedBeforeAllocating() {
        // a section claiming 1 GiB in a 20-byte file: refused at the file's end, after reading what is there
        byte[] file = Arrays.copyOf(smallFile(), GczFormat.HEADER_BYTES + 5 + 3);
        file[GczFormat.HEADER_BYTES + 1] = 0x40;
        file[GczFormat.HEADER_BYTES + 2] = 0;
        file[GczFormat.HEADER_BYTES + 3] = 0;
        file[GczFormat.HEADER_BYTES + 4] = 0;
        assertTrue(assertThrows(GanCompressException.class, () -> GczReader.read(file, "m.gcz")).getMessage()
                .contains("truncated"));
        file[GczFormat.HEADER_BYTES + 1] = 0x7F;
        assertTrue(assertThrows(GanCompressException.class, () -> GczReader.read(file, "m.gcz")).getMessage()
                .contains("more than the 1073741824 a section may hold"));
        // a tensor section with a valid CRC whose shape claims 2^40 elements
        ByteSink d = new ByteSink();
        d.string("t");
        d.varint(0);
        d.u8(OnnxTensor.FLOAT);
        d.u8(2);
        d.varint(1L << 20);
        d.varint(1L << 20);
        GanCompressException e = assertThrows(GanCompressException.class, () -> GczReader.read(
                GczFuzzTest.withTensorSection(smallFile(), d.toByteArray()), "m.gcz"));
        assertTrue(e.getMessage().contains("exceeds 67108864 elements"), e.getMessage());
        // an empty tensor of 2^26 rows in CSR layout: the row-count stream would be 2^26 symbols from no bytes
        ByteSink csr = new ByteSink();
        csr.string("t");
        csr.varint(0);
        csr.u8(OnnxTensor.FLOAT);
        csr.u8(2);
        csr.varint(1L << 26);
        csr.varint(0);
        csr.string("fp32");
        csr.u8(TensorCodec.CSR);
        csr.u8(TensorCodec.DICTIONARY);
        csr.varint(0);
        csr.varint(0);
        GanCompressException rows = assertThrows(GanCompressException.class, () -> GczReader.read(
                GczFuzzTest.withTensorSection(smallFile(), csr.toByteArray()), "m.gcz"));
        assertTrue(rows.getMessage().contains("a CSR layout of 67108864 rows for 0 elements"), rows.getMessage());
    }
}
