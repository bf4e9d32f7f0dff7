package dev.gancompress.onnx;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ModelProto: the file. {@code graph} is null when the bytes held none (every valid ONNX file has one);
 * {@code metadata} keeps metadata_props in file order.
 */
public record OnnxModelProto(long irVersion, String producerName, String producerVersion, List<OpsetId> opsets,
                             OnnxGraph graph, Map<String, String> metadata) {
    public OnnxModelProto {
        opsets = List.copyOf(opsets);
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** OperatorSetIdProto; the empty domain is the default "ai.onnx" operator set. */
    public record OpsetId(String domain, long version) {
    }

    /** The version of the default operator set, or -1 when the file imports none. */
    public long defaultOpsetVersion() {
        for (OpsetId id : opsets) {
            if (id.domain().isEmpty() || id.domain().equals("ai.onnx")) {
                return id.version();
            }
        }
        return -1;
    }
}
