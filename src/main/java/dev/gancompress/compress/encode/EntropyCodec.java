package dev.gancompress.compress.encode;

import dev.gancompress.GanCompressException;

/**
 * A lossless coder of integer symbol streams: symbols in [0, alphabet), the count known to the decoder (the
 * container stores it). An encoding carries its own model (code lengths, frequencies), so it decodes alone.
 */
interface EntropyCodec {
    /** The name in reports and in the container's codec byte ({@link #id}). */
    String name();

    /** The codec byte written before each stream. */
    int id();

    byte[] encode(int[] symbols, int alphabet);

    /**
     * The {@code count} symbols of an encoding occupying all of {@code in}; a corrupt encoding is a
     * {@link GanCompressException}, never another exception and never an allocation larger than {@code count} or
     * the bytes available justify.
     */
    int[] decode(ByteSource in, int count, int alphabet);

    /** Bits needed to write any symbol below {@code alphabet} in a fixed width: ceil(log2 alphabet), 0 for 1. */
    static int fixedWidth(long alphabet) {
        return alphabet <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(alphabet - 1);
    }
}
