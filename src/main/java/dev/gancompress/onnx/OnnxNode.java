package dev.gancompress.onnx;

import java.util.List;

/** NodeProto: one operator application; an empty input name marks an omitted optional input. */
public record OnnxNode(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                       List<OnnxAttribute> attributes) {
    public OnnxNode {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = List.copyOf(attributes);
    }

    public OnnxAttribute attribute(String attributeName) {
        for (OnnxAttribute a : attributes) {
            if (a.name().equals(attributeName)) {
                return a;
            }
        }
        return null;
    }

    /** The input at {@code index}, or "" when it is absent or omitted. */
    public String input(int index) {
        return index < inputs.size() ? inputs.get(index) : "";
    }
}
