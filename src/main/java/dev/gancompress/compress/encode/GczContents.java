package dev.gancompress.compress.encode;

import dev.gancompress.onnx.OnnxModelProto;

import java.util.List;

/**
 * A .gcz file's model (the ONNX proto, every initializer restored bit-exactly) and how each tensor was stored.
 *
 * @param graphBytes bytes of the graph section (header and CRCs of the file are in {@code fileBytes} only)
 * @param fileBytes  size of the whole file
 */
public record GczContents(OnnxModelProto proto, List<GczTensorReport> tensors, long graphBytes, long fileBytes) {
    public GczContents {
        tensors = List.copyOf(tensors);
    }
}
