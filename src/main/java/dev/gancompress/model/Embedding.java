package dev.gancompress.model;

import java.util.List;

/**
 * A class label looked up in a table [numClasses, dim] (ONNX Gather); how conditional GANs inject the label
 * before concatenating it with the latent code or with an image plane.
 */
public record Embedding(int numClasses, int dim, Weights table) implements Layer {
    public Embedding {
        Layer.require(table.rank() == 2 && table.dim(0) == numClasses && table.dim(1) == dim,
                "Embedding table must be [" + numClasses + ", " + dim + "], got " + table);
    }

    public static Embedding create(int numClasses, int dim) {
        return new Embedding(numClasses, dim, Weights.zeros(numClasses, dim));
    }

    @Override
    public String opName() {
        return "Gather";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Layer.require(inputs.get(0).rank() == 0, "Embedding expects a label input (shape []), got " + inputs.get(0));
        return Shape.of(dim);
    }

    @Override
    public long macs(List<Shape> inputs, Shape output) {
        return 0;
    }

    @Override
    public List<WeightSlot> weights() {
        return List.of(new WeightSlot("weight", table, true));
    }

    @Override
    public Embedding copy() {
        return new Embedding(numClasses, dim, table.copy());
    }
}
