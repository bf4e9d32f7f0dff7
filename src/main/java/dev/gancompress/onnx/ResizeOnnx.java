package dev.gancompress.onnx;

import dev.gancompress.model.Layer;
import dev.gancompress.model.Resize2d;
import dev.gancompress.model.Resize2d.CoordinateMode;
import dev.gancompress.model.Resize2d.Interpolation;
import dev.gancompress.model.Resize2d.NearestRounding;
import dev.gancompress.model.Shape;
import dev.gancompress.model.Upsample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * ONNX Resize (opsets 10-18) and Upsample (7-9) to and from {@link Resize2d} (or {@link Upsample} where the index
 * maps are the same), for modes nearest and linear with every coordinate transformation and nearest rounding the
 * spec defines for them. What has no exact equivalent is refused with the attribute named: cubic, antialias,
 * tf_crop_and_resize, resizing the batch or channel axis, and any case where ONNX Runtime (which evaluates the
 * coordinates in float32) and ONNX's reference implementation (float64, with an output length of scale x in) would
 * pick different pixels: a nearest coordinate that lands on a rounding tie in one and not the other, or align_corners
 * with a scale whose output length is not an integer. Accepting those would make the answer depend on the runtime.
 */
final class ResizeOnnx {
    /** Linear weights of two evaluations may differ by float32 rounding; more means another formula. */
    private static final double WEIGHT_TOLERANCE = 1e-5;

    private ResizeOnnx() {
    }

    /**
     * The IR layer of a Resize node.
     *
     * @param in       the per-sample shape of the data input
     * @param constant the constant at an input index, null when the input is omitted; throws
     *                 {@link OnnxLayerDecoder.Unsupported} for a computed value
     */
    static Layer resize(OnnxNode node, long opset, Shape in, IntFunction<OnnxTensor> constant) {
        Interpolation interpolation = interpolation(node);
        if (node.intAttribute("antialias", 0) != 0) {
            throw new OnnxLayerDecoder.Unsupported("antialias = 1 is not supported");
        }
        if (node.intAttribute("exclude_outside", 0) != 0) {
            throw new OnnxLayerDecoder.Unsupported("exclude_outside = 1 is not supported (it only matters for cubic)");
        }
        String policy = node.stringAttribute("keep_aspect_ratio_policy", "stretch");
        if (!policy.equals("stretch")) {
            throw new OnnxLayerDecoder.Unsupported("keep_aspect_ratio_policy " + policy + " is not supported; only "
                    + "stretch");
        }
        boolean spatialAxes = spatialAxes(node);
        requireImage(node, in);
        if (opset < 11) {
            OnnxTensor scales = constant.apply(1);
            if (scales == null) {
                throw new OnnxLayerDecoder.Unsupported("Resize needs constant scales");
            }
            return legacy(node, interpolation, in, scales(scales, in, spatialAxes));
        }
        String coords = node.stringAttribute("coordinate_transformation_mode", "half_pixel");
        CoordinateMode mode = CoordinateMode.fromOnnx(coords);
        if (mode == null) {
            throw new OnnxLayerDecoder.Unsupported("coordinate_transformation_mode " + coords + " is not supported; "
                    + "half_pixel, pytorch_half_pixel, align_corners, asymmetric, tf_half_pixel_for_nn are");
        }
        String nearestMode = node.stringAttribute("nearest_mode", "round_prefer_floor");
        NearestRounding rounding = NearestRounding.fromOnnx(nearestMode);
        if (rounding == null) {
            throw new OnnxLayerDecoder.Unsupported("nearest_mode " + nearestMode + " is not supported; "
                    + "round_prefer_floor, round_prefer_ceil, floor, ceil are");
        }
        OnnxTensor scalesInput = constant.apply(2);
        Target target;
        if (scalesInput != null && scalesInput.size() > 0) {
            target = scales(scalesInput, in, spatialAxes);
        } else {
            // An empty scales tensor means "use sizes" (what PyTorch writes for size-based interpolation).
            OnnxTensor sizes = constant.apply(3);
            if (sizes == null || sizes.size() == 0) {
                throw new OnnxLayerDecoder.Unsupported("Resize needs constant scales or sizes");
            }
            target = sizes(sizes, in, spatialAxes);
        }
        if (mode == CoordinateMode.ALIGN_CORNERS && interpolation == Interpolation.LINEAR && target.fromScales()
                && (in.height() * target.scaleH() != target.outH() || in.width() * target.scaleW() != target.outW())) {
            throw new OnnxLayerDecoder.Unsupported("align_corners with scales " + target.scaleH() + " x "
                    + target.scaleW() + " gives a non-integer output length, where ONNX Runtime and the ONNX "
                    + "reference differ; give sizes instead");
        }
        Resize2d layer = new Resize2d(interpolation, mode, rounding, target.outH(), target.outW(), target.scaleH(),
                target.scaleW());
        requireRuntimeIndependent(layer, in);
        return simplest(layer, in);
    }

    /** Upsample (opsets 7-9): scales as an attribute (7-8) or the second input (9), asymmetric coordinates. */
    static Layer upsample(OnnxNode node, Shape in, IntFunction<OnnxTensor> constant) {
        Interpolation interpolation = interpolation(node);
        requireImage(node, in);
        OnnxAttribute attr = node.attribute("scales");
        Target target;
        if (attr != null) {
            target = scales(new OnnxTensor("scales", OnnxTensor.FLOAT, new long[] {attr.floats().length},
                    attr.floats(), null), in, false);
        } else {
            OnnxTensor s = constant.apply(1);
            if (s == null) {
                throw new OnnxLayerDecoder.Unsupported("Upsample needs scales (attribute or constant input)");
            }
            target = scales(s, in, false);
        }
        return legacy(node, interpolation, in, target);
    }

    /**
     * Upsample and Resize-10 have no coordinate_transformation_mode: coordinates are x / scale, and nearest reads
     * floor of it when upsampling. Downsampling nearest is refused: ONNX Runtime rounds up there and the reference
     * down.
     */
    private static Layer legacy(OnnxNode node, Interpolation interpolation, Shape in, Target target) {
        if (interpolation == Interpolation.NEAREST && (target.scaleH() < 1 || target.scaleW() < 1)) {
            throw new OnnxLayerDecoder.Unsupported("nearest downsampling (scales " + target.scaleH() + " x "
                    + target.scaleW() + ") before opset 11 is not supported: runtimes round it differently");
        }
        Resize2d layer = new Resize2d(interpolation, CoordinateMode.ASYMMETRIC, NearestRounding.FLOOR, target.outH(),
                target.outW(), target.scaleH(), target.scaleW());
        requireRuntimeIndependent(layer, in);
        return simplest(layer, in);
    }

    private static Interpolation interpolation(OnnxNode node) {
        String mode = node.stringAttribute("mode", "nearest");
        return switch (mode) {
            case "nearest" -> Interpolation.NEAREST;
            case "linear", "bilinear" -> Interpolation.LINEAR;
            default -> throw new OnnxLayerDecoder.Unsupported("mode " + mode + " is not supported; nearest and linear "
                    + "(bilinear) are");
        };
    }

    /** Whether the opset-18 axes attribute restricts scales/sizes to (H, W); refuses any other axes. */
    private static boolean spatialAxes(OnnxNode node) {
        OnnxAttribute axes = node.attribute("axes");
        if (axes == null) {
            return false;
        }
        long[] a = axes.ints().clone();
        for (int i = 0; i < a.length; i++) {
            a[i] = a[i] < 0 ? a[i] + 4 : a[i];
        }
        if (!Arrays.equals(a, new long[] {2, 3})) {
            throw new OnnxLayerDecoder.Unsupported("axes " + Arrays.toString(axes.ints()) + " are not supported; only "
                    + "the spatial axes [2, 3]");
        }
        return true;
    }

    private static void requireImage(OnnxNode node, Shape in) {
        if (!in.isImage()) {
            throw new OnnxLayerDecoder.Unsupported(node.opType() + " expects an image [N, C, H, W], got " + in);
        }
    }

    /** The output size and the coordinate scale per spatial axis; fromScales when scales (not sizes) were given. */
    private record Target(int outH, int outW, double scaleH, double scaleW, boolean fromScales) {
    }

    private static Target scales(OnnxTensor t, Shape in, boolean spatialAxes) {
        float[] s = t.floats();
        int n = spatialAxes ? 2 : 4;
        if (s == null || s.length != n || (!spatialAxes && (s[0] != 1f || s[1] != 1f))) {
            throw new OnnxLayerDecoder.Unsupported("scales must be float32 " + (spatialAxes ? "[sh, sw]"
                    : "[1, 1, sh, sw] (the batch and channels are not resized)") + ", got "
                    + (s == null ? OnnxTensor.typeName(t.dataType()) : Arrays.toString(s)));
        }
        float sh = s[n - 2];
        float sw = s[n - 1];
        if (!(sh > 0) || !(sw > 0) || Float.isInfinite(sh) || Float.isInfinite(sw)) {
            throw new OnnxLayerDecoder.Unsupported("scales must be positive, got " + Arrays.toString(s));
        }
        return new Target(outputLength(in.height(), sh), outputLength(in.width(), sw), sh, sw, true);
    }

    /** floor(in x scale), the same whether evaluated in float64 (the reference) or float32 (ONNX Runtime). */
    private static int outputLength(int in, float scale) {
        long exact = (long) Math.floor(in * (double) scale);
        long single = (long) (in * scale);
        if (exact != single) {
            throw new OnnxLayerDecoder.Unsupported("scale " + scale + " on a length of " + in + " gives " + exact
                    + " in float64 and " + single + " in float32; give sizes instead");
        }
        if (exact < 1) {
            throw new OnnxLayerDecoder.Unsupported("scale " + scale + " on a length of " + in + " gives an empty output");
        }
        return Math.toIntExact(exact);
    }

    private static Target sizes(OnnxTensor t, Shape in, boolean spatialAxes) {
        long[] z = t.longs();
        int n = spatialAxes ? 2 : 4;
        if (z == null || z.length != n) {
            throw new OnnxLayerDecoder.Unsupported("sizes must be int64 " + (spatialAxes ? "[H, W]" : "[N, C, H, W]")
                    + ", got " + (z == null ? OnnxTensor.typeName(t.dataType()) : Arrays.toString(z)));
        }
        // N is the symbolic batch folded from Shape(x), or 1: torch.onnx.export without dynamic axes writes the
        // constant [1, C, H', W']; either way each sample is resized on its own and the batch passes through
        if (!spatialAxes && ((z[0] != ConstantFolding.BATCH && z[0] != 1) || z[1] != in.channels())) {
            throw new OnnxLayerDecoder.Unsupported("sizes " + Arrays.toString(z).replace(
                    Long.toString(ConstantFolding.BATCH), "N") + " resize the batch or channels; expected [N or 1, "
                    + in.channels() + ", H, W] (export with a dynamic batch axis)");
        }
        long oh = z[n - 2];
        long ow = z[n - 1];
        if (oh < 1 || ow < 1 || oh > Integer.MAX_VALUE || ow > Integer.MAX_VALUE) {
            throw new OnnxLayerDecoder.Unsupported("sizes " + Arrays.toString(z) + " must be positive");
        }
        return new Target((int) oh, (int) ow, (double) oh / in.height(), (double) ow / in.width(), false);
    }

    /** The plain {@link Upsample} when the layer reads floor(x / k) for one integer k on both axes. */
    private static Layer simplest(Resize2d layer, Shape in) {
        if (layer.interpolation() != Interpolation.NEAREST || layer.outHeight() % in.height() != 0
                || layer.outHeight() / in.height() != layer.outWidth() / in.width()
                || layer.outWidth() % in.width() != 0) {
            return layer;
        }
        int k = layer.outHeight() / in.height();
        int[] rows = layer.rows(in.height()).low();
        int[] cols = layer.columns(in.width()).low();
        for (int x = 0; x < rows.length; x++) {
            if (rows[x] != x / k) {
                return layer;
            }
        }
        for (int x = 0; x < cols.length; x++) {
            if (cols[x] != x / k) {
                return layer;
            }
        }
        return new Upsample(k);
    }

    /**
     * Refuses a layer whose taps differ between the evaluations of the coordinates that runtimes use: float64 with
     * the layer's formula (this engine), float32 (ONNX Runtime), and float64 with the reference's output length
     * scale x in (ONNX's reference implementation, which produced the conformance data).
     */
    private static void requireRuntimeIndependent(Resize2d layer, Shape in) {
        check(layer, "height", in.height(), layer.outHeight(), layer.scaleH(), layer.rows(in.height()));
        check(layer, "width", in.width(), layer.outWidth(), layer.scaleW(), layer.columns(in.width()));
    }

    private static void check(Resize2d layer, String axis, int in, int out, double scale, Resize2d.Taps taps) {
        double[] single = new double[out];
        double[] reference = new double[out];
        float sf = (float) scale;
        double referenceLength = scale * in;
        for (int x = 0; x < out; x++) {
            float xf = x;
            single[x] = switch (layer.coordinates()) {
                case HALF_PIXEL -> (xf + 0.5f) / sf - 0.5f;
                case PYTORCH_HALF_PIXEL -> out > 1 ? (xf + 0.5f) / sf - 0.5f : 0f;
                case ALIGN_CORNERS -> out == 1 ? 0f : xf * (float) (in - 1) / (float) (out - 1);
                case ASYMMETRIC -> xf / sf;
                case TF_HALF_PIXEL_FOR_NN -> (xf + 0.5f) / sf;
            };
            reference[x] = switch (layer.coordinates()) {
                case ALIGN_CORNERS -> referenceLength == 1 ? 0 : x * (double) (in - 1) / (referenceLength - 1);
                case PYTORCH_HALF_PIXEL -> referenceLength == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
                default -> layer.coordinates().source(x, in, out, scale);
            };
        }
        for (double[] variant : List.of(single, reference)) {
            Resize2d.Taps other = Resize2d.taps(layer.interpolation(), layer.rounding(), variant, in);
            int x = firstDifference(taps, other, in);
            if (x >= 0) {
                throw new OnnxLayerDecoder.Unsupported(layer.interpolation().onnxName() + " with "
                        + layer.coordinates().onnxName() + (layer.interpolation() == Interpolation.NEAREST ? " and "
                        + layer.rounding().onnxName() : "") + " at scale " + scale + " (" + axis + " " + in + " -> "
                        + out + ") samples output index " + x + " at a point where float32 and float64 evaluations "
                        + "(ONNX Runtime, the ONNX reference) read different pixels; not supported");
            }
        }
    }

    /** The first output index whose weights over the input differ beyond float rounding, or -1. */
    private static int firstDifference(Resize2d.Taps a, Resize2d.Taps b, int in) {
        for (int x = 0; x < a.low().length; x++) {
            double[] wa = new double[in];
            double[] wb = new double[in];
            wa[a.low()[x]] += 1 - a.highWeight()[x];
            wa[a.high()[x]] += a.highWeight()[x];
            wb[b.low()[x]] += 1 - b.highWeight()[x];
            wb[b.high()[x]] += b.highWeight()[x];
            for (int i = 0; i < in; i++) {
                if (Math.abs(wa[i] - wb[i]) > WEIGHT_TOLERANCE) {
                    return x;
                }
            }
        }
        return -1;
    }

    /** The nodes and initializers that write a {@link Resize2d}. */
    record Exported(List<OnnxNode> nodes, List<OnnxTensor> initializers) {
    }

    /**
     * Resize node {@code name} reading {@code input} of shape {@code in}. A scale that float32 holds exactly and that
     * gives the output length is written as scales; otherwise (sizes whose ratio float32 cannot hold) the output
     * size is written as sizes, built from the input's own shape so that the batch stays dynamic:
     * Shape -> Slice [N, C] -> Concat [H', W'] (opset 17 has no axes attribute).
     */
    static Exported export(String name, String input, Resize2d r, Shape in) {
        List<OnnxNode> nodes = new ArrayList<>();
        List<OnnxTensor> initializers = new ArrayList<>();
        List<OnnxAttribute> attrs = new ArrayList<>();
        attrs.add(OnnxAttribute.ofString("mode", r.interpolation().onnxName()));
        attrs.add(OnnxAttribute.ofString("coordinate_transformation_mode", r.coordinates().onnxName()));
        if (r.interpolation() == Interpolation.NEAREST) {
            attrs.add(OnnxAttribute.ofString("nearest_mode", r.rounding().onnxName()));
        }
        if (writableAsScale(r.scaleH(), in.height(), r.outHeight()) && writableAsScale(r.scaleW(), in.width(),
                r.outWidth())) {
            initializers.add(OnnxTensor.ofFloats(name + ".scales", new int[] {4},
                    new float[] {1f, 1f, (float) r.scaleH(), (float) r.scaleW()}));
            nodes.add(new OnnxNode(name, "Resize", "", List.of(input, "", name + ".scales"), List.of(name), attrs));
            return new Exported(nodes, initializers);
        }
        if (r.scaleH() != (double) r.outHeight() / in.height() || r.scaleW() != (double) r.outWidth() / in.width()) {
            throw new IllegalArgumentException("Resize '" + name + "' has scales " + r.scaleH() + " x " + r.scaleW()
                    + " that neither float32 holds nor equal output / input size; it cannot be written to ONNX");
        }
        initializers.add(OnnxTensor.ofLongs(name + ".slice_starts", new long[] {1}, new long[] {0}));
        initializers.add(OnnxTensor.ofLongs(name + ".slice_ends", new long[] {1}, new long[] {2}));
        initializers.add(OnnxTensor.ofLongs(name + ".out_size", new long[] {2},
                new long[] {r.outHeight(), r.outWidth()}));
        nodes.add(new OnnxNode(name + ".input_shape", "Shape", "", List.of(input), List.of(name + ".input_shape"),
                List.of()));
        nodes.add(new OnnxNode(name + ".batch_channels", "Slice", "",
                List.of(name + ".input_shape", name + ".slice_starts", name + ".slice_ends"),
                List.of(name + ".batch_channels"), List.of()));
        nodes.add(new OnnxNode(name + ".sizes", "Concat", "", List.of(name + ".batch_channels", name + ".out_size"),
                List.of(name + ".sizes"), List.of(OnnxAttribute.ofInt("axis", 0))));
        nodes.add(new OnnxNode(name, "Resize", "", List.of(input, "", "", name + ".sizes"), List.of(name), attrs));
        return new Exported(nodes, initializers);
    }

    private static boolean writableAsScale(double scale, int in, int out) {
        float f = (float) scale;
        return f == scale && Math.floor(in * scale) == out && (long) (in * f) == out;
    }


}
