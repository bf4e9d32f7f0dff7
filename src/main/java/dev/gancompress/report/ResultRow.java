package dev.gancompress.report;

import dev.gancompress.metrics.QualityReport;
import dev.gancompress.model.Model;
import dev.gancompress.model.WeightSlot;

/**
 * One model in a comparison: which method made it, at which target, its measured quality and cost, its
 * non-zero parameter count (what unstructured pruning buys before encoding), its fine-tune time, and its ONNX
 * Runtime speed when the comparison timed its files ({@code ort}, else null).
 */
public record ResultRow(String name, String method, String target, QualityReport quality, long nonZeroParameters,
                        double fineTuneSeconds, OrtSpeed ort) {
    /**
     * ONNX Runtime images/s of the row's file and the ratio to the teacher's, both from one process run that timed
     * every model of the comparison in interleaved rounds (so the ratio compares like with like on a shared machine).
     */
    public record OrtSpeed(double imagesPerSecond, double ofTeacher, int batch, int threads, int rounds) {
    }

    /** A row without an ORT timing. */
    public ResultRow(String name, String method, String target, QualityReport quality, long nonZeroParameters,
                     double fineTuneSeconds) {
        this(name, method, target, quality, nonZeroParameters, fineTuneSeconds, null);
    }

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

    public ResultRow withOrt(OrtSpeed speed) {
        return new ResultRow(name, method, target, quality, nonZeroParameters, fineTuneSeconds, speed);
    }
}
