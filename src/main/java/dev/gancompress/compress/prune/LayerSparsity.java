package dev.gancompress.compress.prune;

/** How many of one layer's weights are exactly zero. */
public record LayerSparsity(String layer, long weights, long zeros) {
    public double sparsity() {
        return weights == 0 ? 0 : (double) zeros / weights;
    }
}
