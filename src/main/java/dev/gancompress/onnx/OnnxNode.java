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
    /** The attribute's int value, or the operator's default when the exporter left it out. */
    long intAttribute(String attributeName, long fallback) {
        OnnxAttribute a = attribute(attributeName);
        return a == null ? fallback : a.i();
    }

    float floatAttribute(String attributeName, float fallback) {
        OnnxAttribute a = attribute(attributeName);
        return a == null ? fallback : a.f();
    }

    String stringAttribute(String attributeName, String fallback) {
        OnnxAttribute a = attribute(attributeName);
        return a == null ? fallback : a.s();
    }

    public String input(int index) {
        return index < inputs.size() ? inputs.get(index) : "";
    }
}
