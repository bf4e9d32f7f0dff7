package dev.gancompress.compress.encode;

import dev.gancompress.GanCompressException;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random mutations of a valid small .gcz file: the reader either decodes it or throws the format's own
 * GanCompressException, and never allocates more than a small multiple of the file (a length field that drove an
 * allocation unchecked would show here). A third of the mutations re-compute the CRC of the section they changed,
 * so the checks behind the CRC are fuzzed too.
 */
class GczFuzzTest {
    private static final int MUTATIONS = 12_000;
    /** Far above what decoding the small file needs (~100 KB), far below a length field's worth. */
    private static final long MAX_ALLOCATION = 32L << 20;

    /** Start offsets of the sections of a valid file (after the header). */
    static List<int[]> sections(byte[] file) {
        List<int[]> out = new ArrayList<>();
        int p = GczFormat.HEADER_BYTES;
        while (p < file.length) {
            int len = ((file[p + 1] & 0xFF) << 24) | ((file[p + 2] & 0xFF) << 16) | ((file[p + 3] & 0xFF) << 8)
                    | (file[p + 4] & 0xFF);
            out.add(new int[] {p, len});
            p += 5 + len + 4;
        }
        return out;
    }

    static void fixCrc(byte[] file, int start, int len) {
        int crc = GczFormat.crc(Arrays.copyOfRange(file, start, start + 5 + len));
        int at = start + 5 + len;
        file[at] = (byte) (crc >>> 24);
        file[at + 1] = (byte) (crc >>> 16);
        file[at + 2] = (byte) (crc >>> 8);
        file[at + 3] = (byte) crc;
    }

    /** {@code file} with its first tensor section replaced by one holding {@code payload}, CRC valid. */
    static byte[] withTensorSection(byte[] file, byte[] payload) {
        int[] first = sections(file).get(1);
        byte[] head = Arrays.copyOf(file, first[0]);
        byte[] tail = Arrays.copyOfRange(file, first[0] + 5 + first[1] + 4, file.length);
        byte[] out = new byte[head.length + 5 + payload.length + 4 + tail.length];
        System.arraycopy(head, 0, out, 0, head.length);
        out[head.length] = GczFormat.SECTION_TENSOR;
        out[head.length + 1] = (byte) (payload.length >>> 24);
        out[head.length + 2] = (byte) (payload.length >>> 16);
        out[head.length + 3] = (byte) (payload.length >>> 8);
        out[head.length + 4] = (byte) payload.length;
        System.arraycopy(payload, 0, out, head.length + 5, payload.length);
        fixCrc(out, head.length, payload.length);
        System.arraycopy(tail, 0, out, head.length + 5 + payload.length + 4, tail.length);
        return out;
    }

    private static byte[] mutate(byte[] good, List<int[]> sections, Random rnd) {
        byte[] f = good.clone();
        int kind = rnd.nextInt(9);
        switch (kind) {
            case 0 -> f[rnd.nextInt(f.length)] ^= (byte) (1 << rnd.nextInt(8));
            case 1 -> {
                for (int k = 1 + rnd.nextInt(8); k > 0; k--) {
                    f[rnd.nextInt(f.length)] = (byte) rnd.nextInt(256);
                }
            }
            case 2 -> f = Arrays.copyOf(f, rnd.nextInt(f.length));
            case 3 -> { // insert random bytes
                int at = rnd.nextInt(f.length + 1);
                byte[] ins = new byte[1 + rnd.nextInt(16)];
                rnd.nextBytes(ins);
                byte[] g = new byte[f.length + ins.length];
                System.arraycopy(f, 0, g, 0, at);
                System.arraycopy(ins, 0, g, at, ins.length);
                System.arraycopy(f, at, g, at + ins.length, f.length - at);
                f = g;
            }
            case 4 -> { // delete a range
                int at = rnd.nextInt(f.length);
                int n = Math.min(f.length - at, 1 + rnd.nextInt(32));
                byte[] g = new byte[f.length - n];
                System.arraycopy(f, 0, g, 0, at);
                System.arraycopy(f, at + n, g, at, f.length - at - n);
                f = g;
            }
            case 5 -> f[rnd.nextInt(f.length)] = (byte) (rnd.nextBoolean() ? 0xFF : 0x00);
            default -> { // structure-aware: change a section's payload (not its length), then fix its CRC
                int[] s = sections.get(rnd.nextInt(sections.size()));
                if (s[1] == 0) {
                    break;
                }
                for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
                    int at = s[0] + 5 + rnd.nextInt(s[1]);
                    f[at] = rnd.nextInt(3) == 0 ? (byte) rnd.nextInt(256) : (byte) (f[at] ^ (1 << rnd.nextInt(8)));
                }
                fixCrc(f, s[0], s[1]);
            }
        }
        return f;
    }

    @Test
    void randomMutationsFailOnlyWithTheFormatsOwnError() {
        byte[] good = GczContainerTest.smallFile();
        List<int[]> sections = sections(good);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)
                ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        Random rnd = new Random(2026);
        int rejected = 0;
        long worst = 0;
        for (int i = 0; i < MUTATIONS; i++) {
            byte[] bad = mutate(good, sections, rnd);
            long before = threads.getThreadAllocatedBytes(id);
            try {
                GczContents c = GczReader.read(bad, "fuzz.gcz");
                dev.gancompress.onnx.OnnxImporter.fromProto(c.proto(), "fuzz.gcz");
            } catch (GanCompressException expected) {
                rejected++;
            } catch (RuntimeException | Error e) {
                fail("mutation " + i + " threw " + e, e);
            }
            long allocated = threads.getThreadAllocatedBytes(id) - before;
            worst = Math.max(worst, allocated);
            if (allocated > MAX_ALLOCATION) {
                fail("mutation " + i + " allocated " + allocated + " bytes decoding a " + bad.length + "-byte file");
            }
        }
        assertTrue(rejected > MUTATIONS * 0.9, "only " + rejected + " of " + MUTATIONS + " rejected");
        System.out.println("fuzz: " + rejected + " of " + MUTATIONS + " rejected; worst allocation " + worst
                + " bytes for a " + good.length + "-byte file");
    }
}
