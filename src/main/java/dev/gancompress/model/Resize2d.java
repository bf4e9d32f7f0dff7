package dev.gancompress.model;

import java.util.List;

/**
 * Spatial resizing of an image [C, H, W] to [C, outHeight, outWidth] with the exact semantics of ONNX Resize for
 * modes nearest and linear (bilinear): each output index x maps to a source coordinate by the coordinate
 * transformation (which reads the scale, given or out / in), then nearest rounds it by {@link NearestRounding} and
 * linear blends the two neighbouring pixels; indices past the border are clamped to it (ONNX's edge padding).
 * {@link Upsample} is the special case nearest with an integer factor reading floor(x / s), which the importer
 * prefers when the index maps coincide.
 *
 * <p>Why every mode: exporters differ. {@code nn.Upsample(mode='nearest')} exports asymmetric + floor,
 * {@code mode='bilinear', align_corners=False} pytorch_half_pixel (or half_pixel), {@code align_corners=True}
 * align_corners; tf2onnx writes half_pixel, asymmetric or tf_half_pixel_for_nn with round_prefer_ceil.
 *
 * @param scaleH the scale of the coordinate transformation along the height (a given float32 scale, or out / in
 *               when sizes were given); {@code scaleW} likewise
 */
public record Resize2d(Interpolation interpolation, CoordinateMode coordinates, NearestRounding rounding,
                       int outHeight, int outWidth, double scaleH, double scaleW) implements Layer {

    public enum Interpolation {
        NEAREST("nearest"), LINEAR("linear");

        private final String onnx;

        Interpolation(String onnx) {
            this.onnx = onnx;
        }

        public String onnxName() {
            return onnx;
        }
    }

    /** ONNX coordinate_transformation_mode: where output index x samples the input. */
    public enum CoordinateMode {
        HALF_PIXEL("half_pixel"), PYTORCH_HALF_PIXEL("pytorch_half_pixel"), ALIGN_CORNERS("align_corners"),
        ASYMMETRIC("asymmetric"), TF_HALF_PIXEL_FOR_NN("tf_half_pixel_for_nn");

        private final String onnx;

        CoordinateMode(String onnx) {
            this.onnx = onnx;
        }

        public String onnxName() {
            return onnx;
        }

        /** The source coordinate of output index {@code x} on an axis resized from {@code in} to {@code out}. */
        public double source(int x, int in, int out, double scale) {
            return switch (this) {
                case HALF_PIXEL -> (x + 0.5) / scale - 0.5;
                // PyTorch samples the centre of a 1-pixel output at 0 (ONNX's reference writes -0.5: both clamp
                // to pixel 0 for every rounding and for linear)
                case PYTORCH_HALF_PIXEL -> out > 1 ? (x + 0.5) / scale - 0.5 : 0;
                case ALIGN_CORNERS -> out == 1 ? 0 : x * (double) (in - 1) / (out - 1);
                case ASYMMETRIC -> x / scale;
                case TF_HALF_PIXEL_FOR_NN -> (x + 0.5) / scale;
            };
        }

        public static CoordinateMode fromOnnx(String name) {
            for (CoordinateMode m : values()) {
                if (m.onnx.equals(name)) {
                    return m;
                }
            }
            return null;
        }
    }

    /** ONNX nearest_mode: which pixel a source coordinate between two pixels reads. */
    public enum NearestRounding {
        ROUND_PREFER_FLOOR("round_prefer_floor"), ROUND_PREFER_CEIL("round_prefer_ceil"), FLOOR("floor"),
        CEIL("ceil");

        private final String onnx;

        NearestRounding(String onnx) {
            this.onnx = onnx;
        }

        public String onnxName() {
            return onnx;
        }

        public long round(double x) {
            return switch (this) {
                case ROUND_PREFER_FLOOR -> (long) Math.ceil(x - 0.5); // a tie (frac 0.5) goes down
                case ROUND_PREFER_CEIL -> (long) Math.floor(x + 0.5);
                case FLOOR -> (long) Math.floor(x);
                case CEIL -> (long) Math.ceil(x);
            };
        }

        public static NearestRounding fromOnnx(String name) {
            for (NearestRounding r : values()) {
                if (r.onnx.equals(name)) {
                    return r;
                }
            }
            return null;
        }
    }

    /**
     * One axis of the resampling: output index x reads {@code low[x]} with weight 1 - {@code high weight[x]} and
     * {@code high[x]} with {@code highWeight[x]} (nearest: low == high, weight 0).
     */
    public record Taps(int[] low, int[] high, float[] highWeight) {
    }

    public Resize2d {
        Layer.require(interpolation != null && coordinates != null && rounding != null,
                "Resize2d needs an interpolation, a coordinate mode and a rounding");
        Layer.require(outHeight >= 1 && outWidth >= 1, "Resize2d output size must be >= 1, got " + outHeight + " x "
                + outWidth);
        Layer.require(scaleH > 0 && scaleW > 0 && Double.isFinite(scaleH) && Double.isFinite(scaleW),
                "Resize2d scales must be positive, got " + scaleH + " x " + scaleW);
        if (interpolation == Interpolation.LINEAR) {
            rounding = NearestRounding.ROUND_PREFER_FLOOR; // unused: one value, so equal layers compare equal
        }
    }

    @Override
    public String opName() {
        return "Resize";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        Layer.require(x.isImage(), "Resize2d expects [C, H, W], got " + x);
        return Shape.of(x.channels(), outHeight, outWidth);
    }

    /** The sampling of the height axis of an input with {@code inHeight} rows. */
    public Taps rows(int inHeight) {
        return taps(inHeight, outHeight, scaleH);
    }

    public Taps columns(int inWidth) {
        return taps(inWidth, outWidth, scaleW);
    }

    private Taps taps(int in, int out, double scale) {
        double[] source = new double[out];
        for (int x = 0; x < out; x++) {
            source[x] = coordinates.source(x, in, out, scale);
        }
        return taps(interpolation, rounding, source, in);
    }

    /**
     * The sampling of source coordinates {@code source} on an axis of {@code in} pixels (public so the importer can
     * compare the taps that other floating-point evaluations of the coordinates would give).
     */
    public static Taps taps(Interpolation interpolation, NearestRounding rounding, double[] source, int in) {
        int out = source.length;
        int[] low = new int[out];
        int[] high = new int[out];
        float[] w = new float[out];
        for (int x = 0; x < out; x++) {
            double s = source[x];
            if (interpolation == Interpolation.NEAREST) {
                low[x] = clamp(rounding.round(s), in);
                high[x] = low[x];
            } else {
                double f = Math.floor(s);
                low[x] = clamp((long) f, in);
                high[x] = clamp((long) f + 1, in);
                w[x] = low[x] == high[x] ? 0f : (float) (s - f);
            }
        }
        return new Taps(low, high, w);
    }

    private static int clamp(long i, int size) {
        return (int) Math.max(0, Math.min(size - 1, i));
    }

    /** Nearest copies (0, as {@link Upsample}); linear blends 4 pixels per output value: 4 MACs. */
    @Override
    public long macs(List<Shape> inputs, Shape output) {
        return interpolation == Interpolation.LINEAR ? 4L * output.size() : 0;
    }

    @Override
    public Resize2d copy() {
        return this;
    }
}
