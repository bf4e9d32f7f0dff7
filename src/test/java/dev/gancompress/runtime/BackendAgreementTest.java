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

    @Test
    void unknownBackendListsTheKnownOnes() {
        assertThatThrownBy(() -> InferenceBackends.get("tvm")).isInstanceOf(GanCompressException.class)
                .hasMessage("unknown backend 'tvm'; known: engine, ort, djl");
    }
}
