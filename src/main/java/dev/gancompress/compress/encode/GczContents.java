package dev.gancompress.compress.encode;

import dev.gancompress.onnx.OnnxModelProto;

import dev.gancompress.onnx.OnnxTensor;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

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

    /** Bytes of all tensor sections. */
    public long tensorBytes() {
        return tensors.stream().mapToLong(GczTensorReport::bytes).sum();
    }

    /**
     * Per tensor: storage kind, values, bytes, bits per value, where the tensor's entries are (layout), what they
     * are (value model), the codecs chosen, the share of the file, and the streams' empirical entropy per value.
     */
    public String toTable() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-28s %-12s %10s %10s %8s %8s %-14s %-13s %-13s %7s%n", "tensor",
                "storage", "values", "bytes", "bits/val", "H/val", "layout", "values as", "codecs", "share"));
        for (GczTensorReport t : tensors) {
            out.append(String.format(Locale.ROOT, "%-28s %-12s %,10d %,10d %8.3f %8.3f %-14s %-13s %-13s %6.2f%%%n",
                    t.name(), t.storage(), t.elements(), t.bytes(), t.bitsPerValue(),
                    t.elements() == 0 ? 0 : t.entropyBits() / t.elements(), t.layout(), t.values(), t.codecs(),
                    100.0 * t.bytes() / fileBytes));
        }
        long values = tensors.stream().mapToLong(GczTensorReport::elements).sum();
        out.append(String.format(Locale.ROOT, "%-28s %-12s %,10d %,10d %8.3f %8s %-14s %-13s %-13s %6.2f%%%n",
                "graph section", "", 0, graphBytes, 0.0, "", "", "", "", 100.0 * graphBytes / fileBytes));
        out.append(String.format(Locale.ROOT, "%-28s %-12s %,10d %,10d %8.3f%n", "total (header, end: "
                + (fileBytes - graphBytes - tensorBytes()) + " B)", "", values, fileBytes,
                values == 0 ? 0 : fileBytes * 8.0 / values));
        return out.toString();
    }

    /** Whether two protos hold the same initializers, bit for bit (names, types, shapes, values). */
    public static boolean sameInitializers(OnnxModelProto a, OnnxModelProto b) {
        List<OnnxTensor> x = a.graph().initializers();
        List<OnnxTensor> y = b.graph().initializers();
        if (x.size() != y.size()) {
            return false;
        }
        for (int i = 0; i < x.size(); i++) {
            OnnxTensor s = x.get(i);
            OnnxTensor t = y.get(i);
            if (!s.name().equals(t.name()) || s.dataType() != t.dataType() || !Arrays.equals(s.dims(), t.dims())
                    || !Arrays.equals(s.ints(), t.ints()) || !Arrays.equals(s.longs(), t.longs())
                    || (s.floats() == null) != (t.floats() == null)) {
                return false;
            }
            if (s.floats() != null) {
                for (int k = 0; k < s.floats().length; k++) {
                    if (Float.floatToRawIntBits(s.floats()[k]) != Float.floatToRawIntBits(t.floats()[k])) {
                        return false;
                    }
                }
            }
        }
        return true;
    }
}
