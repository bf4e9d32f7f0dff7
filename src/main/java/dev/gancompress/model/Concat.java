package dev.gancompress.model;

import java.util.List;

/**
 * Concatenation along the first per-sample axis (channels of images, features of vectors), as U-Net skips
 * and conditional label planes need. Takes two or more inputs.
 */
public record Concat() implements Layer {
    @Override
    public String opName() {
        return "Concat";
    }

    @Override
    public int arity() {
        return -1;
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Layer.require(inputs.size() >= 2, "Concat needs at least two inputs");
        int[] first = inputs.get(0).dims();
        Layer.require(first.length >= 1, "Concat cannot join labels");
        int total = 0;
        for (Shape s : inputs) {
            int[] d = s.dims();
            Layer.require(d.length == first.length, "Concat inputs differ in rank: " + inputs);
            for (int i = 1; i < d.length; i++) {
                Layer.require(d[i] == first[i], "Concat inputs differ beyond the first axis: " + inputs);
            }
            total += d[0];
        }
        first[0] = total;
        return new Shape(first);
    }

    @Override
    public long macs(List<Shape> inputs, Shape output) {
        return 0;
    }

    @Override
    public Concat copy() {
        return this;
    }
}
