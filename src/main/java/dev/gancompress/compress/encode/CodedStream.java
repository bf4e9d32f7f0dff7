package dev.gancompress.compress.encode;

import java.util.List;

/**
 * One symbol stream coded by whichever of raw, Huffman and rANS gives the fewest bytes, with the stream's empirical
 * entropy for the report. Framed as: codec byte, varint length, the codec's bytes.
 */
record CodedStream(EntropyCodec codec, byte[] bytes, double entropyBits, int symbols) {
    static final List<EntropyCodec> CODECS = List.of(RawCodec.INSTANCE, HuffmanCodec.INSTANCE, RansCodec.INSTANCE);

    static CodedStream best(int[] symbols, int alphabet) {
        return best(symbols, alphabet, CODECS);
    }

    /** The smallest coding among {@code codecs}. */
    static CodedStream best(int[] symbols, int alphabet, List<EntropyCodec> codecs) {
        CodedStream best = null;
        for (EntropyCodec codec : codecs) {
            byte[] b = codec.encode(symbols, alphabet);
            if (best == null || b.length < best.bytes.length) {
                best = new CodedStream(codec, b, 0, symbols.length);
            }
        }
        return new CodedStream(best.codec, best.bytes, SymbolHistogram.of(symbols).entropyBits(), symbols.length);
    }

    /** Framed size in bytes. */
    int framedBytes() {
        return 1 + varintBytes(bytes.length) + bytes.length;
    }

    void writeTo(ByteSink out) {
        out.u8(codec.id());
        out.block(bytes);
    }

    /** What decoding saw: the codecs of the streams and their summed empirical entropy. */
    static final class Trace {
        final java.util.Set<String> codecs = new java.util.LinkedHashSet<>();
        double entropyBits;
    }

    static int[] read(ByteSource in, int count, int alphabet, String stream, Trace trace) {
        int id = in.u8(stream + " codec");
        if (id >= CODECS.size()) {
            throw in.error(stream + " codec " + id + " is unknown; expected 0 (raw), 1 (huffman) or 2 (rans)");
        }
        int length = in.length(stream + " length");
        ByteSource body = in.slice(length, stream, in.where() + ", " + stream + " (" + CODECS.get(id).name() + ")");
        int[] symbols = CODECS.get(id).decode(body, count, alphabet);
        trace.codecs.add(CODECS.get(id).name());
        trace.entropyBits += SymbolHistogram.of(symbols).entropyBits();
        return symbols;
    }

    private static int varintBytes(long v) {
        int n = 1;
        while (v >= 0x80) {
            v >>>= 7;
            n++;
        }
        return n;
    }
}
