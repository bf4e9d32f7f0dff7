package dev.gancompress.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files for tests, raw or gzipped, optionally with a corrupted header or body. */
final class IdxFixtures {
    private IdxFixtures() {
    }

    /** Header and body of an IDX images file, [n, h, w] unsigned bytes. */
    static byte[] images(int n, int h, int w, byte[] pixels) {
        return concat(ByteBuffer.allocate(16).putInt(IdxDataset.IMAGES_MAGIC).putInt(n).putInt(h).putInt(w).array(),
                pixels);
    }

    /** Header and body of an IDX labels file, [n] unsigned bytes. */
    static byte[] labels(byte[] labels) {
        return concat(ByteBuffer.allocate(8).putInt(IdxDataset.LABELS_MAGIC).putInt(labels.length).array(), labels);
    }

    /** Pixel i of the whole set is (i * 37) mod 256, so neighbouring images differ. */
    static byte[] pattern(int count) {
        byte[] b = new byte[count];
        for (int i = 0; i < count; i++) {
            b[i] = (byte) (i * 37);
        }
        return b;
    }

    static Path write(Path file, byte[] content, boolean gzip) throws IOException {
        if (gzip) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (OutputStream out = new GZIPOutputStream(bytes)) {
                out.write(content);
            }
            content = bytes.toByteArray();
        }
        return Files.write(file, content);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
