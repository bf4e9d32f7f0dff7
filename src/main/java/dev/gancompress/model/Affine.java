package dev.gancompress.model;

import java.util.List;

/**
 * The element-wise map y = scale * x + shift with constant scale and shift, each per tensor (one value) or per
 * channel (one value per channel of an image [C, H, W] or feature of a vector [F]). It is what PyTorch exports for
 * arithmetic by a constant at the end of a generator, {@code (torch.tanh(x) + 1) / 2} or {@code x * 0.5 + 0.5}
 * (ONNX Mul, Div, Add, Sub by a constant); the importer merges a chain of them into one layer.
 *
 * <p>Scale and shift are buffers, not trained: they are the teacher's constants, and training them would change
 * what the exported graph means. MACs: 0 (element-wise, like an activation; see {@link Layer}).
 */
public record Affine(Weights scale, Weights shift) implements Layer {
    public Affine {
        Layer.require(scale != null && shift != null, "Affine needs a scale and a shift");
        Layer.require(scale.rank() == 1 && shift.rank() == 1, "Affine scale and shift must be vectors, got "
                + scale + " and " + shift);
    }

    /** y = scale * x + shift with one value each. */
    public static Affine perTensor(float scale, float shift) {
        return new Affine(Weights.filled(scale, 1), Weights.filled(shift, 1));
    }

    /** The scale applied to channel {@code c}. */
    public float scaleAt(int c) {
        return scale.data()[scale.size() == 1 ? 0 : c];
    }

    /** The shift added to channel {@code c}. */
    public float shiftAt(int c) {
        return shift.data()[shift.size() == 1 ? 0 : c];
    }

    /** Whether both scale and shift are one value. */
    public boolean isPerTensor() {
        return scale.size() == 1 && shift.size() == 1;
    }

    /**
     * This map applied after {@code first}: y = s (s1 x + b1) + b = (s s1) x + (s b1 + b), per channel. The products
     * are rounded once each, so the merged map may differ from the two in sequence by an ulp.
     */
    public Affine after(Affine first) {
        int scales = Math.max(scale.size(), first.scale.size());
        int shifts = Math.max(Math.max(scale.size(), first.shift.size()), shift.size());
        int channels = Math.max(scales, shifts);
        for (Weights w : new Weights[] {scale, shift, first.scale, first.shift}) {
            Layer.require(w.size() == 1 || w.size() == channels,
                    "cannot merge Affine maps over different channel counts: " + first + " then " + this);
        }
        float[] s = new float[scales];
        for (int c = 0; c < scales; c++) {
            s[c] = scaleAt(c) * first.scaleAt(c);
        }
        float[] b = new float[shifts];
        for (int c = 0; c < shifts; c++) {
            b[c] = scaleAt(c) * first.shiftAt(c) + shiftAt(c);
        }
        return new Affine(new Weights(new int[] {scales}, s), new Weights(new int[] {shifts}, b));
    }

    @Override
    public String opName() {
        return "Affine";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        int channels = x.rank() == 0 ? 1 : x.dim(0);
        for (Weights w : new Weights[] {scale, shift}) {
            Layer.require(w.size() == 1 || w.size() == channels,
                    "Affine constant of " + w.size() + " values does not match the " + channels + " channels of " + x);
        }
        return x;
    }

    @Override
    public long macs(List<Shape> inputs, Shape output) {
        return 0;
    }

    @Override
    public List<WeightSlot> weights() {
        return List.of(new WeightSlot("scale", scale, false), new WeightSlot("shift", shift, false));
    }

    @Override
    public Affine copy() {
        return new Affine(scale.copy(), shift.copy());
    }
}
