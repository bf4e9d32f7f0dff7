package dev.gancompress.compress.encode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Codes one tensor's elements ({@link TensorSymbols}) as the smallest of several candidates, each a layout of
 * where the entries are and a model of what they are, every resulting symbol stream coded by its best codec
 * ({@link CodedStream}: raw, Huffman or rANS).
 *
 * <p>Layouts: dense (every element an entry); and, when at least a quarter of the elements are exact zeros (a
 * pruned tensor; fewer zeros never pay for the indices), relative indices of 3 to 8 bits with fillers or CSR over
 * the leading axis ({@link SparseIndexCoding}). Value models: integer codes as they are; float32 as a dictionary of
 * its distinct bit patterns with one index per entry when there are at most 2^16 of them (a weight-shared tensor
 * has 2^bits), or as four byte planes (sign and exponent byte first, whose skew the coders exploit).
 *
 * <p>Payload: layout byte (+ index bits for relative), value-model byte (+ dictionary: varint size, ascending
 * 32-bit patterns), varint entry count, then the streams: relative gaps | CSR row counts and columns; then the
 * value stream (one, or four byte planes).
 */
final class TensorCodec {
    static final int DENSE = 0;
    static final int RELATIVE = 1;
    static final int CSR = 2;
    static final int CODES = 0;
    static final int DICTIONARY = 1;
    static final int BYTE_PLANES = 2;
    static final int MAX_DICTIONARY = 1 << 16;
    private static final int[] RELATIVE_BITS = {3, 4, 5, 6, 8};

    private TensorCodec() {
    }

    /**
     * What the encoder chose for one tensor.
     *
     * @param layout      "dense", "relative-4bit" or "csr"
     * @param values      "codes", "dictionary-16" or "byte-planes"
     * @param codecs      the codecs used by its streams, e.g. "huffman" or "rans+huffman"
     * @param indexBytes  bytes of the position streams (0 when dense)
     * @param entropyBits the empirical entropy of all its streams, summed (the bound for these streams)
     */
    record Choice(byte[] payload, String layout, String values, String codecs, long indexBytes, double entropyBits) {
    }

    static Choice encode(TensorSymbols t, int rows, List<EntropyCodec> codecs) {
        int[] e = t.elements();
        long zeros = Arrays.stream(e).filter(v -> v == t.zero()).count();
        List<Candidate> layouts = new ArrayList<>();
        layouts.add(new Candidate(DENSE, 0, List.of(), e));
        if (zeros * 4 >= e.length && e.length > 0) {
            for (int bits : RELATIVE_BITS) {
                SparseIndexCoding.Relative r = SparseIndexCoding.relative(e, t.zero(), bits);
                layouts.add(new Candidate(RELATIVE, bits, List.of(CodedStream.best(r.gaps(), 1 << bits, codecs)),
                        gather(e, r.positions())));
            }
            int cols = e.length / rows; // rows <= elements here: there is at least one element
            SparseIndexCoding.Csr c = SparseIndexCoding.csr(e, t.zero(), rows);
            layouts.add(new Candidate(CSR, 0, List.of(CodedStream.best(c.rowCounts(), cols + 1, codecs),
                    CodedStream.best(c.columns(), Math.max(1, cols), codecs)), gather(e, c.positions())));
        }
        Choice best = null;
        for (Candidate layout : layouts) {
            for (ValueCoding values : valueCodings(t, layout.entries, codecs)) {
                Choice c = layout.write(values);
                if (best == null || c.payload().length < best.payload().length) {
                    best = c;
                }
            }
        }
        return best;
    }

    private static int[] gather(int[] e, int[] positions) {
        int[] out = new int[positions.length];
        for (int i = 0; i < positions.length; i++) {
            out[i] = e[positions[i]];
        }
        return out;
    }

    /** One way of coding the entries' values: a model byte with its parameters, and its streams. */
    private record ValueCoding(int model, int[] dictionary, List<CodedStream> streams) {
        String describe() {
            return switch (model) {
                case CODES -> "codes";
                case DICTIONARY -> "dictionary-" + dictionary.length;
                default -> "byte-planes";
            };
        }
    }

    private static List<ValueCoding> valueCodings(TensorSymbols t, int[] entries, List<EntropyCodec> codecs) {
        if (!t.isFloat()) {
            return List.of(new ValueCoding(CODES, null,
                    List.of(CodedStream.best(entries, TensorSymbols.intAlphabet(t.dataType()), codecs))));
        }
        List<ValueCoding> out = new ArrayList<>();
        List<CodedStream> planes = new ArrayList<>();
        for (int shift = 24; shift >= 0; shift -= 8) {
            int[] plane = new int[entries.length];
            for (int i = 0; i < entries.length; i++) {
                plane[i] = (entries[i] >>> shift) & 0xFF;
            }
            planes.add(CodedStream.best(plane, 256, codecs));
        }
        out.add(new ValueCoding(BYTE_PLANES, null, planes));
        SymbolHistogram h = SymbolHistogram.of(entries);
        if (h.distinct() <= MAX_DICTIONARY) {
            int[] index = new int[entries.length];
            for (int i = 0; i < entries.length; i++) {
                index[i] = h.indexOf(entries[i]);
            }
            out.add(new ValueCoding(DICTIONARY, h.symbols(), List.of(CodedStream.best(index,
                    Math.max(1, h.distinct()), codecs))));
        }
        return out;
    }

    private record Candidate(int layout, int bits, List<CodedStream> indexStreams, int[] entries) {
        Choice write(ValueCoding values) {
            ByteSink out = new ByteSink();
            out.u8(layout);
            if (layout == RELATIVE) {
                out.u8(bits);
            }
            out.u8(values.model());
            if (values.model() == DICTIONARY) {
                out.varint(values.dictionary().length);
                for (int d : values.dictionary()) {
                    out.u32(d);
                }
            }
            out.varint(entries.length);
            long indexBytes = 0;
            double entropy = 0;
            Set<String> codecs = new LinkedHashSet<>();
            for (CodedStream s : indexStreams) {
                s.writeTo(out);
                indexBytes += s.framedBytes();
                entropy += s.entropyBits();
                codecs.add(s.codec().name());
            }
            for (CodedStream s : values.streams()) {
                s.writeTo(out);
                entropy += s.entropyBits();
                codecs.add(s.codec().name());
            }
            String name = switch (layout) {
                case DENSE -> "dense";
                case RELATIVE -> "relative-" + bits + "bit";
                default -> "csr";
            };
            return new Choice(out.toByteArray(), name, values.describe(),
                    codecs.isEmpty() ? "none" : String.join("+", codecs), indexBytes, entropy);
        }
    }

    /**
     * The elements of a tensor of {@code size} elements and {@code rows} rows (its leading axis; 1 for a vector),
     * read from a payload occupying all of {@code in}.
     */
    /** A decoded tensor and what its payload used, for reports. */
    record Decoded(TensorSymbols symbols, String layout, String values, String codecs, double entropyBits) {
    }

    static Decoded decode(ByteSource in, int dataType, int size, int rows) {
        CodedStream.Trace trace = new CodedStream.Trace();
        int layout = in.u8("layout");
        if (layout > CSR) {
            throw in.error("layout " + layout + " is unknown; expected 0 (dense), 1 (relative) or 2 (csr)");
        }
        int bits = layout == RELATIVE ? in.u8("relative index bits") : 0;
        if (layout == RELATIVE && (bits < 1 || bits > 16)) {
            throw in.error("relative index bits " + bits + " outside [1, 16]");
        }
        int model = in.u8("value model");
        boolean isFloat = dataType == dev.gancompress.onnx.OnnxTensor.FLOAT;
        if (model > BYTE_PLANES || (model == CODES) == isFloat) {
            throw in.error("value model " + model + " does not fit a " + dev.gancompress.onnx.OnnxTensor
                    .typeName(dataType) + " tensor");
        }
        int[] dictionary = null;
        if (model == DICTIONARY) {
            int k = in.varintInt("dictionary size", Math.min(MAX_DICTIONARY, in.remaining() / 4));
            dictionary = new int[k];
            for (int i = 0; i < k; i++) {
                dictionary[i] = in.u32("dictionary entry");
                if (i > 0 && dictionary[i] <= dictionary[i - 1]) {
                    throw in.error("dictionary entries are not strictly ascending");
                }
            }
        }
        int entries = in.varintInt("entry count", size);
        if (layout == DENSE && entries != size) {
            throw in.error("a dense tensor of " + size + " elements holds " + entries + " entries");
        }
        int[] positions = null;
        if (layout == RELATIVE) {
            int[] gaps = CodedStream.read(in, entries, 1 << bits, "relative index stream", trace);
            positions = SparseIndexCoding.positionsFromGaps(gaps, size, in);
        } else if (layout == CSR) {
            if (rows > size) { // a shape with a zero dimension: nothing to index, and no row stream to allocate
                throw in.error("a CSR layout of " + rows + " rows for " + size + " elements");
            }
            int cols = rows == 0 ? 0 : size / rows;
            int[] counts = CodedStream.read(in, rows, cols + 1, "CSR row counts", trace);
            int[] columns = CodedStream.read(in, entries, Math.max(1, cols), "CSR columns", trace);
            positions = SparseIndexCoding.positionsFromCsr(counts, columns, cols, in);
        }
        int[] values;
        if (model == CODES) {
            values = CodedStream.read(in, entries, TensorSymbols.intAlphabet(dataType), "value stream", trace);
        } else if (model == DICTIONARY) {
            int[] index = CodedStream.read(in, entries, Math.max(1, dictionary.length), "dictionary index stream", trace);
            values = new int[entries];
            for (int i = 0; i < entries; i++) {
                if (index[i] >= dictionary.length) {
                    throw in.error("dictionary index " + index[i] + " past its " + dictionary.length + " entries");
                }
                values[i] = dictionary[index[i]];
            }
        } else {
            values = new int[entries];
            for (int shift = 24; shift >= 0; shift -= 8) {
                int[] plane = CodedStream.read(in, entries, 256, "byte plane " + (3 - shift / 8), trace);
                for (int i = 0; i < entries; i++) {
                    values[i] |= plane[i] << shift;
                }
            }
        }
        in.expectEnd("the tensor's streams");
        int zero = isFloat ? 0 : -dev.gancompress.onnx.OnnxTensor.minValue(dataType);
        int[] elements = values;
        if (positions != null) {
            elements = new int[size];
            Arrays.fill(elements, zero);
            for (int i = 0; i < entries; i++) {
                elements[positions[i]] = values[i];
            }
        }
        String layoutName = layout == DENSE ? "dense" : layout == RELATIVE ? "relative-" + bits + "bit" : "csr";
        String valueName = model == CODES ? "codes" : model == DICTIONARY ? "dictionary-" + dictionary.length
                : "byte-planes";
        return new Decoded(new TensorSymbols(dataType, elements, zero), layoutName, valueName,
                trace.codecs.isEmpty() ? "none" : String.join("+", trace.codecs), trace.entropyBits);
    }
}
