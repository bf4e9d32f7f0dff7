package dev.gancompress.compress.encode;

/** No entropy coding: every symbol in ceil(log2 alphabet) bits, the baseline the other codecs must beat. */
final class RawCodec implements EntropyCodec {
    static final RawCodec INSTANCE = new RawCodec();

    private RawCodec() {
    }

    @Override
    public String name() {
        return "raw";
    }

    @Override
    public int id() {
        return 0;
    }

    @Override
    public byte[] encode(int[] symbols, int alphabet) {
        int width = EntropyCodec.fixedWidth(alphabet);
        BitWriter out = new BitWriter();
        for (int s : symbols) {
            out.write(s, width);
        }
        return out.finish();
    }

    @Override
    public int[] decode(ByteSource in, int count, int alphabet) {
        int width = EntropyCodec.fixedWidth(alphabet);
        long needed = ((long) count * width + 7) / 8;
        if (needed != in.remaining()) {
            throw in.error("a raw stream of " + count + " symbols of " + width + " bits takes " + needed
                    + " bytes, found " + in.remaining());
        }
        BitReader bits = new BitReader(in);
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = bits.read(width);
            if (out[i] >= alphabet) {
                throw in.error("raw symbol " + out[i] + " at " + i + " is outside the alphabet of " + alphabet);
            }
        }
        return out;
    }
}
