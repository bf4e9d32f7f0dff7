package dev.gancompress.pipeline;

/** A recipe with the method and the target it stands for in a comparison table. */
public record ComparisonEntry(Recipe recipe, String method, String target) {
}
