package dev.gancompress.report;

import dev.gancompress.metrics.QualityReport;
import dev.gancompress.model.Model;
import dev.gancompress.model.WeightSlot;

/**
 * One model in a comparison: which method made it, at which target, its measured quality and cost, its
 * non-zero parameter count (what unstructured pruning buys before encoding), and its fine-tune time.
 */
public record ResultRow(String name, String method, String target, QualityReport quality, long nonZeroParameters,
                        double fineTuneSeconds) {
    public static ResultRow of(String name, String method, String target, Model model, QualityReport quality,
                               double fineTuneSeconds) {
        long nonZero = 0;
        for (WeightSlot slot : model.weightSlots().values()) {
            if (slot.trainable()) {
                nonZero += slot.weights().nonZeroCount();
            }
        }
        return new ResultRow(name, method, target, quality, nonZero, fineTuneSeconds);
    }
}
