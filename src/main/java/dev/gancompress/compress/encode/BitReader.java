package dev.gancompress.compress.encode;

import dev.gancompress.GanCompressException;

/** Reads what {@link BitWriter} wrote; reading past the end is a {@link GanCompressException}. */
final class BitReader {
    private final byte[] bytes;
    private final int end;
    private final ByteSource source;
    private int pos;
    private long acc;
    private int n;

    BitReader(ByteSource source) {
        this.source = source;
        this.bytes = source.array();
        this.pos = source.position();
        this.end = source.end();
    }

    int bit() {
        if (n == 0) {
            if (pos >= end) {
                throw source.error("the bit stream ends early (truncated or corrupt)");
            }
            acc = bytes[pos++] & 0xFF;
            n = 8;
        }
        n--;
        return (int) (acc >>> n) & 1;
    }

    int read(int count) {
        int v = 0;
        for (int i = 0; i < count; i++) {
            v = (v << 1) | bit();
        }
        return v;
    }
}
