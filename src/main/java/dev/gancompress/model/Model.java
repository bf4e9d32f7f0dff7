package dev.gancompress.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * An engine-independent network: inputs, nodes in topological order, one output. Structure is immutable;
 * passes derive new models with {@link #withNodes} or {@link #mapNodes}. Construction infers and checks every
 * shape, so a model that exists is a model that runs.
 */
public final class Model {
    private final String name;
    private final List<Input> inputs;
    private final List<Node> nodes;
    private final String output;
    private final Map<String, String> metadata;
    private final Map<String, Shape> shapes;
    private final Map<String, ActivationQuantization> quantizedActivations;

    public Model(String name, List<Input> inputs, List<Node> nodes, String output, Map<String, String> metadata) {
        this(name, inputs, nodes, output, metadata, Map.of());
    }

    /**
     * @param quantizedActivations int8 grids of activations by value name (graph inputs and node outputs, never
     *                             the model output, which stays float for its consumers)
     */
    public Model(String name, List<Input> inputs, List<Node> nodes, String output, Map<String, String> metadata,
                 Map<String, ActivationQuantization> quantizedActivations) {
        this.name = name;
        this.inputs = List.copyOf(inputs);
        this.nodes = List.copyOf(nodes);
        this.output = output;
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        this.shapes = Collections.unmodifiableMap(inferShapes());
        for (String value : quantizedActivations.keySet()) {
            if (!shapes.containsKey(value)) {
                throw new IllegalArgumentException("quantized activation '" + value + "' is not a value of model "
                        + name);
            }
            if (value.equals(output)) {
                throw new IllegalArgumentException("the model output '" + output + "' cannot be quantized; "
                        + "quantize the value it is computed from");
            }
        }
        this.quantizedActivations = Collections.unmodifiableMap(new LinkedHashMap<>(quantizedActivations));
    }

    private Map<String, Shape> inferShapes() {
        Map<String, Shape> known = new LinkedHashMap<>();
        for (Input in : inputs) {
            if (known.put(in.name(), in.shape()) != null) {
                throw new IllegalArgumentException("duplicate value name '" + in.name() + "'");
            }
        }
        for (Node node : nodes) {
            List<Shape> in = new ArrayList<>(node.inputs().size());
            for (String src : node.inputs()) {
                Shape s = known.get(src);
                if (s == null) {
                    throw new IllegalArgumentException("node '" + node.name() + "' reads '" + src
                            + "', which is not an input or an earlier node");
                }
                in.add(s);
            }
            int arity = node.layer().arity();
            if (arity > 0 && in.size() != arity) {
                throw new IllegalArgumentException("node '" + node.name() + "' (" + node.layer().opName() + ") needs "
                        + arity + " input(s), got " + in.size());
            }
            Shape out;
            try {
                out = node.layer().outputShape(in);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("node '" + node.name() + "': " + e.getMessage(), e);
            }
            if (known.put(node.name(), out) != null) {
                throw new IllegalArgumentException("duplicate value name '" + node.name() + "'");
            }
        }
        if (!known.containsKey(output)) {
            throw new IllegalArgumentException("model output '" + output + "' is not a node");
        }
        return known;
    }

    public String name() {
        return name;
    }

    public List<Input> inputs() {
        return inputs;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public String output() {
        return output;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * How activations are stored by value name: the values absent here are fp32. The engine fake-quantises each one
     * where it is produced; the exporter writes a QuantizeLinear/DequantizeLinear pair after it.
     */
    public Map<String, ActivationQuantization> quantizedActivations() {
        return quantizedActivations;
    }

    /** A model with these activation grids (replacing any earlier ones). */
    public Model withQuantizedActivations(Map<String, ActivationQuantization> grids) {
        return new Model(name, inputs, nodes, output, metadata, grids);
    }

    /** Shape of every value (inputs and nodes) by name, per sample. */
    public Map<String, Shape> shapes() {
        return shapes;
    }

    public Shape shape(String value) {
        Shape s = shapes.get(value);
        if (s == null) {
            throw new IllegalArgumentException("no value named '" + value + "' in model " + name);
        }
        return s;
    }

    public Shape outputShape() {
        return shapes.get(output);
    }

    public Node node(String nodeName) {
        for (Node n : nodes) {
            if (n.name().equals(nodeName)) {
                return n;
            }
        }
        throw new IllegalArgumentException("no node named '" + nodeName + "' in model " + name);
    }

    public Input input(Input.Kind kind) {
        for (Input in : inputs) {
            if (in.kind() == kind) {
                return in;
            }
        }
        return null;
    }

    /** Nodes that read the given value, in graph order. */
    public List<Node> consumers(String value) {
        List<Node> list = new ArrayList<>();
        for (Node n : nodes) {
            if (n.inputs().contains(value)) {
                list.add(n);
            }
        }
        return list;
    }

    public List<Shape> inputShapes(Node node) {
        List<Shape> list = new ArrayList<>(node.inputs().size());
        for (String src : node.inputs()) {
            list.add(shapes.get(src));
        }
        return list;
    }

    public long macs(Node node) {
        return node.layer().macs(inputShapes(node), shapes.get(node.name()));
    }

    /** MACs per sample over all nodes. */
    public long macs() {
        long total = 0;
        for (Node n : nodes) {
            total += macs(n);
        }
        return total;
    }

    /** Trainable parameter count (running statistics excluded, as PyTorch's parameters()). */
    public long parameterCount() {
        long total = 0;
        for (Node n : nodes) {
            for (WeightSlot slot : n.layer().weights()) {
                if (slot.trainable()) {
                    total += slot.weights().size();
                }
            }
        }
        return total;
    }

    /** Every stored tensor, trainable or not, keyed "node.role" as in ONNX initializer names. */
    public Map<String, WeightSlot> weightSlots() {
        Map<String, WeightSlot> map = new LinkedHashMap<>();
        for (Node n : nodes) {
            for (WeightSlot slot : n.layer().weights()) {
                map.put(n.name() + "." + slot.role(), slot);
            }
        }
        return map;
    }

    public Model withNodes(List<Node> newNodes) {
        return new Model(name, inputs, newNodes, output, metadata, quantizedActivations);
    }

    public Model withNode(Node replacement) {
        List<Node> list = new ArrayList<>(nodes.size());
        boolean found = false;
        for (Node n : nodes) {
            if (n.name().equals(replacement.name())) {
                list.add(replacement);
                found = true;
            } else {
                list.add(n);
            }
        }
        if (!found) {
            throw new IllegalArgumentException("no node named '" + replacement.name() + "' in model " + name);
        }
        return withNodes(list);
    }

    public Model mapNodes(UnaryOperator<Node> f) {
        List<Node> list = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            list.add(f.apply(n));
        }
        return withNodes(list);
    }

    public Model withName(String newName) {
        return new Model(newName, inputs, nodes, output, metadata, quantizedActivations);
    }

    public Model withMetadata(Map<String, String> extra) {
        Map<String, String> m = new LinkedHashMap<>(metadata);
        m.putAll(extra);
        return new Model(name, inputs, nodes, output, m, quantizedActivations);
    }

    /** A deep copy: same structure, independent weight arrays. */
    public Model copy() {
        return mapNodes(Node::copy);
    }

    /** Names of all nodes, to check uniqueness when passes add nodes. */
    public Set<String> valueNames() {
        return new HashSet<>(shapes.keySet());
    }
}
