package dev.gancompress.compress.encode;

import java.util.zip.CRC32C;

/**
 * Constants of the .gcz container (docs/FORMAT.md): magic, version, section types and the bounds a reader checks
 * every length against before it allocates anything.
 */
final class GczFormat {
    /** PNG-style: a non-ASCII first byte, the name, CR LF, DOS EOF, LF, so text-mode mangling is detected. */
    static final byte[] MAGIC = {(byte) 0x89, 'G', 'C', 'Z', '\r', '\n', 0x1A, '\n'};
    static final int VERSION = 1;
    static final int HEADER_BYTES = MAGIC.length + 2 + 2 + 4;
    static final int SECTION_GRAPH = 1;
    static final int SECTION_TENSOR = 2;
    static final int SECTION_END = 3;
    /** A section larger than 1 GiB is refused: the model would not fit an ONNX protobuf (2 GiB) with its weights. */
    static final int MAX_SECTION = 1 << 30;
    /** Elements of one tensor (2^26 floats = 256 MiB; the largest GAN generator tensors are ~2^24). */
    static final long MAX_TENSOR_ELEMENTS = 1L << 26;
    /** Elements of all tensors together (1 GiB of floats). */
    static final long MAX_ELEMENTS = 1L << 28;
    static final int MAX_RANK = 8;
    static final int MAX_NAME = 4096;
    static final int MAX_TENSORS = 1 << 20;
    /** Sections are read in pieces of this size, so a lying length field costs at most this much memory. */
    static final int READ_CHUNK = 1 << 20;

    private GczFormat() {
    }

    static int crc(byte[]... parts) {
        CRC32C crc = new CRC32C();
        for (byte[] p : parts) {
            crc.update(p, 0, p.length);
        }
        return (int) crc.getValue();
    }

    static String sectionName(int type) {
        return switch (type) {
            case SECTION_GRAPH -> "graph";
            case SECTION_TENSOR -> "tensor";
            case SECTION_END -> "end";
            default -> "type " + type;
        };
    }
}
