package dev.gancompress.train;

import java.util.Map;

/** What one training step did: its position, its named loss terms and how many images it consumed. */
public record StepResult(long step, int epoch, int batchIndex, int batchesPerEpoch, Map<String, Double> losses,
                         int images) {
}
