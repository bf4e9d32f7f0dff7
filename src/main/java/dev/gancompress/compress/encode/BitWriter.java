package dev.gancompress.compress.encode;

import java.io.ByteArrayOutputStream;

/** Bits, most significant first, packed into bytes; the last byte is padded with zeros. */
final class BitWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private long acc;
    private int n;
    private long bits;

    /** Writes the low {@code count} (0 to 32) bits of {@code value}. */
    void write(int value, int count) {
        if (count == 0) {
            return;
        }
        acc = (acc << count) | (value & ((1L << count) - 1));
        n += count;
        bits += count;
        while (n >= 8) {
            n -= 8;
            out.write((int) (acc >>> n));
        }
    }

    long bitCount() {
        return bits;
    }

    byte[] finish() {
        if (n > 0) {
            out.write((int) (acc << (8 - n)));
            n = 0;
        }
        return out.toByteArray();
    }
}
