package dev.gancompress.onnx;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Where a tensor stored outside the .onnx file is read from (ONNX docs/ExternalData.md: a {@code location}
 * relative to the model file's directory, an optional byte {@code offset} and {@code length}). PyTorch writes such
 * files for models above 2 GB, and users move them around, so the location is resolved strictly: relative, and
 * inside the model's directory after following links; an absolute path or one that climbs out with ".." is
 * refused, since a model file must not be able to make gancompress read arbitrary files.
 */
@FunctionalInterface
interface ExternalData {
    /** @param length the number of bytes, or -1 for "to the end of the file" */
    byte[] read(String tensor, String location, long offset, long length) throws IOException;

    /** Resolves locations against the directory of {@code modelFile}. */
    static ExternalData nextTo(Path modelFile) {
        Path dir = modelFile.toAbsolutePath().getParent();
        return (tensor, location, offset, length) -> {
            String where = "tensor '" + tensor + "' keeps its data in external file '" + location + "'";
            Path rel;
            try {
                rel = Path.of(location);
            } catch (RuntimeException e) {
                throw new OnnxLayerDecoder.Unsupported(where + ", which is not a valid path");
            }
            if (rel.isAbsolute() || !dir.resolve(rel).normalize().startsWith(dir.normalize())) {
                throw new OnnxLayerDecoder.Unsupported(where + ", which is outside the model's directory " + dir
                        + "; external data must sit next to the .onnx file or below it");
            }
            Path file = dir.resolve(rel).normalize();
            Path real;
            try {
                real = file.toRealPath();
            } catch (NoSuchFileException e) {
                throw new OnnxLayerDecoder.Unsupported(where + ", which does not exist (looked for " + file + ")");
            }
            if (!real.startsWith(dir.toRealPath())) {
                throw new OnnxLayerDecoder.Unsupported(where + ", which links outside the model's directory");
            }
            long size = Files.size(real);
            long n = length < 0 ? size - offset : length;
            if (offset < 0 || n < 0 || offset + n > size || n > Integer.MAX_VALUE) {
                throw new OnnxLayerDecoder.Unsupported(where + " at offset " + offset + ", length " + length
                        + ", but the file holds " + size + " bytes");
            }
            byte[] bytes = new byte[(int) n];
            try (RandomAccessFile f = new RandomAccessFile(real.toFile(), "r")) {
                f.seek(offset);
                f.readFully(bytes);
            }
            return bytes;
        };
    }
}
