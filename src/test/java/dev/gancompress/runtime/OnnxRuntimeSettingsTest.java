package dev.gancompress.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Every ORT session is configured explicitly, spinning off (issue 12: spinning threads distort comparisons). */
class OnnxRuntimeSettingsTest {
    @Test
    void sessionsDoNotSpinAndSayHowTheyRun() throws OrtException {
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            OnnxRuntimeBackend.configure(opts, 2);
            assertThat(opts.getConfigEntries()).containsEntry("session.intra_op.allow_spinning", "0")
                    .containsEntry("session.inter_op.allow_spinning", "0");
        }
        assertThat(new OnnxRuntimeInference().describe(2)).contains("intra-op 2 thread(s)").contains("spinning off")
                .contains("optimisation ALL_OPT");
    }
}
