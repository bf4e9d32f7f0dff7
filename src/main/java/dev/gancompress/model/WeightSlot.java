package dev.gancompress.model;

/**
 * One tensor of a layer, named by its role ("weight", "bias", "running_mean", ...).
 * Buffers (running statistics) are stored and moved like weights but are not trained by the optimiser.
 */
public record WeightSlot(String role, Weights weights, boolean trainable) {
}
