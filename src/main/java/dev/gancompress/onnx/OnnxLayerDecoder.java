package dev.gancompress.onnx;

import dev.gancompress.model.Activation;
import dev.gancompress.model.Add;
import dev.gancompress.model.Affine;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Concat;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Embedding;
import dev.gancompress.model.InstanceNorm2d;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Layer;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Pad2d;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.model.Upsample;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.model.Weights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Maps one ONNX operator to an IR layer: the inverse of {@link OnnxExporter}, plus the equivalent forms other
 * exporters write (Flatten, Gemm with transB = 0, Conv without bias, half-pixel nearest Resize). A form with
 * no IR equivalent (grouped transposed convolution, 1-D or 3-D convolution, ...) is rejected with the reason;
 * {@link Unsupported} carries it and the importer adds file and node.
 */
final class OnnxLayerDecoder {
    /** A layer and the ONNX values it reads as data (the others are its constant tensors). */
    record Decoded(Layer layer, List<String> dataInputs) {
    }

    /** The operator is recognised but this use of it has no IR equivalent. */
    static final class Unsupported extends RuntimeException {
        Unsupported(String message) {
            super(message);
        }
    }

    static final List<String> OPS = List.of("Gemm", "Conv", "ConvTranspose", "BatchNormalization",
            "InstanceNormalization", "Relu", "LeakyRelu", "Tanh", "Sigmoid", "Reshape", "Flatten", "Resize",
            "Gather", "Add", "Concat", "Pad", "Upsample", "Mul", "Div", "Sub", "Clip", "DepthToSpace",
            "SpaceToDepth");

    private final Map<String, OnnxTensor> constants;
    private final Map<String, QdqWeights.Imported> stored;
    private final Function<String, Shape> shapes;
    private final long opset;

    /**
     * @param constants initializers and Constant-node outputs by value name
     * @param stored    the constants that are stored weights (DequantizeLinear, Cast), with their storage
     * @param shapes    per-sample shape of a data value by ONNX name, null if unknown
     */
    OnnxLayerDecoder(Map<String, OnnxTensor> constants, Map<String, QdqWeights.Imported> stored,
                     Function<String, Shape> shapes, long opset) {
        this.constants = constants;
        this.stored = stored;
        this.shapes = shapes;
        this.opset = opset;
    }

    static boolean supports(String opType) {
        return OPS.contains(opType);
    }

    Decoded decode(OnnxNode node) {
        String x = node.input(0);
        return switch (node.opType()) {
            case "Gemm" -> new Decoded(gemm(node), List.of(x));
            case "Conv" -> new Decoded(conv(node), List.of(x));
            case "Pad" -> new Decoded(pad(node), List.of(x));
            case "ConvTranspose" -> new Decoded(convTranspose(node), List.of(x));
            case "BatchNormalization" -> new Decoded(batchNorm(node), List.of(x));
            case "InstanceNormalization" -> new Decoded(new InstanceNorm2d(vector(node, 1).dim(0),
                    node.floatAttribute("epsilon", 1e-5f), vector(node, 1), vector(node, 2)), List.of(x));
            case "Relu" -> new Decoded(Activation.relu(), List.of(x));
            case "LeakyRelu" -> new Decoded(Activation.leakyRelu(node.floatAttribute("alpha", 0.01f)), List.of(x));
            case "Tanh" -> new Decoded(Activation.tanh(), List.of(x));
            case "Sigmoid" -> new Decoded(Activation.sigmoid(), List.of(x));
            case "Reshape" -> new Decoded(reshape(node), List.of(x));
            case "Flatten" -> new Decoded(flatten(node), List.of(x));
            case "Resize" -> new Decoded(resize(node), List.of(x));
            case "Upsample" -> new Decoded(legacyUpsample(node), List.of(x));
            case "DepthToSpace", "SpaceToDepth" -> new Decoded(ChannelSpaceOnnx.decode(node, dataShape(node, 0)),
                    List.of(x));
            case "Gather" -> gather(node);
            case "Add" -> hasConstantOperand(node) ? arithmetic(node) : new Decoded(new Add(), List.of(x, dataInput(node, 1)));
            case "Mul", "Div", "Sub" -> arithmetic(node);
            case "Clip" -> clip(node);
            case "Concat" -> concat(node);
            default -> throw new IllegalStateException("not a supported op: " + node.opType());
        };
    }

    private Linear gemm(OnnxNode node) {
        if (node.intAttribute("transA", 0) != 0) {
            throw new Unsupported("transA = 1 reads the data input A ('" + node.input(0) + "') as [K, M], with the "
                    + "batch in its second axis; gancompress layers keep the batch as axis 0 (transpose A first)");
        }
        float alpha = node.floatAttribute("alpha", 1f);
        float beta = node.floatAttribute("beta", 1f);
        OnnxTensor b = constant(node, 1);
        requireRank(b, 2);
        Weights w = weights(b);
        if (alpha != 1f) {
            if (stored.containsKey(b.name())) {
                throw new Unsupported("alpha = " + alpha + " on a stored (quantised) B is not supported");
            }
            w = scaled(w, alpha); // alpha (x B) = x (alpha B)
        }
        if (node.intAttribute("transB", 0) == 0) {
            w = transpose(w); // B is [in, out]; the IR stores [out, in] as PyTorch's nn.Linear.
        }
        int out = w.dim(0);
        Weights bias = null;
        if (!node.input(2).isEmpty()) {
            OnnxTensor c = sharedRows(constant(node, 2));
            if (c.floats() != null && c.floats().length == 1 && out > 1 && !stored.containsKey(c.name())) {
                float[] broadcast = new float[out]; // a scalar C broadcasts over the outputs
                Arrays.fill(broadcast, c.floats()[0]);
                c = new OnnxTensor(c.name(), OnnxTensor.FLOAT, new long[] {out}, broadcast, null);
            }
            if (c.floats() == null || c.floats().length != out || c.rank() < 1 || c.dims()[c.rank() - 1] != out) {
                throw new Unsupported("bias C must hold " + out + " values in its last axis (or be a scalar), got "
                        + "shape " + Arrays.toString(c.dims()) + " (a bias per sample is not a linear layer)");
            }
            if (beta != 1f) {
                if (stored.containsKey(c.name())) {
                    throw new Unsupported("beta = " + beta + " on a stored (quantised) C is not supported");
                }
                float[] v = c.floats().clone();
                for (int i = 0; i < v.length; i++) {
                    v[i] *= beta;
                }
                c = new OnnxTensor(c.name(), OnnxTensor.FLOAT, c.dims(), v, null);
            }
            if (c.rank() != 1 && stored.containsKey(c.name())) {
                throw new Unsupported("a stored (quantised) bias C must be a vector, got shape "
                        + Arrays.toString(c.dims()));
            }
            bias = stored(new Weights(new int[] {out}, c.floats().clone()), c.name());
        }
        return new Linear(w.dim(1), out, w, bias);
    }

    /**
     * A matrix C [M, K] whose M rows are equal as its row [K]: the same bias for every sample, which a per-sample
     * layer can add. Different rows (a bias per batch index) stay as they are and are refused by the caller.
     */
    private OnnxTensor sharedRows(OnnxTensor c) {
        if (c.rank() != 2 || c.dims()[0] <= 1 || c.floats() == null || stored.containsKey(c.name())) {
            return c;
        }
        int cols = (int) c.dims()[1];
        float[] v = c.floats();
        for (int i = cols; i < v.length; i++) {
            if (Float.floatToIntBits(v[i]) != Float.floatToIntBits(v[i % cols])) {
                return c;
            }
        }
        return new OnnxTensor(c.name(), OnnxTensor.FLOAT, new long[] {cols}, Arrays.copyOf(v, cols), null);
    }

    private Conv2d conv(OnnxNode node) {
        Weights w = weights(requireRank(constant(node, 1), 4));
        Shape in = dataShape(node, 0);
        Kernel2d kernel = kernel(node, w, in, false);
        int groups = convGroups(node, w, in);
        return new Conv2d(w.dim(1) * groups, w.dim(0), kernel, w, optionalVector(node, 2), groups);
    }

    /**
     * Conv's group: W is [out, in / group, kh, kw], so the group must divide out, and the input must have
     * group * W's dim 1 channels (a depthwise convolution has group = in = out).
     */
    private static int convGroups(OnnxNode node, Weights w, Shape in) {
        long group = node.intAttribute("group", 1);
        if (group < 1 || group > w.dim(0) || w.dim(0) % group != 0) {
            throw new Unsupported("group = " + group + " must be >= 1 and divide the " + w.dim(0)
                    + " output channels of W " + Arrays.toString(w.shape()));
        }
        if (!in.isImage() || in.channels() != group * w.dim(1)) {
            throw new Unsupported("group = " + group + " with W " + Arrays.toString(w.shape()) + " reads "
                    + group * w.dim(1) + " input channels, but the input is " + in);
        }
        return (int) group;
    }

    private ConvTranspose2d convTranspose(OnnxNode node) {
        requireInt(node, "group", 1, 1); // grouped transposed convolutions are not in the IR
        Weights w = weights(requireRank(constant(node, 1), 4));
        Shape in = dataShape(node, 0);
        Kernel2d kernel = kernel(node, w, in, true);
        long[] outPad = intsAttr(node, "output_padding", new long[] {0, 0});
        if (outPad.length != 2) {
            throw new Unsupported("output_padding must have 2 values, got " + Arrays.toString(outPad));
        }
        if (node.attribute("output_shape") != null) {
            return withOutputShape(node, w, kernel, outPad, in);
        }
        return new ConvTranspose2d(w.dim(0), w.dim(1), kernel, (int) outPad[0], (int) outPad[1], w,
                optionalVector(node, 2));
    }

    /**
     * ConvTranspose with output_shape (tf2onnx writes it for Conv2DTranspose): the pads are derived from it. The
     * full output (in - 1) s + output_padding + (k - 1) d + 1 is cropped by the total padding full - output_shape,
     * split evenly; a negative total adds rows at the end, which is more output padding. An odd total is refused:
     * which side takes the extra row differs between ONNX's operator text and ONNX Runtime.
     */
    private ConvTranspose2d withOutputShape(OnnxNode node, Weights w, Kernel2d kernel, long[] outPad, Shape in) {
        long[] target = node.attribute("output_shape").ints();
        if (target.length == 4) {
            target = new long[] {target[2], target[3]};
        }
        if (target.length != 2 || !in.isImage()) {
            throw new Unsupported("output_shape " + Arrays.toString(node.attribute("output_shape").ints())
                    + " must give the 2 spatial sizes of an image output");
        }
        long[] full = {(long) (in.height() - 1) * kernel.strideH() + outPad[0] + kernel.extentH(),
                (long) (in.width() - 1) * kernel.strideW() + outPad[1] + kernel.extentW()};
        long[] pads = new long[4];
        long[] padding = outPad.clone();
        for (int a = 0; a < 2; a++) {
            long total = full[a] - target[a];
            if (total < 0) {
                padding[a] -= total;
            } else if (total % 2 != 0) {
                throw new Unsupported("output_shape " + Arrays.toString(target) + " crops " + total + " rows on axis "
                        + (a + 2) + " (odd); ONNX and ONNX Runtime put the extra row on different sides, so give "
                        + "explicit pads instead");
            } else {
                pads[a] = total / 2;
                pads[a + 2] = total / 2;
            }
        }
        Kernel2d k = kernel.padded((int) pads[0], (int) pads[1], (int) pads[2], (int) pads[3]);
        return new ConvTranspose2d(w.dim(0), w.dim(1), k, (int) padding[0], (int) padding[1], w,
                optionalVector(node, 2));
    }

    /**
     * Kernel geometry from Conv/ConvTranspose attributes, padding symmetric or not. auto_pad SAME_UPPER
     * / SAME_LOWER (TensorFlow's "same", as tf2onnx writes it) is resolved with the input size: a total padding of
     * max((ceil(in / s) - 1) s + k - in, 0) for the dilated extent k, split between the sides by {@link #samePads}.
     */
    private static Kernel2d kernel(OnnxNode node, Weights w, Shape in, boolean transposed) {
        long[] dilations = intsAttr(node, "dilations", new long[] {1, 1});
        if (dilations.length != 2 || dilations[0] < 1 || dilations[1] < 1) {
            throw new Unsupported("dilations must be two values >= 1 (a 2-D convolution), got "
                    + Arrays.toString(dilations));
        }
        OnnxAttribute autoPad = node.attribute("auto_pad");
        String autoPadMode = autoPad == null ? "NOTSET" : autoPad.s();
        boolean same = autoPadMode.equals("SAME_UPPER") || autoPadMode.equals("SAME_LOWER");
        if (!autoPadMode.equals("NOTSET") && !autoPadMode.equals("VALID") && !same) {
            throw new Unsupported("auto_pad " + autoPadMode + " is not supported");
        }
        long[] outPad = intsAttr(node, "output_padding", new long[] {0, 0});
        long[] shape = intsAttr(node, "kernel_shape", new long[] {w.dim(2), w.dim(3)});
        if (shape.length != 2 || shape[0] != w.dim(2) || shape[1] != w.dim(3)) {
            throw new Unsupported("kernel_shape " + Arrays.toString(shape) + " disagrees with weight "
                    + Arrays.toString(w.shape()));
        }
        long[] strides = intsAttr(node, "strides", new long[] {1, 1});
        long[] pads = intsAttr(node, "pads", new long[] {0, 0, 0, 0});
        if (autoPadMode.equals("VALID")) {
            pads = new long[] {0, 0, 0, 0};
        }
        if (same && strides.length == 2) {
            if (!in.isImage()) {
                throw new Unsupported("auto_pad " + autoPadMode + " needs an image input, got " + in);
            }
            // Conv: output ceil(in / s); ConvTranspose: output in * s, so the total is k - s + output_padding,
            // where k is the dilated window's extent (k - 1) d + 1.
            long eh = (shape[0] - 1) * dilations[0] + 1;
            long ew = (shape[1] - 1) * dilations[1] + 1;
            long th = transposed ? eh - strides[0] + (outPad.length == 2 ? outPad[0] : 0)
                    : samePadding(in.height(), eh, strides[0]);
            long tw = transposed ? ew - strides[1] + (outPad.length == 2 ? outPad[1] : 0)
                    : samePadding(in.width(), ew, strides[1]);
            if (th < 0 || tw < 0) {
                throw new Unsupported("auto_pad " + autoPadMode + " needs negative padding (a kernel smaller than "
                        + "its stride); not supported");
            }
            pads = samePads(th, tw, autoPadMode.equals("SAME_UPPER"));
        }
        if (strides.length != 2 || pads.length != 4) {
            throw new Unsupported("only 2-D convolutions are supported (strides " + Arrays.toString(strides)
                    + ", pads " + Arrays.toString(pads) + ")");
        }
        for (long p : pads) {
            if (p < 0) {
                throw new Unsupported("pads " + Arrays.toString(pads) + " are negative; not supported");
            }
        }
        return new Kernel2d(w.dim(2), w.dim(3), (int) strides[0], (int) strides[1], (int) pads[0], (int) pads[1],
                (int) dilations[0], (int) dilations[1], (int) pads[2], (int) pads[3]);
    }

    /**
     * [top, left, bottom, right] for totals (th, tw): an odd total puts its extra row at the end when
     * {@code extraAtEnd}, which is SAME_UPPER (TensorFlow's "same"), for ConvTranspose's crop too: ONNX's test case
     * test_convtranspose_autopad_same and ONNX Runtime agree on that, whatever the wording of older operator texts.
     */
    private static long[] samePads(long th, long tw, boolean extraAtEnd) {
        long top = extraAtEnd ? th / 2 : th - th / 2;
        long left = extraAtEnd ? tw / 2 : tw - tw / 2;
        return new long[] {top, left, th - top, tw - left};
    }

    private static long samePadding(long in, long k, long s) {
        long out = (in + s - 1) / s;
        return Math.max((out - 1) * s + k - in, 0);
    }

    /** ONNX Pad on the spatial axes of an image: pads (attribute before opset 11, input since) and mode. */
    private Pad2d pad(OnnxNode node) {
        String mode = node.stringAttribute("mode", "constant");
        long[] pads;
        if (opset < 11) {
            pads = intsAttr(node, "pads", null);
            if (node.floatAttribute("value", 0f) != 0f) {
                throw new Unsupported("constant value " + node.floatAttribute("value", 0f) + " is not supported; only 0");
            }
        } else {
            OnnxTensor t = constant(node, 1);
            pads = t.longs();
            if (!node.input(2).isEmpty()) {
                OnnxTensor v = constant(node, 2);
                if (v.floats() == null || v.floats().length != 1 || v.floats()[0] != 0f) {
                    throw new Unsupported("constant_value must be 0");
                }
            }
            if (!node.input(3).isEmpty()) {
                long[] axes = constant(node, 3).longs();
                if (axes == null || pads == null || axes.length * 2 != pads.length) {
                    throw new Unsupported("axes must be int64 with half as many entries as pads");
                }
                long[] full = new long[8];
                for (int i = 0; i < axes.length; i++) {
                    int a = (int) (axes[i] < 0 ? axes[i] + 4 : axes[i]);
                    if (a < 0 || a > 3) {
                        throw new Unsupported("axis " + axes[i] + " is out of range for an image [N, C, H, W]");
                    }
                    full[a] = pads[i];
                    full[a + 4] = pads[i + axes.length];
                }
                pads = full;
            }
        }
        if (pads == null || pads.length != 8) {
            throw new Unsupported("pads must have 8 entries for an image [N, C, H, W], got "
                    + (pads == null ? "none" : Arrays.toString(pads)));
        }
        if (pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0) {
            throw new Unsupported("pads " + Arrays.toString(pads) + " pad the batch or channel axis; only height "
                    + "and width");
        }
        for (long p : pads) {
            if (p < 0) {
                throw new Unsupported("pads " + Arrays.toString(pads) + " crop (negative); not supported");
            }
        }
        Pad2d.Mode m = switch (mode) {
            case "constant" -> Pad2d.Mode.ZERO;
            case "reflect" -> Pad2d.Mode.REFLECT;
            case "edge" -> Pad2d.Mode.EDGE;
            default -> throw new Unsupported("mode " + mode + " is not supported; constant (0), reflect, edge");
        };
        return new Pad2d(m, (int) pads[2], (int) pads[3], (int) pads[6], (int) pads[7]);
    }

    private BatchNorm2d batchNorm(OnnxNode node) {
        requireInt(node, "training_mode", 0, 0);
        Weights gamma = vector(node, 1);
        float onnxMomentum = node.floatAttribute("momentum", 0.9f);
        return new BatchNorm2d(gamma.dim(0), node.floatAttribute("epsilon", 1e-5f),
                MomentumConvention.fromOnnx(onnxMomentum), gamma, vector(node, 2), vector(node, 3), vector(node, 4));
    }

    /** ONNX shape [batch, d1, ...]: 0 copies the input's axis, -1 is inferred; the first entry is the batch. */
    private Reshape reshape(OnnxNode node) {
        requireInt(node, "allowzero", 0, 0);
        OnnxTensor t = constant(node, 1);
        if (t.longs() == null || t.rank() != 1 || t.longs().length < 1) {
            throw new Unsupported("the shape input must be a 1-D int64 tensor");
        }
        long[] spec = t.longs().clone();
        if (spec[0] == ConstantFolding.BATCH) {
            spec[0] = 0; // folded from Shape(x)[0]: the batch passes through
        }
        for (int i = 1; i < spec.length; i++) {
            if (spec[i] == ConstantFolding.BATCH) {
                throw new Unsupported("the shape puts the symbolic batch size into axis " + i + "; gancompress "
                        + "keeps the batch as axis 0");
            }
        }
        Shape in = dataShape(node, 0);
        int[] target = new int[spec.length - 1];
        int inferred = -1;
        long known = 1;
        for (int i = 1; i < spec.length; i++) {
            long v = spec[i];
            if (v == 0) {
                if (i - 1 >= in.rank()) {
                    throw new Unsupported("shape " + Arrays.toString(spec) + " copies an axis the input " + in
                            + " lacks");
                }
                v = in.dim(i - 1);
            } else if (v == -1) {
                if (inferred >= 0) {
                    throw new Unsupported("shape " + Arrays.toString(spec) + " has two -1 entries");
                }
                inferred = i - 1;
                continue;
            } else if (v < 0) {
                throw new Unsupported("shape " + Arrays.toString(spec) + " has a negative entry");
            }
            target[i - 1] = Math.toIntExact(v);
            known *= v;
        }
        if (inferred >= 0) {
            if (known == 0 || in.size() % known != 0) {
                throw new Unsupported("cannot infer -1 in " + Arrays.toString(spec) + " for input " + in);
            }
            target[inferred] = Math.toIntExact(in.size() / known);
        }
        if (spec[0] != 0 && spec[0] != -1 && inferred >= 0) {
            throw new Unsupported("shape " + Arrays.toString(spec) + " fixes the batch and infers another axis");
        }
        return new Reshape(new Shape(target));
    }

    /**
     * ONNX Flatten to [d0 x ... x d(axis-1), d(axis) x ...]. The IR keeps the batch as axis 0 of every value, so
     * only a Flatten that leaves the batch alone in the first axis is a layer: axis 1, or a later axis when every
     * sample axis before it has size 1 (negative axes count from the end).
     */
    private Reshape flatten(OnnxNode node) {
        Shape in = dataShape(node, 0);
        int rank = in.rank() + 1;
        long given = node.intAttribute("axis", 1);
        long axis = given < 0 ? given + rank : given;
        if (axis < 0 || axis > rank) {
            throw new Unsupported("axis " + given + " is out of range for an input of rank " + rank);
        }
        if (axis == 0) {
            throw new Unsupported("axis " + given + " flattens the batch into the features (output [1, N x "
                    + in.size() + "]); gancompress keeps the batch as axis 0, so only a Flatten that keeps it is "
                    + "supported");
        }
        for (int i = 1; i < axis; i++) {
            if (in.dim(i - 1) != 1) {
                throw new Unsupported("axis " + given + " merges the batch with axis " + i + " of size "
                        + in.dim(i - 1) + " (input [N, " + in.toString().replaceAll("[\\[\\]]", "") + "]); only a "
                        + "Flatten that keeps the batch alone in axis 0 is supported");
            }
        }
        return new Reshape(Shape.of(in.size()));
    }

    /** Resize and Upsample: {@link ResizeOnnx}. */
    private Layer resize(OnnxNode node) {
        return ResizeOnnx.resize(node, opset, dataShape(node, 0), i -> optionalConstant(node, i));
    }

    private Layer legacyUpsample(OnnxNode node) {
        return ResizeOnnx.upsample(node, dataShape(node, 0), i -> optionalConstant(node, i));
    }

    /** The constant at input {@code index}, or null when the input is omitted. */
    private OnnxTensor optionalConstant(OnnxNode node, int index) {
        return node.input(index).isEmpty() ? null : constant(node, index);
    }

    private Decoded gather(OnnxNode node) {
        requireInt(node, "axis", 0, 0);
        OnnxTensor table = constantOrNull(node.input(0));
        if (table == null) {
            throw new Unsupported("only a lookup in a constant table (an embedding) is supported");
        }
        Weights w = weights(requireRank(table, 2));
        return new Decoded(new Embedding(w.dim(0), w.dim(1), w), List.of(dataInput(node, 1)));
    }

    private Decoded concat(OnnxNode node) {
        OnnxAttribute axisAttr = node.attribute("axis");
        if (axisAttr == null) {
            throw new Unsupported("axis is required");
        }
        long axis = axisAttr.i();
        if (axis < 0) {
            axis += dataShape(node, 0).rank() + 1;
        }
        if (axis != 1) {
            throw new Unsupported("only concatenation along axis 1 (channels or features) is supported, got axis "
                    + axisAttr.i());
        }
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < node.inputs().size(); i++) {
            inputs.add(dataInput(node, i));
        }
        return new Decoded(new Concat(), inputs);
    }

    private boolean hasConstantOperand(OnnxNode node) {
        return node.inputs().size() == 2 && (constants.containsKey(node.input(0)) != constants.containsKey(node.input(1)));
    }

    /**
     * Add, Sub, Mul or Div of a computed value and a constant (either order; a constant divided by a value is not
     * affine) as an {@link Affine}; the constant is a scalar or one value per channel ([C, 1, 1] or [1, C, 1, 1] for
     * an image, [F] or [1, F] for a vector).
     */
    private Decoded arithmetic(OnnxNode node) {
        String op = node.opType();
        if (node.inputs().size() != 2) {
            throw new Unsupported(op + " needs 2 inputs, got " + node.inputs().size());
        }
        boolean firstConstant = constants.containsKey(node.input(0));
        boolean secondConstant = constants.containsKey(node.input(1));
        if (firstConstant == secondConstant) {
            throw new Unsupported(firstConstant ? "both inputs are constants that could not be folded"
                    : op + " of two computed values ('" + node.input(0) + "' and '" + node.input(1) + "') is not "
                    + "supported; gancompress imports " + op + " of a value by a constant only");
        }
        int dataIndex = firstConstant ? 1 : 0;
        String x = node.input(dataIndex);
        Shape shape = dataShape(node, dataIndex);
        Weights k = channelConstant(node, 1 - dataIndex, shape);
        float[] v = k.data();
        float[] neg = new float[v.length];
        float[] inv = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            neg[i] = -v[i];
            inv[i] = 1f / v[i];
        }
        Weights one = Weights.filled(1f, 1);
        Weights zero = Weights.zeros(1);
        int[] dims = {v.length};
        Affine affine = switch (op) {
            case "Add" -> new Affine(one, k);
            case "Mul" -> new Affine(k, zero);
            case "Sub" -> firstConstant ? new Affine(Weights.filled(-1f, 1), k) : new Affine(one, new Weights(dims, neg));
            case "Div" -> {
                if (firstConstant) {
                    throw new Unsupported("Div of a constant by a computed value ('" + x + "') is not affine; "
                            + "gancompress imports Div of a value by a constant only");
                }
                yield new Affine(new Weights(dims, inv), zero);
            }
            default -> throw new IllegalStateException(op);
        };
        return new Decoded(affine, List.of(x));
    }

    /** A float constant as one value or one per channel of {@code data} (batch-first broadcasting). */
    private Weights channelConstant(OnnxNode node, int index, Shape data) {
        OnnxTensor t = constant(node, index);
        Weights w = weights(t);
        long[] dims = t.dims();
        int channels = data.rank() == 0 ? 1 : data.dim(0);
        // Right-aligned against [N, shape...]: every axis but the channel axis (1) must broadcast (size 1).
        int full = data.rank() + 1;
        boolean ok = dims.length <= full;
        for (int i = 0; ok && i < dims.length; i++) {
            int axis = full - dims.length + i;
            ok = dims[i] == 1 || (axis == 1 && dims[i] == channels);
        }
        if (!ok) {
            throw new Unsupported("constant '" + t.name() + "' has shape " + Arrays.toString(dims) + "; expected a "
                    + "scalar or one value per channel of " + data + " (shape [" + channels + (data.rank() == 3
                    ? ", 1, 1]" : "]") + ")");
        }
        return new Weights(new int[] {w.size()}, w.data().clone());
    }

    /** Clip's bounds: attributes up to opset 10, optional constant inputs from opset 11. */
    private Decoded clip(OnnxNode node) {
        float min;
        float max;
        if (opset < 11) {
            min = node.floatAttribute("min", -Float.MAX_VALUE);
            max = node.floatAttribute("max", Float.MAX_VALUE);
        } else {
            min = clipBound(node, 1, Float.NEGATIVE_INFINITY);
            max = clipBound(node, 2, Float.POSITIVE_INFINITY);
        }
        if (!(min <= max)) {
            throw new Unsupported("min " + min + " > max " + max);
        }
        return new Decoded(Activation.clip(min, max), List.of(node.input(0)));
    }

    private float clipBound(OnnxNode node, int index, float absent) {
        if (node.inputs().size() <= index || node.input(index).isEmpty()) {
            return absent;
        }
        if (!constants.containsKey(node.input(index))) {
            throw new Unsupported("input " + index + " ('" + node.input(index) + "') must be a constant: "
                    + "gancompress imports Clip with constant bounds only");
        }
        Weights w = weights(constant(node, index));
        if (w.size() != 1) {
            throw new Unsupported("input " + index + " ('" + node.input(index) + "') must be a scalar");
        }
        return w.data()[0];
    }

    private String dataInput(OnnxNode node, int index) {
        String name = node.input(index);
        if (name.isEmpty()) {
            throw new Unsupported("input " + index + " is missing");
        }
        if (constants.containsKey(name)) {
            throw new Unsupported("input " + index + " ('" + name + "') is a constant tensor; gancompress supports "
                    + node.opType() + " of computed values only");
        }
        return name;
    }

    private Shape dataShape(OnnxNode node, int index) {
        Shape s = shapes.apply(node.input(index));
        if (s == null) {
            throw new Unsupported("input '" + node.input(index) + "' is not a graph input or an earlier node's output");
        }
        return s;
    }

    private OnnxTensor constantOrNull(String name) {
        return constants.get(name);
    }

    private OnnxTensor constant(OnnxNode node, int index) {
        String name = node.input(index);
        OnnxTensor t = constants.get(name);
        if (t == null) {
            throw new Unsupported("input " + index + " ('" + name + "') must be an initializer or a Constant");
        }
        return upcast(t);
    }

    private Weights vector(OnnxNode node, int index) {
        return weights(requireRank(constant(node, index), 1));
    }

    private static Weights scaled(Weights w, float factor) {
        float[] v = w.data().clone();
        for (int i = 0; i < v.length; i++) {
            v[i] *= factor;
        }
        return new Weights(w.shape(), v);
    }

    private Weights optionalVector(OnnxNode node, int index) {
        return node.input(index).isEmpty() ? null : vector(node, index);
    }

    /**
     * A float16 (or bfloat16) model's constant as float32: the upcast is exact, and the engine computes in float32.
     * (A 16-bit tensor behind a Cast is a stored weight instead, which keeps its storage: {@link QdqWeights}.)
     */
    private OnnxTensor upcast(OnnxTensor t) {
        if ((t.dataType() != OnnxTensor.FLOAT16 && t.dataType() != OnnxTensor.BFLOAT16) || t.ints() == null) {
            return t;
        }
        float[] v = new float[t.ints().length];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.dataType() == OnnxTensor.FLOAT16 ? WeightStorage.Fp16.fromHalf(t.ints()[i])
                    : Float.intBitsToFloat(t.ints()[i] << 16);
        }
        return new OnnxTensor(t.name(), OnnxTensor.FLOAT, t.dims(), v, null);
    }

    private Weights weights(OnnxTensor t) {
        t = upcast(t);
        if (t.dataType() != OnnxTensor.FLOAT) {
            throw new Unsupported("tensor '" + t.name() + "' is " + OnnxTensor.typeName(t.dataType())
                    + "; expected float32" + (t.ints() != null ? " (an integer or 16-bit tensor is read through a "
                    + "DequantizeLinear or Cast to float)" : ""));
        }
        return stored(new Weights(t.intDims(), t.floats().clone()), t.name());
    }

    /** Attaches the storage (and a binary tensor's mask) when {@code tensor} came from a stored weight. */
    private Weights stored(Weights w, String tensor) {
        QdqWeights.Imported s = stored.get(tensor);
        if (s != null) {
            w.setStorage(s.storage());
            if (s.mask() != null) {
                w.setMask(s.mask().clone());
            }
        }
        return w;
    }

    private static OnnxTensor requireRank(OnnxTensor t, int rank) {
        if (t.rank() != rank) {
            throw new Unsupported("tensor '" + t.name() + "' has shape " + Arrays.toString(t.dims()) + "; expected rank "
                    + rank);
        }
        return t;
    }

    /** The transposed matrix, with its storage's per-channel axis (and mask) transposed along. */
    private static Weights transpose(Weights w) {
        int rows = w.dim(0);
        int cols = w.dim(1);
        float[] src = w.data();
        float[] dst = new float[src.length];
        float[] srcMask = w.mask();
        float[] dstMask = srcMask == null ? null : new float[src.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                dst[c * rows + r] = src[r * cols + c];
                if (dstMask != null) {
                    dstMask[c * rows + r] = srcMask[r * cols + c];
                }
            }
        }
        Weights t = new Weights(new int[] {cols, rows}, dst);
        t.setStorage(transposed(w.storage()));
        t.setMask(dstMask);
        return t;
    }

    private static WeightStorage transposed(WeightStorage storage) {
        return storage.withChannelAxis(storage.axis() < 0 ? -1 : 1 - storage.axis(), v -> v, v -> v);
    }




    private static long[] intsAttr(OnnxNode node, String name, long[] fallback) {
        OnnxAttribute a = node.attribute(name);
        return a == null ? fallback : a.ints();
    }

    private static void requireInt(OnnxNode node, String name, long fallback, long required) {
        long v = node.intAttribute(name, fallback);
        if (v != required) {
            throw new Unsupported(name + " = " + v + " is not supported; expected " + required);
        }
    }
}
