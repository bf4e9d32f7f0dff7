package dev.gancompress.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gancompress.metrics.QualityReport;

import java.util.Map;

/**
 * One finished sweep trial, one line of {@code trials.jsonl}: what was tried, the model it made and what that
 * measured. A trial whose recipe the technique refused while running (bad input for that combination) is finished
 * too, as {@code failed} with the message, so a resumed sweep does not retry it.
 *
 * @param id         digest of the trial's recipe and of every setting that changes its result (seeds, fine-tune and
 *                   evaluation settings): a resumed sweep skips the trials whose id is already recorded
 * @param name       the trial's recipe name and work directory under {@code trials/}
 * @param values     the parameter values set, by parameter label
 * @param modelFile  the written generator, relative to the sweep directory; null when failed
 * @param quality    null when failed
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record TrialRecord(String id, String name, String status, String error, Map<String, JsonNode> values,
                          JsonNode recipe, String modelFile, String modelSha256, long bytesOnDisk,
                          double fineTuneSeconds, double trialSeconds, String finishedAt, QualityReport quality) {
    public static final String OK = "ok";
    public static final String FAILED = "failed";

    public boolean ok() {
        return OK.equals(status);
    }
}
