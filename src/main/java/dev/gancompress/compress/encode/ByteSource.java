package dev.gancompress.compress.encode;

import dev.gancompress.GanCompressException;

/**
 * A bounded reader over a byte range. Every read checks the bytes that remain first, so a length or count read
 * from the data can never make it read past the range or allocate more than the range could hold; a violation is a
 * {@link GanCompressException} naming {@code where}.
 */
final class ByteSource {
    private final byte[] bytes;
    private final int end;
    private final String where;
    private int pos;

    ByteSource(byte[] bytes, int offset, int length, String where) {
        this.bytes = bytes;
        this.pos = offset;
        this.end = offset + length;
        this.where = where;
    }

    ByteSource(byte[] bytes, String where) {
        this(bytes, 0, bytes.length, where);
    }

    int remaining() {
        return end - pos;
    }

    String where() {
        return where;
    }

    GanCompressException error(String what) {
        return new GanCompressException(where + ": " + what);
    }

    private void need(long n, String what) {
        if (n < 0 || n > remaining()) {
            throw error(what + " needs " + n + " bytes, only " + remaining() + " remain (truncated or corrupt)");
        }
    }

    int u8(String what) {
        need(1, what);
        return bytes[pos++] & 0xFF;
    }

    int u32(String what) {
        need(4, what);
        int v = ((bytes[pos] & 0xFF) << 24) | ((bytes[pos + 1] & 0xFF) << 16) | ((bytes[pos + 2] & 0xFF) << 8)
                | (bytes[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    long u64(String what) {
        long hi = u32(what) & 0xFFFFFFFFL;
        return (hi << 32) | (u32(what) & 0xFFFFFFFFL);
    }

    /** An unsigned LEB128 varint of at most 63 bits; {@code max} bounds it (inclusive). */
    long varint(String what, long max) {
        long v = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            int b = u8(what);
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (v < 0 || v > max) {
                    throw error(what + " = " + v + " is out of range [0, " + max + "]");
                }
                return v;
            }
        }
        throw error(what + " is not a valid varint");
    }

    int varintInt(String what, int max) {
        return (int) varint(what, max);
    }

    /** A length that must also fit in the bytes that remain. */
    int length(String what) {
        return varintInt(what, remaining());
    }

    byte[] bytes(int n, String what) {
        need(n, what);
        byte[] out = java.util.Arrays.copyOfRange(bytes, pos, pos + n);
        pos += n;
        return out;
    }

    /** A sub-range of {@code n} bytes as its own source, advancing past it. */
    ByteSource slice(int n, String what, String subWhere) {
        need(n, what);
        ByteSource s = new ByteSource(bytes, pos, n, subWhere);
        pos += n;
        return s;
    }

    String string(String what, int maxLength) {
        int n = varintInt(what + " length", Math.min(maxLength, remaining()));
        return new String(bytes(n, what), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The raw array and position, for the bit reader. */
    byte[] array() {
        return bytes;
    }

    int position() {
        return pos;
    }

    int end() {
        return end;
    }

    void expectEnd(String what) {
        if (remaining() != 0) {
            throw error(remaining() + " unexpected bytes after " + what);
        }
    }
}
