package dev.gancompress.runtime;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Parallel;
import dev.gancompress.nn.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** fp32 outputs of every backend agree within 1e-4 on the same model and inputs (issue 12). */
class BackendAgreementTest {
    private static final double TOLERANCE = 1e-4;
    private static final int THREADS = Parallel.threads();

    private static Tensor run(String backend, Model m, Map<String, Tensor> feeds) {
        try (InferenceSession s = InferenceBackends.get(backend).open(m, THREADS)) {
            assertThat(s.precision()).isEqualTo("fp32");
            return s.run(feeds);
        }
    }

    private static void assertAgree(Tensor a, Tensor b) {
        assertThat(b.shape()).containsExactly(a.shape());
        assertThat(a.maxAbsDifference(b)).isLessThanOrEqualTo(TOLERANCE);
        // not trivially equal: the outputs vary across the batch
        assertThat(a.data()[0]).isNotEqualTo(a.data()[a.data().length - 1]);
    }

    private static Map<String, Tensor> feeds(Model m) {
        return BenchInputs.seeded(m, 6, new SplittableRandom(3));
    }

    @Test
    void engineAndOnnxRuntimeAgreeOnTransposedConvolutionsAndUpsampling() {
        for (Model m : new Model[] {TinyModels.dcganGenerator(1), TinyModels.upsampleConvGenerator(true, 2),
                TinyModels.discriminator(3)}) {
            Map<String, Tensor> in = feeds(m);
            assertAgree(run("engine", m, in), run("ort", m, in));
            assertAgree(run("engine-unfused", m, in), run("ort", m, in));
        }
    }

    @Test
    void pyTorchAgreesWithTheEngineOnWhatItCanExpress() {
        InferenceBackend djl = InferenceBackends.get("djl");
        assumeTrue(djl.unavailableReason() == null, "djl backend skipped: " + djl.unavailableReason());
        for (Model m : new Model[] {TinyModels.upsampleConvGenerator(false, 4), TinyModels.upsampleConvGenerator(true, 5),
                TinyModels.discriminator(6)}) {
            Map<String, Tensor> in = feeds(m);
            assertAgree(run("engine", m, in), run("djl", m, in));
        }
    }

    @Test
    void pyTorchRefusesTransposedConvolutionNamingTheNode() {
        InferenceBackend djl = InferenceBackends.get("djl");
        assumeTrue(djl.unavailableReason() == null, "djl backend skipped: " + djl.unavailableReason());
        assertThatThrownBy(() -> djl.open(TinyModels.dcganGenerator(1), THREADS))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("node 'up1' (ConvTranspose)")
                .hasMessageContaining("no transposed convolution");
    }

    /**
     * On the discriminator. The generators put a training-mode BatchNorm after every weight layer, where the gradient
     * of this trivial loss is float noise (BatchNorm removes the mean, so a bias before it has gradient exactly zero
     * in exact arithmetic) and Adam's division by the gradient's size turns noise into full steps.
     */
    @Test
    void oneTrainingStepUpdatesTheSameWeightsOnTheEngineAndOnPyTorch() {
        InferenceBackend djl = InferenceBackends.get("djl");
        assumeTrue(djl.unavailableReason() == null, "djl backend skipped: " + djl.unavailableReason());
        for (Model m : new Model[] {TinyModels.discriminator(7)}) {
            try (TrainingStep engine = InferenceBackends.get("engine").openTraining(m, 5, THREADS, 9);
                 TrainingStep torch = djl.openTraining(m, 5, THREADS, 9)) {
                for (int step = 0; step < 2; step++) {
                    engine.step();
                    torch.step();
                }
                for (dev.gancompress.model.Node n : m.nodes()) {
                    for (dev.gancompress.model.WeightSlot slot : n.layer().weights()) {
                        if (!slot.trainable()) {
                            continue;
                        }
                        String name = n.name() + "." + slot.role();
                        float[] a = engine.parameter(name);
                        float[] b = torch.parameter(name);
                        float[] before = slot.weights().data();
                        double moved = 0;
                        double[] diff = new double[a.length];
                        for (int i = 0; i < a.length; i++) {
                            diff[i] = Math.abs(a[i] - b[i]);
                            moved = Math.max(moved, Math.abs(a[i] - before[i]));
                        }
                        // Adam divides by the gradient's own size, so a weight whose gradient is float noise (before a
                        // training-mode BatchNorm the mean loss barely depends on it) moves by up to the learning rate
                        // in either library's rounding: most weights agree closely, none by more than Adam's step.
                        java.util.Arrays.sort(diff);
                        assertThat(diff[diff.length / 2]).as(name + " median |difference|").isLessThanOrEqualTo(1e-6);
                        assertThat(diff[(int) (0.95 * (diff.length - 1))]).as(name + " 95th percentile")
                                .isLessThanOrEqualTo(1e-5);
                        assertThat(diff[diff.length - 1]).as(name + " max").isLessThanOrEqualTo(
                                2 * 2 * TrainingStep.LEARNING_RATE);
                        // Adam's first steps move every weight with a gradient by about the learning rate
                        assertThat(moved).as(name + " moved").isGreaterThan(1e-4);
                    }
                }
            }
        }
    }

    @Test
    void unknownBackendListsTheKnownOnes() {
        assertThatThrownBy(() -> InferenceBackends.get("tvm")).isInstanceOf(GanCompressException.class)
                .hasMessage("unknown backend 'tvm'; known: engine, engine-unfused, ort, djl");
    }
}
