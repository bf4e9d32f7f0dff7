package dev.gancompress.onnx;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Input;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Runs ONNX's own backend node tests (a {@code model.onnx}, {@code test_data_set_0/input_*.pb} and
 * {@code output_0.pb} per case; Debian's {@code libonnx-testdata} installs them under
 * {@link #DEBIAN_NODE_TESTS}) through the importer and the engine. A case's first input is its data; the others
 * (W, B, scales, shape, pads, ...) become initializers, as in an exported model, except for ops that combine two
 * computed values (Add, Concat). Each case ends in one of three ways: it imports and matches the expected output
 * within {@link #TOLERANCE} (PASS), it is refused with a message (REFUSED: outside what gancompress supports), or
 * it imports and computes something else (WRONG): the one outcome that must never happen.
 */
public final class ConformanceSuite {
    public static final Path DEBIAN_NODE_TESTS = Path.of("/usr/share/libonnx-testdata/data/node");
    /** Absolute tolerance, scaled by the expected value's magnitude above 1. */
    public static final double TOLERANCE = 1e-4;

    private static final Set<String> DATA_ONLY_OPS = Set.of("Add", "Concat");

    public enum Status { PASS, REFUSED, WRONG }

    /** One case: its directory name, the op types of its model, the outcome and why. */
    public record Outcome(String name, String ops, Status status, String detail) {
    }

    private ConformanceSuite() {
    }

    /** Every case directory below {@code root}, by name. */
    public static List<Outcome> run(Path root) {
        List<Path> cases;
        try (Stream<Path> s = Files.list(root)) {
            cases = s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).sorted().toList();
        } catch (IOException e) {
            throw new GanCompressException("cannot list ONNX node tests in " + root + ": " + e.getMessage(), e);
        }
        List<Outcome> out = new ArrayList<>();
        for (Path c : cases) {
            out.add(runCase(c));
        }
        return out;
    }

    /** Counts per op type: [pass, refused, wrong]. */
    public static Map<String, int[]> countsByOp(List<Outcome> outcomes) {
        Map<String, int[]> counts = new TreeMap<>();
        for (Outcome o : outcomes) {
            counts.computeIfAbsent(o.ops(), k -> new int[3])[o.status().ordinal()]++;
        }
        return counts;
    }

    static Outcome runCase(Path dir) {
        String name = dir.getFileName().toString();
        OnnxModelProto proto;
        List<OnnxTensor> inputs = new ArrayList<>();
        OnnxTensor expected;
        try {
            proto = OnnxImporter.parse(Files.readAllBytes(dir.resolve("model.onnx")), name);
            Path data = dir.resolve("test_data_set_0");
            for (int i = 0; Files.exists(data.resolve("input_" + i + ".pb")); i++) {
                inputs.add(ProtoReader.decodeTensor(Files.readAllBytes(data.resolve("input_" + i + ".pb"))));
            }
            if (Files.exists(data.resolve("output_1.pb"))) {
                return new Outcome(name, ops(proto), Status.REFUSED, "the case has several outputs");
            }
            expected = ProtoReader.decodeTensor(Files.readAllBytes(data.resolve("output_0.pb")));
        } catch (IOException | GanCompressException | IllegalArgumentException e) {
            return new Outcome(name, "?", Status.REFUSED, "unreadable: " + e.getMessage());
        }
        String ops = ops(proto);
        Model model;
        Map<String, Tensor> feeds = new HashMap<>();
        try {
            OnnxModelProto withConstants = constantsFromInputs(proto, inputs);
            model = OnnxImporter.fromProto(withConstants, name);
            for (Input in : model.inputs()) {
                OnnxTensor t = inputs.get(indexOf(proto, in.name()));
                feeds.put(in.name(), new Tensor(t.intDims(), asFloats(t)));
            }
        } catch (GanCompressException | UnsupportedInput e) {
            return new Outcome(name, ops, Status.REFUSED, e.getMessage());
        }
        if (expected.dataType() != OnnxTensor.FLOAT || expected.floats() == null) {
            return new Outcome(name, ops, Status.REFUSED, "expected output is " + OnnxTensor.typeName(
                    expected.dataType()));
        }
        Tensor actual;
        try {
            actual = new Network(model).forward(feeds, false);
        } catch (RuntimeException e) {
            // The importer accepted a model the engine cannot run: a bug to fix, counted as WRONG.
            return new Outcome(name, ops, Status.WRONG, "engine failed: " + e);
        }
        int[] shape = expected.intDims();
        if (!java.util.Arrays.equals(actual.shape(), shape)) {
            return new Outcome(name, ops, Status.WRONG, "shape " + java.util.Arrays.toString(actual.shape())
                    + ", expected " + java.util.Arrays.toString(shape));
        }
        double worst = 0;
        float[] e = expected.floats();
        float[] a = actual.data();
        for (int i = 0; i < e.length; i++) {
            double err = Math.abs(a[i] - e[i]) / Math.max(1, Math.abs(e[i]));
            if (!(err <= worst)) {
                worst = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
            }
        }
        return worst <= TOLERANCE ? new Outcome(name, ops, Status.PASS, "max error " + worst)
                : new Outcome(name, ops, Status.WRONG, "max error " + worst);
    }

    /** Inputs 1.. become initializers (they are weights, shapes, scales in a real model), unless data-only. */
    private static OnnxModelProto constantsFromInputs(OnnxModelProto proto, List<OnnxTensor> values) {
        OnnxGraph g = proto.graph();
        List<OnnxValueInfo> fed = fedInputs(g);
        if (fed.size() != values.size()) {
            throw new UnsupportedInput("the case feeds " + values.size() + " inputs to a graph of " + fed.size());
        }
        boolean dataOnly = g.nodes().stream().anyMatch(n -> DATA_ONLY_OPS.contains(n.opType()));
        List<OnnxTensor> initializers = new ArrayList<>(g.initializers());
        for (int i = 1; i < values.size() && !dataOnly; i++) {
            OnnxTensor v = values.get(i);
            initializers.add(new OnnxTensor(fed.get(i).name(), v.dataType(), v.dims(), v.floats(), v.longs(),
                    v.ints()));
        }
        return new OnnxModelProto(proto.irVersion(), proto.producerName(), proto.producerVersion(), proto.opsets(),
                new OnnxGraph(g.name(), g.nodes(), initializers, g.inputs(), g.outputs()), proto.metadata());
    }

    /**
     * The graph inputs a case feeds: those without an initializer of the same name (older exporters, such as the
     * converted PyTorch cases, also list every weight as a graph input).
     */
    private static List<OnnxValueInfo> fedInputs(OnnxGraph g) {
        Set<String> constant = new java.util.HashSet<>();
        g.initializers().forEach(t -> constant.add(t.name()));
        return g.inputs().stream().filter(i -> !constant.contains(i.name())).toList();
    }

    private static int indexOf(OnnxModelProto proto, String input) {
        List<OnnxValueInfo> in = fedInputs(proto.graph());
        for (int i = 0; i < in.size(); i++) {
            if (in.get(i).name().equals(input)) {
                return i;
            }
        }
        throw new UnsupportedInput("no graph input " + input);
    }

    private static float[] asFloats(OnnxTensor t) {
        if (t.floats() != null) {
            return t.floats();
        }
        if (t.longs() != null) {
            float[] f = new float[t.longs().length];
            for (int i = 0; i < f.length; i++) {
                f[i] = t.longs()[i];
            }
            return f;
        }
        throw new UnsupportedInput("input is " + OnnxTensor.typeName(t.dataType()));
    }

    private static String ops(OnnxModelProto proto) {
        Set<String> ops = new LinkedHashSet<>();
        proto.graph().nodes().forEach(n -> ops.add(n.opType()));
        return String.join("+", ops);
    }

    private static final class UnsupportedInput extends RuntimeException {
        UnsupportedInput(String message) {
            super(message);
        }
    }
}
