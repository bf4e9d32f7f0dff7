package dev.gancompress.metrics;

import dev.gancompress.model.Model;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.onnx.OnnxExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EvaluatorTrainerTest {
    @TempDir
    Path dir;

    private static final InMemoryImages TRAIN = InMemoryImages.bars(256, 16, 4, 1);
    private static final InMemoryImages SMALL = InMemoryImages.bars(96, 16, 4, 1);
    private static final InMemoryImages TEST = InMemoryImages.bars(64, 16, 4, 2);

    @Test
    void theArchitectureLearnsSeparableClassesInAFewDozenSteps() {
        List<Double> losses = new ArrayList<>();
        EvaluatorTrainer.Listener record = new EvaluatorTrainer.Listener() {
            @Override
            public void onStep(long step, int epoch, double loss) {
                losses.add(loss);
            }
        };
        EvaluatorTrainer.Result r = new EvaluatorTrainer(new EvaluatorTrainer.Settings(2, 16, 2e-3, 3))
                .train(TRAIN, TEST, null, false, record);
        assertThat(losses).hasSize(32);
        double first = losses.get(0);
        double last = losses.subList(26, 32).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertThat(first).isGreaterThan(1.0); // about ln 4 = 1.39 before any step
        assertThat(last).isLessThan(0.25 * first);
        assertThat(r.testAccuracy()).isGreaterThan(0.9);
        // the feature layer was rescaled to unit RMS on the training images, the classes unchanged
        float[] f = new DomainEvaluator(r.model(), DomainEvaluator.FEATURE_LAYER, "m", "").embed(TRAIN, 256, 64, null)
                .features();
        double sum = 0;
        for (float v : f) {
            sum += (double) v * v;
        }
        assertThat(Math.sqrt(sum / f.length)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(r.featureScale()).isPositive();
    }

    @Test
    void normalisingTheFeatureScaleKeepsThePredictions() {
        Model m = DomainEvaluator.architecture(1, 16, 16, 4);
        DomainEvaluator.initialise(m, 4);
        int[] before = new DomainEvaluator(m.copy(), "features", "m", "").embed(TEST, 64, 64, null)
                .predictedClasses();
        double s = DomainEvaluator.normaliseFeatureScale(m, TRAIN, 256);
        DomainEvaluator.FeatureSet after = new DomainEvaluator(m, "features", "m", "").embed(TEST, 64, 64, null);
        assertThat(after.predictedClasses()).containsExactly(before);
        assertThat(s).isPositive().isNotEqualTo(1.0);
    }

    @Test
    void aRunResumedFromItsEpochCheckpointEndsWithTheSameWeights() {
        EvaluatorTrainer.Settings settings = new EvaluatorTrainer.Settings(2, 32, 2e-3, 5);
        Model straight = new EvaluatorTrainer(settings).train(SMALL, TEST, null, false, null).model();
        Path ckpt = dir.resolve("e.ckpt");
        EvaluatorTrainer.Listener killAfterFirstEpoch = new EvaluatorTrainer.Listener() {
            @Override
            public void onEpochEnd(int epoch, double meanLoss, double testAccuracy, double seconds) {
                throw new IllegalStateException("killed");
            }
        };
        assertThatThrownBy(() -> new EvaluatorTrainer(settings).train(SMALL, TEST, ckpt, false, killAfterFirstEpoch))
                .hasMessage("killed");
        EvaluatorTrainer.Result resumed = new EvaluatorTrainer(settings).train(SMALL, TEST, ckpt, true, null);
        assertThat(resumed.epochsThisRun()).isEqualTo(1);
        Map<String, WeightSlot> a = straight.weightSlots();
        resumed.model().weightSlots().forEach((name, slot) ->
                assertThat(slot.weights().data()).as(name).containsExactly(a.get(name).weights().data()));
    }

    @Test
    void aCheckpointOfOtherSettingsIsRejected() {
        Path ckpt = dir.resolve("e.ckpt");
        new EvaluatorTrainer(new EvaluatorTrainer.Settings(1, 32, 2e-3, 5)).train(SMALL, TEST, ckpt, false, null);
        assertThatThrownBy(() -> new EvaluatorTrainer(new EvaluatorTrainer.Settings(1, 32, 2e-3, 6))
                .train(SMALL, TEST, ckpt, true, null))
                .hasMessageContaining(ckpt.toString()).hasMessageContaining("\"seed\":5")
                .hasMessageContaining("\"seed\":6");
    }

    @Test
    void anEvaluatorFileKeepsItsFeatureLayerAndEmbedsAsInMemory() {
        Model m = DomainEvaluator.architecture(1, 16, 16, 4);
        DomainEvaluator.initialise(m, 9);
        Path file = dir.resolve("ev.onnx");
        OnnxExporter.write(m, file, Map.of(DomainEvaluator.META_TEST_ACCURACY, "0.5"));
        DomainEvaluator loaded = DomainEvaluator.load(file);
        assertThat(loaded.featureLayer()).isEqualTo(DomainEvaluator.FEATURE_LAYER);
        assertThat(loaded.featureDimension()).isEqualTo(DomainEvaluator.FEATURE_DIM);
        assertThat(loaded.recordedTestAccuracy()).isEqualTo(0.5);
        assertThat(loaded.sha256()).isEqualTo(dev.gancompress.Digests.sha256(file)).hasSize(64);
        DomainEvaluator memory = new DomainEvaluator(m, DomainEvaluator.FEATURE_LAYER, "memory", "");
        // batch size does not change the features of an image in evaluation mode
        DomainEvaluator.FeatureSet a = loaded.embed(TEST, 20, 7, null);
        DomainEvaluator.FeatureSet b = memory.embed(TEST, 20, 20, null);
        assertThat(a.features()).containsExactly(b.features(), org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(a.predictedClasses()).containsExactly(b.predictedClasses());
    }
}
