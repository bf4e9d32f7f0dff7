package dev.gancompress.compress.encode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** A growable byte buffer with the writes {@link ByteSource} reads back: big-endian fixed widths, LEB128 varints. */
final class ByteSink {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void u8(int v) {
        out.write(v);
    }

    void u32(int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    void u64(long v) {
        u32((int) (v >>> 32));
        u32((int) v);
    }

    void varint(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("varint of a negative value " + v);
        }
        while (v >= 0x80) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }

    void bytes(byte[] b) {
        out.write(b, 0, b.length);
    }

    /** A length-prefixed byte string. */
    void block(byte[] b) {
        varint(b.length);
        bytes(b);
    }

    void string(String s) {
        block(s.getBytes(StandardCharsets.UTF_8));
    }

    int size() {
        return out.size();
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
