package dev.gancompress.metrics;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.model.Weights;

/**
 * How one weight tensor is stored, and so how many bytes it occupies: the cost model's size vocabulary. The
 * format of a tensor is read from the IR's description of it ({@link #of(WeightStorage)} of
 * {@link Weights#storage()}); {@link CostModel.Options#storage()} may override it per tensor ("node.role", as
 * {@link dev.gancompress.model.Model#weightSlots()}) to ask "what if" (e.g. sparse or entropy-coded storage,
 * which no IR description produces yet).
 *
 * <p>{@code channelAxisSize} is the number of output channels the per-channel side data (scales, zero points)
 * is kept for; {@link CostModel#channelAxisSize} gives the convention (1 for vectors, per-tensor).
 * Packed formats round the packed bit stream up to whole bytes once per tensor.
 *
 * <p>JSON form: {@code {"format": "int8", "zeroPointBits": 8}}, the type name in {@code format}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "format")
@JsonSubTypes({
        @JsonSubTypes.Type(StorageFormat.Fp32.class), @JsonSubTypes.Type(StorageFormat.Fp16.class),
        @JsonSubTypes.Type(StorageFormat.Bf16.class), @JsonSubTypes.Type(StorageFormat.IntN.class),
        @JsonSubTypes.Type(StorageFormat.Int8.class), @JsonSubTypes.Type(StorageFormat.Int4.class),
        @JsonSubTypes.Type(StorageFormat.Ternary.class), @JsonSubTypes.Type(StorageFormat.Binary.class),
        @JsonSubTypes.Type(StorageFormat.Codebook.class), @JsonSubTypes.Type(StorageFormat.SparseCsr.class),
        @JsonSubTypes.Type(StorageFormat.EntropyCoded.class)})
public sealed interface StorageFormat permits StorageFormat.ElementFormat, StorageFormat.SparseCsr,
        StorageFormat.EntropyCoded {

    /** Stored size of {@code w} in bytes. */
    long bytes(Weights w, int channelAxisSize);

    /**
     * Whether the decoded values are small integers that an integer multiplier can consume directly
     * (int8 arithmetic when the activations are int8 as well). Codebook centroids are floats, so no.
     */
    boolean integerValues();

    static Fp32 fp32() {
        return new Fp32();
    }

    /** Per-channel int8 with an int8 zero point per channel, the ONNX QDQ convention. */
    static Int8 int8() {
        return new Int8(8);
    }

    /**
     * The size class of an IR storage description: fp16 and bf16 at 16 bits, 8-bit integers as {@link Int8}
     * (zero points stored when not symmetric), symmetric 4-bit as {@link Int4}, ternary and binary as
     * {@link Ternary} and {@link Binary}, other integer widths as {@link IntN}.
     */
    static ElementFormat of(WeightStorage storage) {
        return storage.accept(new WeightStorage.Visitor<ElementFormat>() {
            @Override
            public ElementFormat fp32(WeightStorage.Fp32 s) {
                return StorageFormat.fp32();
            }

            @Override
            public ElementFormat fp16(WeightStorage.Fp16 s) {
                return new Fp16();
            }

            @Override
            public ElementFormat bf16(WeightStorage.Bf16 s) {
                return new Bf16();
            }

            @Override
            public ElementFormat integer(WeightStorage.IntN s) {
                boolean symmetric = s.symmetric();
                if (s.bits() == 8) {
                    return new Int8(symmetric ? 0 : 8);
                }
                if (symmetric && s.bits() == 4) {
                    return new Int4();
                }
                if (symmetric && s.kind().equals("ternary")) {
                    return new Ternary();
                }
                return new IntN(s.bits(), symmetric ? 0 : 8);
            }

            @Override
            public ElementFormat binary(WeightStorage.Binary s) {
                return new Binary();
            }

            @Override
            public ElementFormat codebook(WeightStorage.Codebook s) {
                return s.size() >= 2 ? new Codebook(s.size()) : new Codebook(2);
            }
        });
    }

    /**
     * A dense format with a fixed number of bits per value plus side data (scales, centroids) whose size
     * depends only on the channel count. The values of a {@link SparseCsr} are one of these.
     */
    sealed interface ElementFormat extends StorageFormat permits Fp32, Fp16, Bf16, IntN, Int8, Int4, Ternary, Binary,
            Codebook {
        int bitsPerValue();

        long sideBytes(int channelAxisSize);

        @Override
        default long bytes(Weights w, int channelAxisSize) {
            requireChannels(channelAxisSize);
            return ceilBytes((long) w.size() * bitsPerValue()) + sideBytes(channelAxisSize);
        }
    }

    @JsonTypeName("fp32")
    record Fp32() implements ElementFormat {
        @Override
        public int bitsPerValue() {
            return 32;
        }

        @Override
        public long sideBytes(int channelAxisSize) {
            return 0;
        }

        @Override
        public boolean integerValues() {
            return false;
        }
    }

    @JsonTypeName("fp16")
    record Fp16() implements ElementFormat {
        @Override
        public int bitsPerValue() {
            return 16;
        }

        @Override
        public long sideBytes(int channelAxisSize) {
            return 0;
        }

        @Override
        public boolean integerValues() {
            return false;
        }
    }

    /** bfloat16 (the top half of an fp32), no side data. */
    @JsonTypeName("bf16")
    record Bf16() implements ElementFormat {
        @Override
        public int bitsPerValue() {
            return 16;
        }

        @Override
        public long sideBytes(int channelAxisSize) {
            return 0;
        }

        @Override
        public boolean integerValues() {
            return false;
        }
    }

    /**
     * Integers of any width from 2 to 8 bits, packed, with one fp32 scale per channel and, unless
     * {@code zeroPointBits} is 0 (symmetric), a zero point of that many bits (rounded up to whole bytes) per channel.
     */
    @JsonTypeName("intN")
    record IntN(int bits, int zeroPointBits) implements ElementFormat {
        public IntN {
            if (bits < 2 || bits > 8) {
                throw new IllegalArgumentException("intN bits must be in [2, 8], got " + bits);
            }
            if (zeroPointBits < 0 || zeroPointBits > 32) {
                throw new IllegalArgumentException("intN zeroPointBits must be in [0, 32], got " + zeroPointBits);
            }
        }

        @Override
        public int bitsPerValue() {
            return bits;
        }

        @Override
        public long sideBytes(int channelAxisSize) {
            return (long) channelAxisSize * (4 + (zeroPointBits + 7) / 8);
        }

        @Override
        public boolean integerValues() {
            return true;
        }
    }

    /**
     * 8-bit affine quantisation per output channel (Jacob et al. 2018): one fp32 scale and one zero point per
     * channel; {@code zeroPointBits} is 0 (symmetric, no zero point stored), 8 (ONNX QDQ) or 32 (PyTorch fbgemm).
     */
    @JsonTypeName("int8")
    record Int8(int zeroPointBits) implements ElementFormat {
        public Int8 {
            if (zeroPointBits != 0 && zeroPointBits != 8 && zeroPointBits != 32) {
                throw new IllegalArgumentException("int8 zeroPointBits must be 0, 8 or 32, got " + zeroPointBits);
            }
        }

        @Override
        public int bitsPerValue() {
            return 8;
        }

        @Override
        public long sideBytes(int channelAxisSize) {
            return (long) channelAxisSize * (4 + zeroPointBits / 8);
        }

        @Override
        public boolean integerValues() {
            return true;
        }
    }

    /** Symmetric 4-bit, two values packed per byte, one fp32 scale per output channel. */
    @JsonTypeName("int4")
    record Int4() implements ElementFormat {
        @Override
        public int bitsPerValue() {
            return 4;
        }

        @Override
        public long sideBytes(int channelAxisSize) {
            return 4L * channelAxisSize;
        }

        @Override
        public boolean integerValues() {
            return true;
        }
    }

    /**
     * {-1, 0, +1} in 2 bits, times one fp32 scale per output channel: the alpha of Ternary Weight Networks
     * (Li, Zhang and Liu 2016), kept per channel as {@link Binary} does.
     */
    @JsonTypeName("ternary")
    record Ternary() implements ElementFormat {
        @Override
        public int bitsPerValue() {
            return 2;
        }

        @Override
        public long sideBytes(int channelAxisSize) {
            return 4L * channelAxisSize;
        }

        @Override
        public boolean integerValues() {
            return true;
        }
    }

    /** Sign bits times one fp32 scale per output channel (XNOR-Net's alpha, Rastegari et al. 2016). */
    @JsonTypeName("binary")
    record Binary() implements ElementFormat {
        @Override
        public int bitsPerValue() {
            return 1;
        }

        @Override
        public long sideBytes(int channelAxisSize) {
            return 4L * channelAxisSize;
        }

        @Override
        public boolean integerValues() {
            return true;
        }
    }

    /**
     * Weight sharing (Han, Mao and Dally 2016, "Deep Compression"): a per-tensor table of {@code clusters} fp32
     * centroids and a ceil(log2 k)-bit index per value.
     */
    @JsonTypeName("codebook")
    record Codebook(int clusters) implements ElementFormat {
        public Codebook {
            if (clusters < 2) {
                throw new IllegalArgumentException("codebook needs at least 2 clusters, got " + clusters);
            }
        }

        @Override
        public int bitsPerValue() {
            return 32 - Integer.numberOfLeadingZeros(clusters - 1);
        }

        @Override
        public long sideBytes(int channelAxisSize) {
            return 4L * clusters;
        }

        @Override
        public boolean integerValues() {
            return false;
        }
    }

    /**
     * Compressed sparse rows over the tensor's leading axis (rows = dim 0, the memory layout; 1 row for a
     * vector), with the relative column indices of Deep Compression (Han et al. 2016, section 3): each entry
     * stores its value and, in {@code indexBits}, how many zeros precede it since the previous entry. A run of
     * g zeros longer than 2^b - 1 needs floor(g / 2^b) explicit zero "filler" entries. Bytes =
     * ceil(entries x (value bits + index bits) / 8) + (rows + 1) int32 row pointers + the value format's side
     * data. Entries are counted from the actual data, so the figure is exact for these weights.
     */
    @JsonTypeName("csr")
    record SparseCsr(ElementFormat values, int indexBits) implements StorageFormat {
        public SparseCsr {
            if (values == null) {
                throw new IllegalArgumentException("csr needs a value format");
            }
            if (indexBits < 1 || indexBits > 31) {
                throw new IllegalArgumentException("csr indexBits must be in [1, 31], got " + indexBits);
            }
        }

        @Override
        public long bytes(Weights w, int channelAxisSize) {
            requireChannels(channelAxisSize);
            int rows = w.rank() >= 2 ? w.dim(0) : 1;
            return ceilBytes(entries(w) * (values.bitsPerValue() + indexBits)) + 4L * (rows + 1)
                    + values.sideBytes(channelAxisSize);
        }

        /** Nonzeros plus the filler entries the relative index width forces. */
        public long entries(Weights w) {
            float[] data = w.data();
            int rows = w.rank() >= 2 ? w.dim(0) : 1;
            int cols = rows == 0 ? 0 : data.length / rows;
            long span = 1L << indexBits;
            long entries = 0;
            for (int r = 0; r < rows; r++) {
                int previous = -1;
                for (int c = 0; c < cols; c++) {
                    if (data[r * cols + c] != 0f) {
                        int gap = c - previous - 1;
                        entries += 1 + gap / span;
                        previous = c;
                    }
                }
            }
            return entries;
        }

        @Override
        public boolean integerValues() {
            return values.integerValues();
        }
    }

    /**
     * The exact output size of an entropy coder (e.g. Huffman, as in Deep Compression), measured by the
     * encoding pass that produced it; {@code encoder} names it for the report.
     */
    @JsonTypeName("entropy")
    record EntropyCoded(String encoder, long byteCount) implements StorageFormat {
        public EntropyCoded {
            if (encoder == null || encoder.isBlank()) {
                throw new IllegalArgumentException("entropy-coded storage needs the encoder's name");
            }
            if (byteCount < 0) {
                throw new IllegalArgumentException("entropy-coded byteCount must be >= 0, got " + byteCount);
            }
        }

        @Override
        public long bytes(Weights w, int channelAxisSize) {
            return byteCount;
        }

        /** Decoded values are whatever the encoder wrapped; the cost model assumes float arithmetic. */
        @Override
        public boolean integerValues() {
            return false;
        }
    }

    private static long ceilBytes(long bits) {
        return (bits + 7) / 8;
    }

    private static void requireChannels(int channelAxisSize) {
        if (channelAxisSize < 1) {
            throw new IllegalArgumentException("channelAxisSize must be >= 1, got " + channelAxisSize);
        }
    }
}
