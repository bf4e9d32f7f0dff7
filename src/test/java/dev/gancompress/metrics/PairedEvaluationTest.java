package dev.gancompress.metrics;

import dev.gancompress.GanCompressException;
import dev.gancompress.TestImages;
import dev.gancompress.data.Datasets;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.data.PairedDataset;
import dev.gancompress.model.Activation;
import dev.gancompress.model.Input;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.onnx.OnnxExporter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Evaluation of image-to-image models: outputs for the paired inputs against their targets. */
class PairedEvaluationTest {
    private static final int N = 160;

    @TempDir
    Path dir;

    private DomainEvaluator evaluator;
    private PairedDataset pairs;
    private QualityEvaluation.Settings settings;

    @BeforeEach
    void setUp() {
        Model ev = DomainEvaluator.architecture(1, 28, 28, 10);
        DomainEvaluator.initialise(ev, 3);
        Path evFile = dir.resolve("evaluator.onnx");
        OnnxExporter.write(ev, evFile, Map.of(DomainEvaluator.META_TEST_ACCURACY, "0.1"));
        evaluator = DomainEvaluator.load(evFile);
        // 28x28 noise padded to 32x32, paired with itself: the identity is the perfect model
        ImageDataset images = Datasets.padded(TestImages.noise(N), 32, 32);
        pairs = new PairedDataset(images, images, "identity pairs");
        settings = new QualityEvaluation.Settings(N, 1, N, 64, 3, 10, 100, dir.resolve("cache"), false, 20);
    }

    /** input -> activation, a 32x32 image-to-image model. */
    private static Model model(String name, Activation act) {
        return new Model(name, List.of(Input.image("input", 1, 32, 32)), List.of(Node.of("out", act, "input")), "out",
                Map.of());
    }

    private QualityReport evaluate(Model m, Model teacher) {
        return QualityEvaluation.paired(evaluator, pairs, settings, CostModel.Options.defaults())
                .evaluate(QualityEvaluation.Source.of(m, m.name()),
                        teacher == null ? null : QualityEvaluation.Source.of(teacher, teacher.name()), null);
    }

    @Test
    void theIdentityOnIdentityPairsMatchesTheGroundTruthExactly() {
        // clip(-1, 1) is the identity on images in [-1, 1]
        QualityReport r = evaluate(model("identity", Activation.clip(-1f, 1f)), null);
        assertThat(r.generatedSamples()).isEqualTo(N);
        assertThat(r.groundTruth().psnr()).isInfinite();
        assertThat(r.groundTruth().ssim()).isCloseTo(1.0, within(1e-9));
        assertThat(r.groundTruth().featureL2()).isZero();
        assertThat(r.fid()).isCloseTo(0.0, within(1e-3));
        assertThat(r.fidelity()).isNull();
        assertThat(r.reference().dataset()).contains("centre-cropped to 28x28");
    }

    @Test
    void aDistortingModelIsFarFromTheGroundTruthAndFromAnIdentityTeacher() {
        Model identity = model("identity", Activation.clip(-1f, 1f));
        // tanh squashes the noise's contrast: close, not equal
        QualityReport r = evaluate(model("tanh", Activation.tanh()), identity);
        assertThat(r.groundTruth().psnr()).isFinite().isLessThan(30);
        assertThat(r.groundTruth().featureL2()).isPositive();
        assertThat(r.fid()).isGreaterThan(1e-2);
        // the teacher is the identity: fidelity to it equals fidelity to the ground truth
        assertThat(r.fidelity().psnr()).isCloseTo(r.groundTruth().psnr(), within(1e-9));
        assertThat(r.toTable()).contains("PSNR vs ground truth (dB)");
    }

    @Test
    void aLatentGeneratorIsRejected() {
        Model latent = new Model("latent", List.of(Input.latent("z", 4)), List.of(Node.of("out", Activation.tanh(),
                "z")), "out", Map.of());
        assertThatThrownBy(() -> evaluate(latent, null))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("model latent is not an image-to-image model");
    }
}
