package dev.gancompress.metrics;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Initializer;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.runtime.GeneratorSampler;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class QualityEvaluationTest {
    private static final int N = 160;
    private static final long SEED = 7;

    @TempDir
    Path dir;

    private DomainEvaluator evaluator;
    private Path generatorFile;
    private InMemoryImages ownSamples;
    private QualityEvaluation.Settings settings;

    @BeforeEach
    void setUp() {
        Model ev = DomainEvaluator.architecture(1, 28, 28, 10);
        DomainEvaluator.initialise(ev, 3);
        Path evFile = dir.resolve("evaluator.onnx");
        OnnxExporter.write(ev, evFile, Map.of(DomainEvaluator.META_TEST_ACCURACY, "0.1"));
        evaluator = DomainEvaluator.load(evFile);
        generatorFile = write(generator(28, 0, 1), "g.onnx");
        // the "real" set is the generator's own samples for the evaluation seed: it should score perfectly
        float[] own = new GeneratorSampler(generator(28, 0, 1)).generate(SEED, N, 50);
        ownSamples = new InMemoryImages(own, null, N, 1, 28, 28, 0);
        settings = new QualityEvaluation.Settings(N, SEED, N, 64, 3, 10, 100, dir.resolve("cache"), false, 20);
    }

    private static Model generator(int size, int classes, long seed) {
        Model g = Dcgan.generator(new DcganSpec(8, 1, size, 4, 4, classes, classes > 0 ? 5 : 0));
        Initializer.dcgan(g, seed);
        // wider weights than the DCGAN init, so that samples differ visibly from one another
        g.weightSlots().forEach((name, slot) -> {
            if (name.endsWith(".weight") && !name.contains("bn")) {
                float[] w = slot.weights().data();
                for (int i = 0; i < w.length; i++) {
                    w[i] *= 10;
                }
            }
        });
        return g;
    }

    private Path write(Model m, String name) {
        Path file = dir.resolve(name);
        OnnxExporter.write(m, file, Map.of());
        return file;
    }

    private QualityReport evaluate(Path model, Path teacher, InMemoryImages reference, QualityEvaluation.Settings s) {
        return new QualityEvaluation(evaluator, reference, s).evaluate(QualityEvaluation.Source.read(model),
                teacher == null ? null : QualityEvaluation.Source.read(teacher), null);
    }

    @Test
    void theSameModelGetsTheSameNumbersFromFreshAndCachedReferences() {
        QualityReport first = evaluate(generatorFile, null, ownSamples, settings);
        QualityReport second = evaluate(generatorFile, null, ownSamples, settings);
        assertThat(second).isEqualTo(first);
        assertThat(first.generatedSamples()).isEqualTo(N);
        assertThat(first.reference().count()).isEqualTo(N);
        assertThat(first.evaluator().sha256()).isEqualTo(evaluator.sha256());
        assertThat(first.evaluator().layer()).isEqualTo("features");
        assertThat(first.modelSha256()).isEqualTo(dev.gancompress.Digests.sha256(generatorFile));
        assertThat(first.conditionalAccuracy()).isNull();
        assertThat(first.fidelity()).isNull();
    }

    @Test
    void aGeneratorAgainstItsOwnSamplesScoresPerfectlyAndAnotherOneDoesNot() {
        QualityReport self = evaluate(generatorFile, null, ownSamples, settings);
        QualityReport other = evaluate(write(generator(28, 0, 2), "other.onnx"), null, ownSamples, settings);
        assertThat(other.fid()).isGreaterThan(1e-3);
        assertThat(self.fid()).isLessThan(1e-4 * other.fid());
        assertThat(self.precision()).isEqualTo(1.0);
        assertThat(self.recall()).isEqualTo(1.0);
        assertThat(Math.abs(self.kidMean())).isLessThan(0.1 * other.kidMean());
        assertThat(other.precision() + other.recall()).isLessThan(2.0);
    }

    @Test
    void aTeacherAgainstItselfHasInfinitePsnrUnitSsimAndZeroFeatureDistance() {
        QualityReport same = evaluate(generatorFile, generatorFile, ownSamples, settings);
        assertThat(same.fidelity().psnr()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(same.fidelity().ssim()).isCloseTo(1.0, within(1e-12));
        assertThat(same.fidelity().featureL2()).isEqualTo(0.0);
        assertThat(same.teacherSha256()).isEqualTo(same.modelSha256());

        QualityReport other = evaluate(write(generator(28, 0, 2), "other.onnx"), generatorFile, ownSamples, settings);
        assertThat(other.fidelity().psnr()).isFinite();
        assertThat(other.fidelity().ssim()).isLessThan(1.0);
        assertThat(other.fidelity().featureL2()).isGreaterThan(0.0);
    }

    @Test
    void aGeneratorOfAnotherImageShapeIsRejectedNamingBothFilesAndShapes() {
        Path big = write(generator(32, 0, 1), "g32.onnx");
        assertThatThrownBy(() -> evaluate(big, null, ownSamples, settings))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining(big.toString()).hasMessageContaining("[1, 32, 32]")
                .hasMessageContaining(evaluator.source()).hasMessageContaining("[1, 28, 28]");
        assertThatThrownBy(() -> evaluate(generatorFile, big, ownSamples, settings))
                .isInstanceOf(GanCompressException.class)
                .hasMessageContaining("teacher " + big).hasMessageContaining("[1, 32, 32]");
    }

    @Test
    void aMissingStatsFileIsRecomputed() throws IOException {
        QualityReport first = evaluate(generatorFile, null, ownSamples, settings);
        Path stats = statsFile();
        assertThat(stats).exists();
        Files.delete(stats);
        Files.delete(featuresFile());
        QualityReport again = evaluate(generatorFile, null, ownSamples, settings);
        assertThat(stats).exists();
        assertThat(again).isEqualTo(first);
    }

    @Test
    void aCorruptStatsFileIsAnErrorSuggestingRefreshAndRefreshRecomputesIt() throws IOException {
        QualityReport first = evaluate(generatorFile, null, ownSamples, settings);
        for (Path file : new Path[] {statsFile(), featuresFile()}) {
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length / 2] ^= 0x5A;
            Files.write(file, bytes);
            assertThatThrownBy(() -> evaluate(generatorFile, null, ownSamples, settings))
                    .isInstanceOf(GanCompressException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("--refresh");
            QualityReport refreshed = evaluate(generatorFile, null, ownSamples, settings.withRefresh(true));
            assertThat(refreshed).isEqualTo(first);
            assertThat(evaluate(generatorFile, null, ownSamples, settings)).isEqualTo(first);
        }
    }

    @Test
    void aConditionalGeneratorIsScoredOnItsRequestedClasses() {
        Path conditional = write(generator(28, 10, 1), "cg.onnx");
        QualityReport r = evaluate(conditional, null, ownSamples, settings);
        assertThat(r.conditionalAccuracy()).isNotNull().isBetween(0.0, 1.0);
        Path threeClasses = write(generator(28, 3, 1), "cg3.onnx");
        assertThatThrownBy(() -> evaluate(threeClasses, null, ownSamples, settings))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("3 classes")
                .hasMessageContaining("classifies 10");
    }

    @Test
    void theReportCarriesTheCostAndSurvivesAJsonRoundTrip() {
        QualityReport r = evaluate(generatorFile, generatorFile, ownSamples, settings);
        Model g = generator(28, 0, 1);
        CostReport.Totals t = CostModel.of(g, CostModel.Options.defaults()).totals();
        assertThat(r.cost().macs()).isEqualTo(t.macs());
        assertThat(r.cost().parameters()).isEqualTo(g.parameterCount());
        assertThat(r.cost().dataMovementShare()).isEqualTo(t.energy().dataMovementShare());
        QualityReport back = QualityReport.fromJson(r.toJson(), "test");
        assertThat(back).isEqualTo(r);
        assertThat(back.fidelity().psnr()).isInfinite();
        assertThat(r.toTable()).contains("FID", "KID", "precision (k=3)", "PSNR vs teacher (dB)", "inf",
                "MACs per image", "data-movement share", evaluator.sha256().substring(0, 12));
    }

    private Path statsFile() {
        return ReferenceStatsCache.fileFor(settings.cacheDir(), key());
    }

    private Path featuresFile() {
        return ReferenceFeatures.fileFor(settings.cacheDir(), key());
    }

    private String key() {
        return ReferenceStatsCache.key(ownSamples.contentHash(), evaluator.sha256(), "features", N);
    }
}
