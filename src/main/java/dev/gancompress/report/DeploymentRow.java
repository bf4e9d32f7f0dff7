package dev.gancompress.report;

/**
 * One model of a comparison with what it costs when deployed: its quality and IR cost ({@link ResultRow}), the
 * bytes of its ONNX file on disk, and its ONNX Runtime images/s measured in the same run as the reference's, with
 * the ratio to the reference (the first row).
 */
public record DeploymentRow(ResultRow result, long bytesOnDisk, double imagesPerSecond, double speedup) {
    public String name() {
        return result.name();
    }
}
