package dev.gancompress.compress.encode;

/** The ascending distinct-symbol list both entropy coders store: the first symbol, then gaps minus one. */
final class SymbolTables {
    private SymbolTables() {
    }

    static void writeSymbols(ByteSink out, int[] ascending) {
        for (int i = 0; i < ascending.length; i++) {
            out.varint(i == 0 ? ascending[0] : (long) ascending[i] - ascending[i - 1] - 1);
        }
    }

    static int[] readSymbols(ByteSource in, int distinct, int alphabet) {
        if (distinct > in.remaining()) { // every entry takes at least one byte
            throw in.error(distinct + " symbols cannot fit in " + in.remaining() + " bytes");
        }
        int[] symbols = new int[distinct];
        long previous = -1;
        for (int i = 0; i < distinct; i++) {
            long s = previous + 1 + in.varint("symbol gap", alphabet);
            if (s >= alphabet) {
                throw in.error("symbol " + s + " is outside the alphabet of " + alphabet);
            }
            symbols[i] = (int) s;
            previous = s;
        }
        return symbols;
    }
}
