package dev.gancompress.metrics;

import dev.gancompress.AtomicFiles;
import dev.gancompress.GanCompressException;
import dev.gancompress.nn.Parallel;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * The first two moments of a feature distribution, the sufficient statistics of FID (Heusel et al. 2017).
 * Covariance is the unbiased (n - 1) estimate, as in pytorch-fid's {@code np.cov(rowvar=False)}.
 *
 * <p>File format (big-endian): magic "GCSTATS1", int version, int d, long n, unsigned short
 * length and UTF-8 bytes of the key, d doubles of mean,
 * d*d doubles of covariance (row-major), then a CRC32 of every preceding byte as a long. The key records
 * what the statistics were computed from (dataset, evaluator, layer, n) so that stale reference
 * statistics are rejected instead of silently producing a wrong FID.
 */
public record GaussianStats(double[] mean, double[][] covariance, long count) {
    private static final byte[] MAGIC = "GCSTATS1".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;

    public GaussianStats {
        if (mean == null || covariance == null) {
            throw new IllegalArgumentException("mean and covariance must not be null");
        }
        int d = mean.length;
        if (d == 0 || covariance.length != d) {
            throw new IllegalArgumentException("covariance must be " + d + " x " + d + ", has " + covariance.length
                    + " rows");
        }
        double[][] cov = new double[d][];
        for (int i = 0; i < d; i++) {
            if (covariance[i].length != d) {
                throw new IllegalArgumentException("covariance row " + i + " has " + covariance[i].length
                        + " entries, expected " + d);
            }
            cov[i] = covariance[i].clone();
        }
        if (count < 2) {
            throw new IllegalArgumentException("count must be >= 2 for an unbiased covariance, was " + count);
        }
        mean = mean.clone();
        covariance = cov;
    }

    public int dimension() {
        return mean.length;
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[][] covariance() {
        double[][] copy = new double[covariance.length][];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = covariance[i].clone();
        }
        return copy;
    }

    /** Statistics of n samples given as rows. */
    public static GaussianStats of(float[][] features) {
        if (features == null || features.length < 2) {
            throw new GanCompressException("features: need at least 2 samples for a covariance, got "
                    + (features == null ? 0 : features.length));
        }
        int n = features.length;
        int d = features[0].length;
        float[] flat = new float[n * d];
        for (int i = 0; i < n; i++) {
            if (features[i].length != d) {
                throw new GanCompressException("features: sample " + i + " has " + features[i].length
                        + " dimensions, expected " + d);
            }
            System.arraycopy(features[i], 0, flat, i * d, d);
        }
        return of(flat, n, d);
    }

    /** Statistics of n samples of d dimensions stored row-major in {@code features}. */
    public static GaussianStats of(float[] features, int n, int d) {
        if (n < 2 || d < 1) {
            throw new GanCompressException("features: need at least 2 samples of at least 1 dimension, got n="
                    + n + ", d=" + d);
        }
        if ((long) n * d != features.length) {
            throw new IllegalArgumentException("features length " + features.length + " != n*d = " + (long) n * d);
        }
        double[] mu = new double[d];
        for (int s = 0; s < n; s++) {
            int off = s * d;
            for (int j = 0; j < d; j++) {
                mu[j] += features[off + j];
            }
        }
        for (int j = 0; j < d; j++) {
            mu[j] /= n;
            if (!Double.isFinite(mu[j])) {
                throw new GanCompressException("features: dimension " + j + " contains non-finite values");
            }
        }
        double[][] cov = new double[d][d];
        // Two-pass (centre first) to avoid the cancellation of E[xx^T] - mu mu^T. Samples are centred in
        // blocks; rows are processed in pairs (i, d-1-i) so contiguous chunks of the triangle carry equal work.
        int block = 64;
        double[][] centred = new double[block][d];
        for (int s0 = 0; s0 < n; s0 += block) {
            int rows = Math.min(block, n - s0);
            for (int r = 0; r < rows; r++) {
                int off = (s0 + r) * d;
                double[] c = centred[r];
                for (int j = 0; j < d; j++) {
                    c[j] = features[off + j] - mu[j];
                }
            }
            int pairs = (d + 1) / 2;
            Parallel.forRange(pairs, 1, (start, end) -> {
                for (int p = start; p < end; p++) {
                    accumulateRow(centred, rows, p, cov);
                    int q = d - 1 - p;
                    if (q != p) {
                        accumulateRow(centred, rows, q, cov);
                    }
                }
            });
        }
        double norm = 1.0 / (n - 1);
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                double v = cov[i][j] * norm;
                cov[i][j] = v;
                cov[j][i] = v;
            }
        }
        return new GaussianStats(mu, cov, n);
    }

    /** Adds sum_r c_r[i] * c_r[j] to cov[i][j] for j >= i (the upper triangle of row i). */
    private static void accumulateRow(double[][] centred, int rows, int i, double[][] cov) {
        double[] out = cov[i];
        int d = out.length;
        for (int r = 0; r < rows; r++) {
            double[] c = centred[r];
            double ci = c[i];
            for (int j = i; j < d; j++) {
                out[j] += ci * c[j];
            }
        }
    }

    /** Writes the statistics with their provenance key; the file appears atomically or not at all. */
    public void save(Path file, String key) {
        int d = mean.length;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 8 * (d + d * d));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(d);
            out.writeLong(count);
            byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
            if (keyBytes.length > 0xFFFF) {
                throw new IllegalArgumentException("stats key longer than 65535 UTF-8 bytes");
            }
            out.writeShort(keyBytes.length);
            out.write(keyBytes);
            for (double v : mean) {
                out.writeDouble(v);
            }
            for (double[] row : covariance) {
                for (double v : row) {
                    out.writeDouble(v);
                }
            }
            CRC32 crc = new CRC32();
            crc.update(bytes.toByteArray());
            out.writeLong(crc.getValue());
        } catch (IOException e) {
            throw new IllegalStateException("in-memory write failed", e);
        }
        AtomicFiles.writeBytes(file.toAbsolutePath(), bytes.toByteArray());
    }

    /** Reads statistics whatever their key. */
    public static GaussianStats load(Path file) {
        return load(file, null);
    }

    /**
     * Reads statistics, verifying magic, version, length and checksum, and (when expectedKey is not null)
     * that they were computed from what the caller expects.
     */
    public static GaussianStats load(Path file, String expectedKey) {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new GanCompressException("stats file " + file + ": cannot read (" + e + ")", e);
        }
        String where = "stats file " + file + ": ";
        int fixedHeader = MAGIC.length + 4 + 4 + 8 + 2;
        if (data.length < fixedHeader + 8) {
            throw new GanCompressException(where + "truncated header, " + data.length + " bytes, expected at least "
                    + (fixedHeader + 8));
        }
        ByteBuffer in = ByteBuffer.wrap(data);
        byte[] magic = new byte[MAGIC.length];
        in.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new GanCompressException(where + "bad magic, expected \"GCSTATS1\" (not a gancompress stats file)");
        }
        int version = in.getInt();
        if (version != VERSION) {
            throw new GanCompressException(where + "unsupported version " + version + ", expected " + VERSION);
        }
        int d = in.getInt();
        long n = in.getLong();
        int keyLength = Short.toUnsignedInt(in.getShort());
        if (d < 1 || d > 1 << 15 || n < 2) {
            throw new GanCompressException(where + "corrupt header, d=" + d + ", n=" + n
                    + " (expected d >= 1 and n >= 2)");
        }
        long expectedLength = fixedHeader + (long) keyLength + 8L * d + 8L * d * d + 8;
        if (data.length != expectedLength) {
            throw new GanCompressException(where + (data.length < expectedLength ? "truncated" : "trailing bytes")
                    + ", " + data.length + " bytes, expected " + expectedLength + " for d=" + d);
        }
        CRC32 crc = new CRC32();
        crc.update(data, 0, data.length - 8);
        long stored = ByteBuffer.wrap(data, data.length - 8, 8).getLong();
        if (stored != crc.getValue()) {
            throw new GanCompressException(where + "checksum mismatch (CRC32 stored " + Long.toHexString(stored)
                    + ", computed " + Long.toHexString(crc.getValue()) + "); the file is corrupt");
        }
        String key = new String(data, fixedHeader, keyLength, StandardCharsets.UTF_8);
        if (expectedKey != null && !expectedKey.equals(key)) {
            throw new GanCompressException(where + "key mismatch, file has \"" + key + "\", expected \""
                    + expectedKey + "\"");
        }
        in.position(fixedHeader + keyLength);
        double[] mu = new double[d];
        for (int i = 0; i < d; i++) {
            mu[i] = in.getDouble();
        }
        double[][] cov = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                cov[i][j] = in.getDouble();
            }
        }
        return new GaussianStats(mu, cov, n);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GaussianStats g && count == g.count && Arrays.equals(mean, g.mean)
                && Arrays.deepEquals(covariance, g.covariance);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(count) + Arrays.hashCode(mean)) + Arrays.deepHashCode(covariance);
    }

    @Override
    public String toString() {
        return "GaussianStats[d=" + mean.length + ", count=" + count + "]";
    }
}
