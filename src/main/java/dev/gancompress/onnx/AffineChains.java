package dev.gancompress.onnx;

import dev.gancompress.model.Affine;
import dev.gancompress.model.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges an {@link Affine} into the Affine that reads it when nothing else does: PyTorch's {@code (tanh(x) + 1) / 2}
 * is an Add and a Div, and gancompress's own export of one Affine is a Mul and an Add; both import as one layer.
 * The merged node keeps the later node's name (the value its consumers read) and the earlier one's input.
 */
final class AffineChains {
    private AffineChains() {
    }

    /**
     * @param output    the model's output value (never merged away)
     * @param quantized values with an int8 grid (kept: the grid belongs to that value)
     */
    static List<Node> merge(List<Node> nodes, String output, Set<String> quantized) {
        Map<String, Integer> consumers = new HashMap<>();
        for (Node n : nodes) {
            for (String in : n.inputs()) {
                consumers.merge(in, 1, Integer::sum);
            }
        }
        Map<String, Node> merged = new HashMap<>();
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) {
            Node first = n.layer() instanceof Affine ? merged.get(n.inputs().get(0)) : null;
            if (first != null && n.layer() instanceof Affine second) {
                out.remove(first);
                n = new Node(n.name(), second.after((Affine) first.layer()), first.inputs());
            }
            out.add(n);
            if (n.layer() instanceof Affine && consumers.getOrDefault(n.name(), 0) == 1 && !n.name().equals(output)
                    && !quantized.contains(n.name())) {
                merged.put(n.name(), n);
            }
        }
        return out;
    }
}
