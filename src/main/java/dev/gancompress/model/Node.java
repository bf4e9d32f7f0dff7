package dev.gancompress.model;

import java.util.List;

/** A named layer applied to the named values it reads (graph inputs or earlier nodes). */
public record Node(String name, Layer layer, List<String> inputs) {
    public Node {
        inputs = List.copyOf(inputs);
    }

    public static Node of(String name, Layer layer, String... inputs) {
        return new Node(name, layer, List.of(inputs));
    }

    public Node withLayer(Layer replacement) {
        return new Node(name, replacement, inputs);
    }

    public Node copy() {
        return new Node(name, layer.copy(), inputs);
    }
}
