package dev.gancompress.metrics;

import dev.gancompress.AtomicFiles;
import dev.gancompress.GanCompressException;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * The real set's embeddings, kept beside its {@link GaussianStats}: KID and precision/recall need the samples
 * themselves, not only the two moments, and re-embedding 10,000 test images costs as much as a third of an
 * evaluation. Same key and the same policy as {@link ReferenceStatsCache}: a missing file is recomputed, a
 * corrupt or foreign one is an error until the caller asks for a refresh.
 *
 * <p>File format (big-endian): magic "GCFEAT01", int version, int n, int d, unsigned short key length and UTF-8
 * key bytes, n*d floats row-major, then the CRC32 of every preceding byte as a long.
 */
public record ReferenceFeatures(float[] features, int count, int dimension) {
    private static final byte[] MAGIC = "GCFEAT01".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;

    public ReferenceFeatures {
        if (count < 1 || dimension < 1 || features.length != (long) count * dimension) {
            throw new IllegalArgumentException("reference features must be count x dimension, got " + features.length
                    + " values for " + count + " x " + dimension);
        }
    }

    /** The cache file for a key, next to the statistics file of the same key. */
    public static Path fileFor(Path cacheDir, String key) {
        String stats = ReferenceStatsCache.fileFor(cacheDir, key).getFileName().toString();
        return cacheDir.resolve(stats.replaceFirst("^stats-", "features-").replaceFirst("\\.gcstats$", ".gcfeat"));
    }

    public void save(Path file, String key) {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        if (keyBytes.length > 0xFFFF) {
            throw new IllegalArgumentException("features key longer than 65535 UTF-8 bytes");
        }
        AtomicFiles.write(file, raw -> {
            CRC32 crc = new CRC32();
            DataOutputStream out = new DataOutputStream(new CheckedOutputStream(raw, crc));
            out.write(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(count);
            out.writeInt(dimension);
            out.writeShort(keyBytes.length);
            out.write(keyBytes);
            ByteBuffer buf = ByteBuffer.allocate(4 * dimension);
            for (int i = 0; i < count; i++) {
                buf.clear();
                buf.asFloatBuffer().put(features, i * dimension, dimension);
                out.write(buf.array());
            }
            out.flush();
            new DataOutputStream(raw).writeLong(crc.getValue());
        });
    }

    /** Reads and verifies a features file; {@code expectedKey} must match the stored key. */
    public static ReferenceFeatures load(Path file, String expectedKey) {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new GanCompressException("features file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new GanCompressException("features file " + file + ": cannot read (" + e + ")", e);
        }
        String where = "features file " + file + ": ";
        int header = MAGIC.length + 4 + 4 + 4 + 2;
        if (data.length < header + 8 || !Arrays.equals(data, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new GanCompressException(where + "not a gancompress features file (expected magic GCFEAT01)");
        }
        CRC32 crc = new CRC32();
        crc.update(data, 0, data.length - 8);
        long stored = ByteBuffer.wrap(data, data.length - 8, 8).getLong();
        if (stored != crc.getValue()) {
            throw new GanCompressException(where + "checksum mismatch; the file is corrupt or truncated");
        }
        ByteBuffer in = ByteBuffer.wrap(data, MAGIC.length, data.length - MAGIC.length - 8);
        int version = in.getInt();
        int n = in.getInt();
        int d = in.getInt();
        int keyLength = Short.toUnsignedInt(in.getShort());
        if (version != VERSION || n < 1 || d < 1
                || data.length != header + keyLength + 4L * n * d + 8) {
            throw new GanCompressException(where + "corrupt header (version " + version + ", n=" + n + ", d=" + d
                    + ", " + data.length + " bytes)");
        }
        String key = new String(data, header, keyLength, StandardCharsets.UTF_8);
        if (!key.equals(expectedKey)) {
            throw new GanCompressException(where + "key mismatch, file has \"" + key + "\", expected \""
                    + expectedKey + "\"");
        }
        in.position(in.position() + keyLength);
        float[] f = new float[n * d];
        in.asFloatBuffer().get(f);
        return new ReferenceFeatures(f, n, d);
    }
}
