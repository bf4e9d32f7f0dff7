package dev.gancompress.compress.lowrank;

import dev.gancompress.model.Weights;

/** Builds the weight tensors of factor layers from matrix entries. */
final class FactorWeights {
    /** The entry at row i, column j of a factor matrix. */
    @FunctionalInterface
    interface Entry {
        double at(int i, int j);
    }

    private FactorWeights() {
    }

    /**
     * A weight tensor of {@code shape} whose row-major data, read as a {@code rows x (size / rows)} matrix, holds
     * {@code entry.at(i, j)}.
     */
    static Weights matrix(Entry entry, int rows, int... shape) {
        int size = Math.toIntExact(Weights.count(shape));
        int cols = size / rows;
        float[] d = new float[size];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                d[i * cols + j] = (float) entry.at(i, j);
            }
        }
        return new Weights(shape, d);
    }
}
