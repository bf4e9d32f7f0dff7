package dev.gancompress.onnx;

import dev.gancompress.model.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Evaluates, at import, the small integer (and float) arithmetic that exporters leave in graphs: above all
 * PyTorch's {@code x.view(x.size(0), C, H, W)}, which {@code torch.onnx.export} writes as Shape -> Gather ->
 * Unsqueeze -> Concat -> Reshape. Every per-sample size is known to the importer, so each such node folds into a
 * constant; the batch size is symbolic and travels as the marker {@link #BATCH}, which a Reshape's first entry may
 * hold (it means "keep the batch") and nothing else may: arithmetic on it, or the batch landing in another axis,
 * is refused with the node named, never guessed.
 */
final class ConstantFolding {
    /** The symbolic batch size inside a folded shape tensor. */
    static final long BATCH = Long.MIN_VALUE;

    static final Set<String> OPS = Set.of("Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Cast", "Slice",
            "Add", "Sub", "Mul", "Div", "ConstantOfShape");

    private final Map<String, OnnxTensor> constants;
    private final Function<String, Shape> shapes;
    private final long opset;

    ConstantFolding(Map<String, OnnxTensor> constants, Function<String, Shape> shapes, long opset) {
        this.constants = constants;
        this.shapes = shapes;
        this.opset = opset;
    }

    /**
     * The constant {@code node} computes, or null when it reads a computed value (then it is a layer: Add of two
     * activations, Concat of feature maps, an embedding lookup, ...).
     *
     * @throws OnnxLayerDecoder.Unsupported when the node is constant but cannot be folded faithfully
     */
    OnnxTensor fold(OnnxNode node) {
        String out = node.outputs().get(0);
        if (node.opType().equals("Shape")) {
            return shape(node, out);
        }
        List<OnnxTensor> in = new ArrayList<>();
        for (String name : node.inputs()) {
            if (name.isEmpty()) {
                in.add(null);
                continue;
            }
            OnnxTensor t = constants.get(name);
            if (t == null) {
                return null;
            }
            in.add(t);
        }
        if (in.isEmpty() || in.get(0) == null) {
            return null;
        }
        return switch (node.opType()) {
            case "Gather" -> gather(node, in, out);
            case "Unsqueeze", "Squeeze" -> squeeze(node, in, out);
            case "Concat" -> concat(node, in, out);
            case "Cast" -> cast(node, in.get(0), out);
            case "Slice" -> slice(in, out);
            case "ConstantOfShape" -> constantOfShape(node, in.get(0), out);
            default -> arithmetic(node.opType(), in, out);
        };
    }

    private OnnxTensor shape(OnnxNode node, String out) {
        long[] dims;
        OnnxTensor c = constants.get(node.input(0));
        if (c != null) {
            dims = c.dims().clone();
        } else {
            Shape s = shapes.apply(node.input(0));
            if (s == null) {
                throw new OnnxLayerDecoder.Unsupported("the shape of '" + node.input(0) + "' is not known, so it "
                        + "cannot be folded into a constant");
            }
            dims = new long[s.rank() + 1];
            dims[0] = BATCH;
            for (int i = 0; i < s.rank(); i++) {
                dims[i + 1] = s.dim(i);
            }
        }
        int start = (int) normalise(node.intAttribute("start", 0), dims.length);
        OnnxAttribute endAttr = node.attribute("end");
        int end = endAttr == null ? dims.length : (int) normalise(endAttr.i(), dims.length);
        long[] v = Arrays.copyOfRange(dims, Math.min(start, dims.length), Math.max(Math.min(end, dims.length), start));
        return OnnxTensor.ofLongs(out, new long[] {v.length}, v);
    }

    private static OnnxTensor gather(OnnxNode node, List<OnnxTensor> in, String out) {
        OnnxTensor data = in.get(0);
        OnnxTensor idx = in.get(1);
        if (node.intAttribute("axis", 0) != 0 || data.longs() == null || data.rank() != 1 || idx.longs() == null
                || idx.rank() > 1) {
            throw new OnnxLayerDecoder.Unsupported("only a Gather of int64 entries from a 1-D shape tensor folds");
        }
        long[] v = new long[idx.longs().length];
        for (int i = 0; i < v.length; i++) {
            v[i] = data.longs()[(int) normalise(idx.longs()[i], data.longs().length)];
        }
        return OnnxTensor.ofLongs(out, idx.dims(), v);
    }

    private OnnxTensor squeeze(OnnxNode node, List<OnnxTensor> in, String out) {
        OnnxTensor x = in.get(0);
        boolean unsqueeze = node.opType().equals("Unsqueeze");
        long[] axes = opset >= 13 ? (in.size() > 1 && in.get(1) != null ? in.get(1).longs() : null)
                : node.attribute("axes") == null ? null : node.attribute("axes").ints();
        List<Long> dims = new ArrayList<>();
        for (long d : x.dims()) {
            dims.add(d);
        }
        if (unsqueeze) {
            if (axes == null) {
                throw new OnnxLayerDecoder.Unsupported("Unsqueeze needs axes");
            }
            long[] sorted = axes.clone();
            int rank = x.rank() + sorted.length;
            for (int i = 0; i < sorted.length; i++) {
                sorted[i] = normalise(sorted[i], rank);
            }
            Arrays.sort(sorted);
            for (long a : sorted) {
                dims.add((int) a, 1L);
            }
        } else if (axes == null) {
            dims.removeIf(d -> d == 1);
        } else {
            long[] sorted = axes.clone();
            for (int i = 0; i < sorted.length; i++) {
                sorted[i] = normalise(sorted[i], x.rank());
            }
            Arrays.sort(sorted);
            for (int i = sorted.length - 1; i >= 0; i--) {
                dims.remove((int) sorted[i]);
            }
        }
        long[] d = dims.stream().mapToLong(Long::longValue).toArray();
        return new OnnxTensor(out, x.dataType(), d, x.floats(), x.longs(), x.ints());
    }

    private static OnnxTensor concat(OnnxNode node, List<OnnxTensor> in, String out) {
        long axis = node.intAttribute("axis", 0);
        boolean longs = in.get(0).longs() != null;
        for (OnnxTensor t : in) {
            if (t == null || t.rank() != 1 || (t.longs() != null) != longs || (!longs && t.floats() == null)) {
                throw new OnnxLayerDecoder.Unsupported("only a Concat of 1-D int64 or float32 constants folds");
            }
        }
        if (axis != 0 && axis != -1) {
            throw new OnnxLayerDecoder.Unsupported("a Concat of 1-D constants needs axis 0, got " + axis);
        }
        int n = in.stream().mapToInt(t -> (int) t.size()).sum();
        long[] lv = new long[n];
        float[] fv = new float[n];
        int k = 0;
        for (OnnxTensor t : in) {
            for (int i = 0; i < t.size(); i++, k++) {
                if (longs) {
                    lv[k] = t.longs()[i];
                } else {
                    fv[k] = t.floats()[i];
                }
            }
        }
        return longs ? OnnxTensor.ofLongs(out, new long[] {n}, lv)
                : new OnnxTensor(out, OnnxTensor.FLOAT, new long[] {n}, fv, null);
    }

    private static OnnxTensor cast(OnnxNode node, OnnxTensor x, String out) {
        long to = node.intAttribute("to", 0);
        if (to == OnnxTensor.INT64 && x.longs() != null) {
            return new OnnxTensor(out, OnnxTensor.INT64, x.dims(), null, x.longs());
        }
        if (to == OnnxTensor.FLOAT && x.floats() != null) {
            return new OnnxTensor(out, OnnxTensor.FLOAT, x.dims(), x.floats(), null);
        }
        if (to == OnnxTensor.FLOAT && x.longs() != null) {
            float[] v = new float[x.longs().length];
            for (int i = 0; i < v.length; i++) {
                requireNotBatch(x.longs()[i], "Cast");
                v[i] = x.longs()[i];
            }
            return new OnnxTensor(out, OnnxTensor.FLOAT, x.dims(), v, null);
        }
        if (to == OnnxTensor.INT64 && x.floats() != null) {
            long[] v = new long[x.floats().length];
            for (int i = 0; i < v.length; i++) {
                v[i] = (long) x.floats()[i]; // ONNX Cast float -> int truncates toward zero
            }
            return OnnxTensor.ofLongs(out, x.dims(), v);
        }
        return null; // a Cast of a stored weight (float16 -> float) is QdqWeights' business
    }

    private static OnnxTensor slice(List<OnnxTensor> in, String out) {
        OnnxTensor x = in.get(0);
        if (x.rank() != 1 || x.longs() == null || in.size() < 3) {
            throw new OnnxLayerDecoder.Unsupported("only a Slice of a 1-D int64 constant with starts/ends inputs folds");
        }
        int n = x.longs().length;
        long step = in.size() > 4 && in.get(4) != null ? in.get(4).longs()[0] : 1;
        if (step != 1) {
            throw new OnnxLayerDecoder.Unsupported("only a Slice with step 1 folds");
        }
        int start = (int) Math.min(normaliseClamped(in.get(1).longs()[0], n), n);
        int end = (int) Math.min(normaliseClamped(in.get(2).longs()[0], n), n);
        long[] v = Arrays.copyOfRange(x.longs(), start, Math.max(start, end));
        return OnnxTensor.ofLongs(out, new long[] {v.length}, v);
    }

    private static OnnxTensor constantOfShape(OnnxNode node, OnnxTensor shape, String out) {
        OnnxAttribute value = node.attribute("value");
        long n = 1;
        for (long d : shape.longs()) {
            requireNotBatch(d, "ConstantOfShape");
            n *= d;
        }
        OnnxTensor v = value == null ? null : value.t();
        if (v != null && v.longs() != null) {
            long[] data = new long[(int) n];
            Arrays.fill(data, v.longs()[0]);
            return OnnxTensor.ofLongs(out, shape.longs(), data);
        }
        float[] data = new float[(int) n];
        Arrays.fill(data, v == null ? 0f : v.floats()[0]);
        return new OnnxTensor(out, OnnxTensor.FLOAT, shape.longs(), data, null);
    }

    /** Elementwise with a scalar (or size-1) operand broadcast; int64 or float32. */
    private static OnnxTensor arithmetic(String op, List<OnnxTensor> in, String out) {
        OnnxTensor a = in.get(0);
        OnnxTensor b = in.get(1);
        if (a.longs() != null && b.longs() != null) {
            int n = (int) Math.max(a.size(), b.size());
            if ((a.size() != n && a.size() != 1) || (b.size() != n && b.size() != 1)) {
                throw new OnnxLayerDecoder.Unsupported("only elementwise " + op + " of equal sizes or a scalar folds");
            }
            long[] v = new long[n];
            for (int i = 0; i < n; i++) {
                long x = a.longs()[a.size() == 1 ? 0 : i];
                long y = b.longs()[b.size() == 1 ? 0 : i];
                requireNotBatch(x, op);
                requireNotBatch(y, op);
                v[i] = switch (op) {
                    case "Add" -> x + y;
                    case "Sub" -> x - y;
                    case "Mul" -> x * y;
                    default -> Math.floorDiv(x, y);
                };
            }
            return OnnxTensor.ofLongs(out, a.size() >= b.size() ? a.dims() : b.dims(), v);
        }
        if (a.floats() != null && b.floats() != null && (a.size() == b.size() || b.size() == 1 || a.size() == 1)) {
            int n = (int) Math.max(a.size(), b.size());
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                float x = a.floats()[a.size() == 1 ? 0 : i];
                float y = b.floats()[b.size() == 1 ? 0 : i];
                v[i] = switch (op) {
                    case "Add" -> x + y;
                    case "Sub" -> x - y;
                    case "Mul" -> x * y;
                    default -> x / y;
                };
            }
            return new OnnxTensor(out, OnnxTensor.FLOAT, a.size() >= b.size() ? a.dims() : b.dims(), v, null);
        }
        throw new OnnxLayerDecoder.Unsupported(op + " of constants of types " + OnnxTensor.typeName(a.dataType())
                + " and " + OnnxTensor.typeName(b.dataType()) + " does not fold");
    }

    private static void requireNotBatch(long v, String op) {
        if (v == BATCH) {
            throw new OnnxLayerDecoder.Unsupported(op + " computes with the symbolic batch size; gancompress folds "
                    + "the batch only as the first entry of a Reshape's shape");
        }
    }

    private static long normalise(long axis, long rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a > rank) {
            throw new OnnxLayerDecoder.Unsupported("index " + axis + " is out of range for size " + rank);
        }
        return a;
    }

    private static long normaliseClamped(long i, long n) {
        return Math.max(0, i < 0 ? i + n : i);
    }

}
