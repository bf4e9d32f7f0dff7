package dev.gancompress.train;

import dev.gancompress.AtomicFiles;
import dev.gancompress.GanCompressException;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Everything needed to continue a training run exactly: weights (with running statistics), optimiser moments,
 * counters and the position in the data (epoch, next batch). The random streams are derived from
 * (seed, step) and (seed, epoch), so the position alone restores them.
 *
 * <p>File layout: "GANCKPT1", int version, UTF config JSON, long step, int epoch, int batch, the counters and
 * named float tensors, then the CRC32 of all preceding bytes. Written atomically.
 */
public record Checkpoint(String configJson, long step, int epoch, int nextBatch, Map<String, Long> counters,
                         Map<String, float[]> tensors) {
    private static final byte[] MAGIC = "GANCKPT1".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;

    public void write(Path file) {
        AtomicFiles.write(file, raw -> {
            CRC32 crc = new CRC32();
            DataOutputStream out = new DataOutputStream(new java.util.zip.CheckedOutputStream(raw, crc));
            out.write(MAGIC);
            out.writeInt(VERSION);
            byte[] cfg = configJson.getBytes(StandardCharsets.UTF_8);
            out.writeInt(cfg.length);
            out.write(cfg);
            out.writeLong(step);
            out.writeInt(epoch);
            out.writeInt(nextBatch);
            out.writeInt(counters.size());
            for (Map.Entry<String, Long> e : counters.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue());
            }
            out.writeInt(tensors.size());
            byte[] buf = new byte[1 << 16];
            for (Map.Entry<String, float[]> e : tensors.entrySet()) {
                out.writeUTF(e.getKey());
                float[] d = e.getValue();
                out.writeInt(d.length);
                int pos = 0;
                for (float v : d) {
                    int bits = Float.floatToRawIntBits(v);
                    buf[pos++] = (byte) (bits >>> 24);
                    buf[pos++] = (byte) (bits >>> 16);
                    buf[pos++] = (byte) (bits >>> 8);
                    buf[pos++] = (byte) bits;
                    if (pos == buf.length) {
                        out.write(buf, 0, pos);
                        pos = 0;
                    }
                }
                out.write(buf, 0, pos);
            }
            out.flush();
            new DataOutputStream(raw).writeLong(crc.getValue());
        });
    }

    public static Checkpoint read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new GanCompressException("checkpoint " + file + " does not exist");
        } catch (IOException e) {
            throw new GanCompressException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
        }
        if (bytes.length < MAGIC.length + 12 || !java.util.Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0,
                MAGIC.length)) {
            throw new GanCompressException("file " + file + " is not a gancompress checkpoint (expected magic GANCKPT1)");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        long stored = java.nio.ByteBuffer.wrap(bytes, bytes.length - 8, 8).getLong();
        if (stored != crc.getValue()) {
            throw new GanCompressException("checkpoint " + file + " is corrupt or truncated (CRC32 mismatch)");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, MAGIC.length,
                bytes.length - 8 - MAGIC.length))) {
            int version = in.readInt();
            if (version != VERSION) {
                throw new GanCompressException("checkpoint " + file + " has version " + version + ", expected "
                        + VERSION);
            }
            byte[] cfg = new byte[in.readInt()];
            in.readFully(cfg);
            long step = in.readLong();
            int epoch = in.readInt();
            int nextBatch = in.readInt();
            Map<String, Long> counters = new LinkedHashMap<>();
            int nc = in.readInt();
            for (int i = 0; i < nc; i++) {
                counters.put(in.readUTF(), in.readLong());
            }
            Map<String, float[]> tensors = new LinkedHashMap<>();
            int nt = in.readInt();
            for (int i = 0; i < nt; i++) {
                String name = in.readUTF();
                float[] d = new float[in.readInt()];
                for (int j = 0; j < d.length; j++) {
                    d[j] = in.readFloat();
                }
                tensors.put(name, d);
            }
            return new Checkpoint(new String(cfg, StandardCharsets.UTF_8), step, epoch, nextBatch, counters, tensors);
        } catch (EOFException e) {
            throw new GanCompressException("checkpoint " + file + " is truncated");
        } catch (IOException e) {
            throw new GanCompressException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
        }
    }
}
