package dev.gancompress.compress.distill;

import dev.gancompress.GanCompressException;
import dev.gancompress.metrics.ClassifierArchitecture;
import dev.gancompress.metrics.DomainEvaluator;
import dev.gancompress.model.Model;
import dev.gancompress.onnx.OnnxImporter;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** No metric gaming: a training loss may not read the evaluation network or anything derived from its weights. */
class EvaluationNetworkGuardTest {
    private static final Path EVALUATOR = Path.of("models/evaluator-fashion.onnx");

    private static void refuse(Model candidate, String sha, Model evaluator, String evaluatorSha, String reason) {
        assertThatThrownBy(() -> EvaluationNetworkGuard.refuseEvaluationNetwork(candidate, "candidate.onnx", sha,
                evaluator, evaluatorSha))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("feature network candidate.onnx is refused for a training loss")
                .hasMessageContaining(reason);
    }

    @Test
    void theBundledEvaluatorIsRefusedByFileByWeightsAndAsAPartialCopy() {
        Model evaluator = OnnxImporter.read(EVALUATOR);
        String sha = dev.gancompress.Digests.sha256(EVALUATOR);
        refuse(OnnxImporter.read(EVALUATOR), sha, evaluator, sha, "it is the evaluation network's file");
        // the same weights from elsewhere (a re-export, no file hash known)
        refuse(OnnxImporter.read(EVALUATOR), null, evaluator, null, "it has the evaluation network's weights");
        // fine-tuned from it with the first convolution frozen: one tensor still equal
        Model tuned = OnnxImporter.read(EVALUATOR);
        float[] w = tuned.node("logits").layer().weights().get(0).weights().data();
        w[0] += 0.5f;
        refuse(tuned, null, evaluator, null, "equals the evaluation network's conv1.");
    }

    @Test
    void aNetworkTrainedFromTheSameInitialWeightsIsRefusedByItsLineage() {
        Model evaluator = OnnxImporter.read(EVALUATOR);
        // the same architecture, seed and data as the evaluator: retrained, every tensor differs, the lineage does not
        Model retrained = DomainEvaluator.architecture(1, 28, 28, 10);
        DomainEvaluator.initialise(retrained, 12345);
        Map<String, String> meta = new LinkedHashMap<>(retrained.metadata());
        meta.put("seed", evaluator.metadata().get("seed"));
        meta.put("dataset_sha256", evaluator.metadata().get("dataset_sha256"));
        refuse(retrained.withMetadata(meta), null, evaluator, null, "from the same initial weights");
        // another seed: accepted
        meta.put("seed", "7");
        Model otherSeed = retrained.withMetadata(meta);
        assertThatCode(() -> EvaluationNetworkGuard.refuseEvaluationNetwork(otherSeed, "x", null, evaluator, null))
                .doesNotThrowAnyException();
    }

    @Test
    void aSeparateNarrowDeepNetworkIsAccepted() {
        Model evaluator = OnnxImporter.read(EVALUATOR);
        Model net = ClassifierArchitecture.NARROW_DEEP.build(1, 28, 28, 10);
        DomainEvaluator.initialise(net, 7);
        Map<String, String> meta = new LinkedHashMap<>(net.metadata());
        meta.put("seed", "1");
        meta.put("dataset_sha256", evaluator.metadata().get("dataset_sha256"));
        // seed 1 like the evaluator, but another architecture: other initial weights
        assertThatCode(() -> EvaluationNetworkGuard.refuseEvaluationNetwork(net.withMetadata(meta), "x", null,
                evaluator, null)).doesNotThrowAnyException();
        Path shipped = Path.of("models/feature-net-fashion.onnx");
        if (Files.exists(shipped)) {
            assertThatCode(() -> EvaluationNetworkGuard.refuseEvaluationNetwork(OnnxImporter.read(shipped),
                    shipped.toString(), dev.gancompress.Digests.sha256(shipped), evaluator, dev.gancompress.Digests.sha256(EVALUATOR)))
                    .doesNotThrowAnyException();
        }
    }
}
