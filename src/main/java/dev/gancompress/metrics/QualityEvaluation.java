package dev.gancompress.metrics;

import dev.gancompress.GanCompressException;
import dev.gancompress.data.Datasets;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.data.PairedDataset;
import dev.gancompress.model.Input;
import dev.gancompress.model.Model;
import dev.gancompress.model.Shape;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.runtime.GeneratorSampler;
import dev.gancompress.runtime.PairedSampler;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Measures a generator against the real set on the features of a {@link DomainEvaluator}: FID (Heusel et al.
 * 2017), KID (Binkowski et al. 2018), precision and recall (Kynkaanniemi et al. 2019); against a teacher on the
 * same latent codes and labels: PSNR, SSIM and feature distance; for a class-conditional generator, whether
 * the evaluator recognises the requested class; and the model's inference cost ({@link CostModel}).
 *
 * <p>Every number is a pure function of the generator, the evaluator, the reference set and the
 * {@link Settings}: latent codes depend on (seed, sample index) only ({@link GeneratorSampler}), the real
 * images are the first {@code referenceCount} of the set, the KID subsets come from a fixed seed. The real
 * set's features and statistics are cached on disk keyed by dataset hash, evaluator hash, layer and count.
 */
public final class QualityEvaluation {
    /**
     * Validated settings. The defaults (10,000 generated samples against the 10,000 test images, seed 1,
     * KID 100 subsets of 1000, k = 3) are fixed so that numbers from different runs compare.
     */
    public record Settings(int samples, long seed, int referenceCount, int batchSize, int k, int kidSubsets,
                           int kidSubsetSize, Path cacheDir, boolean refresh, int intervalGroups) {
        public Settings {
            if (samples < 2 || referenceCount < 2 || batchSize < 1 || k < 1 || kidSubsets < 1 || kidSubsetSize < 2) {
                throw new GanCompressException("evaluation settings: samples and reference count must be >= 2, batch "
                        + "size and k >= 1, KID subsets >= 1 of size >= 2; got samples=" + samples + ", reference="
                        + referenceCount + ", batch=" + batchSize + ", k=" + k + ", subsets=" + kidSubsets
                        + " of " + kidSubsetSize);
            }
            if (cacheDir == null) {
                throw new GanCompressException("evaluation settings: a cache directory is required");
            }
            if (intervalGroups != 0 && intervalGroups < 2) {
                throw new GanCompressException("evaluation settings: interval groups must be 0 (no intervals) or"
                        + " >= 2, got " + intervalGroups);
            }
        }

        public static Settings defaults() {
            return new Settings(10_000, 1, 10_000, 250, PrecisionRecall.DEFAULT_K, KernelDistance.DEFAULT_SUBSETS,
                    KernelDistance.DEFAULT_SUBSET_SIZE, Path.of(".cache", "gancompress"), false,
                    SampleIntervals.DEFAULT_GROUPS);
        }

        public Settings withSamples(int n) {
            return new Settings(n, seed, referenceCount, batchSize, k, kidSubsets, kidSubsetSize, cacheDir, refresh, intervalGroups);
        }

        public Settings withSeed(long s) {
            return new Settings(samples, s, referenceCount, batchSize, k, kidSubsets, kidSubsetSize, cacheDir, refresh, intervalGroups);
        }

        public Settings withReferenceCount(int n) {
            return new Settings(samples, seed, n, batchSize, k, kidSubsets, kidSubsetSize, cacheDir, refresh, intervalGroups);
        }

        public Settings withKid(int subsets, int subsetSize) {
            return new Settings(samples, seed, referenceCount, batchSize, k, subsets, subsetSize, cacheDir, refresh, intervalGroups);
        }

        public Settings withCacheDir(Path dir) {
            return new Settings(samples, seed, referenceCount, batchSize, k, kidSubsets, kidSubsetSize, dir, refresh, intervalGroups);
        }

        /** Jackknife groups of the intervals; 0 skips them. */
        public Settings withIntervalGroups(int b) {
            return new Settings(samples, seed, referenceCount, batchSize, k, kidSubsets, kidSubsetSize, cacheDir, refresh,
                    b);
        }

        public Settings withRefresh(boolean r) {
            return new Settings(samples, seed, referenceCount, batchSize, k, kidSubsets, kidSubsetSize, cacheDir, r, intervalGroups);
        }
    }

    /** Progress of the long phases (embedding the real set, generating and embedding samples). */
    public interface Progress {
        Progress NONE = new Progress() {
            @Override
            public void start(String task, long total) {
            }

            @Override
            public void step(long done) {
            }

            @Override
            public void finish() {
            }
        };

        void start(String task, long total);

        void step(long done);

        void finish();
    }

    /** A generator and where it came from: the file name and SHA-256 a report names it by. */
    public record Source(Model model, String file, String sha256) {
        public static Source read(Path file) {
            return new Source(OnnxImporter.read(file), file.toString(), dev.gancompress.Digests.sha256(file));
        }

        /** A model not read from a file: hashed by its ONNX bytes, so the same weights get the same hash. */
        public static Source of(Model model, String label) {
            return new Source(model, label, dev.gancompress.Digests.sha256(OnnxExporter.toBytes(model, Map.of())));
        }
    }

    /** The real set's embedding and its Gaussian statistics. */
    public record ReferenceSet(ReferenceFeatures features, GaussianStats stats, String key) {
    }

    private final DomainEvaluator evaluator;
    private final ImageDataset reference;
    private final Settings settings;
    private final CostModel.Options costOptions;
    private final ReferenceStatsCache cache = new ReferenceStatsCache();
    /** For image-to-image models: the inputs, index-aligned with {@link #reference} (the targets); else null. */
    private final ImageDataset pairedInputs;

    public QualityEvaluation(DomainEvaluator evaluator, ImageDataset reference, Settings settings) {
        this(evaluator, reference, settings, CostModel.Options.defaults());
    }

    /** With the cost model's options (e.g. a user's energy table) for the report's cost figures. */
    public QualityEvaluation(DomainEvaluator evaluator, ImageDataset reference, Settings settings,
                             CostModel.Options costOptions) {
        this(evaluator, reference, null, settings, costOptions);
    }

    private QualityEvaluation(DomainEvaluator evaluator, ImageDataset reference, ImageDataset pairedInputs,
                              Settings settings, CostModel.Options costOptions) {
        evaluator.requireShape(reference);
        this.evaluator = evaluator;
        this.reference = reference;
        this.pairedInputs = pairedInputs;
        this.settings = settings;
        this.costOptions = costOptions;
    }

    /**
     * Evaluation of image-to-image models on a paired test set: sample i is the model's output for input i, FID, KID
     * and precision/recall compare the outputs with the real targets, and the report adds PSNR/SSIM to the targets
     * ({@link QualityReport#groundTruth()}). At most {@code pairs.size()} samples are generated. Targets larger than
     * the evaluator's input are centre-cropped to it, and so are the outputs: for the 32x32 edges task that is the
     * exact inverse of padding 28x28 Fashion-MNIST, so the border of padding takes no part in any number.
     */
    public static QualityEvaluation paired(DomainEvaluator evaluator, PairedDataset pairs, Settings settings,
                                           CostModel.Options costOptions) {
        Shape e = evaluator.inputShape();
        if (pairs.height() < e.height() || pairs.width() < e.width()) {
            throw new GanCompressException("paired set " + pairs.description() + " has " + pairs.height() + "x"
                    + pairs.width() + " images, smaller than the " + e.height() + "x" + e.width() + " evaluator "
                    + evaluator.source() + " reads");
        }
        ImageDataset targets = Datasets.cropped(pairs.targets(), e.height(), e.width());
        return new QualityEvaluation(evaluator, targets, pairs.inputs(), settings, costOptions);
    }

    /** Whether this evaluation measures image-to-image models (see {@link #paired}). */
    public boolean isPaired() {
        return pairedInputs != null;
    }

    /** Numbered images of a model under evaluation. */
    private interface Draw {
        void generate(int first, int count, float[] dst);
    }

    private Draw draw(Model model) {
        if (pairedInputs != null) {
            PairedSampler sampler = new PairedSampler(model, pairedInputs, evaluator.inputShape());
            return (first, count, dst) -> sampler.generate(first, count, settings.batchSize(), dst);
        }
        GeneratorSampler sampler = new GeneratorSampler(model);
        return (first, count, dst) -> sampler.generate(settings.seed(), first, count, settings.batchSize(), dst);
    }

    public Settings settings() {
        return settings;
    }

    /** Evaluates {@code student}, and its fidelity to {@code teacherOrNull} when that is not null. */
    public QualityReport evaluate(Source student, Source teacherOrNull, Progress progress) {
        Progress p = progress == null ? Progress.NONE : progress;
        checkCompatible(student, teacherOrNull);
        ReferenceSet ref = referenceSet(p);
        Draw sampler = draw(student.model());
        Draw teacherSampler = teacherOrNull == null ? null : draw(teacherOrNull.model());
        int n = pairedInputs == null ? settings.samples() : Math.min(settings.samples(), pairedInputs.size());
        int d = evaluator.featureDimension();
        int batch = settings.batchSize();
        Shape image = evaluator.inputShape();
        int size = image.size();
        float[] features = new float[n * d];
        int classes = pairedInputs == null ? new GeneratorSampler(student.model()).numClasses() : 0;
        double gtPsnrSum = 0;
        double gtSsimSum = 0;
        double gtL2Sum = 0;
        float[] truth = pairedInputs == null ? null : new float[batch * size];
        long correct = 0;
        double psnrSum = 0;
        double ssimSum = 0;
        double l2Sum = 0;
        boolean ssimDefined = image.height() >= ImageFidelity.WINDOW && image.width() >= ImageFidelity.WINDOW;
        float[] images = new float[batch * size];
        float[] teacherImages = teacherSampler == null ? null : new float[batch * size];
        p.start("generate + embed", n);
        for (int first = 0; first < n; first += batch) {
            int count = Math.min(batch, n - first);
            float[] out = count == batch ? images : new float[count * size];
            sampler.generate(first, count, out);
            DomainEvaluator.FeatureSet f = evaluator.embed(out, count, count, null);
            if (truth != null) {
                float[] t = count == batch ? truth : new float[count * size];
                for (int i = 0; i < count; i++) {
                    reference.copyImage(first + i, t, i * size);
                }
                DomainEvaluator.FeatureSet tf = evaluator.embed(t, count, count, null);
                int c = image.channels();
                gtPsnrSum += count * ImageFidelity.psnr(out, t, count, c, image.height(), image.width());
                if (ssimDefined) {
                    gtSsimSum += count * ImageFidelity.ssim(out, t, count, c, image.height(), image.width());
                }
                gtL2Sum += featureDistanceSum(f.features(), tf.features(), count, d);
            }
            System.arraycopy(f.features(), 0, features, first * d, count * d);
            for (int i = 0; i < count && classes > 0; i++) {
                if (f.predictedClasses()[i] == GeneratorSampler.labelFor(first + i, classes)) {
                    correct++;
                }
            }
            if (teacherSampler != null) {
                float[] t = count == batch ? teacherImages : new float[count * size];
                teacherSampler.generate(first, count, t);
                DomainEvaluator.FeatureSet tf = evaluator.embed(t, count, count, null);
                int c = image.channels();
                psnrSum += count * ImageFidelity.psnr(out, t, count, c, image.height(), image.width());
                if (ssimDefined) {
                    ssimSum += count * ImageFidelity.ssim(out, t, count, c, image.height(), image.width());
                }
                l2Sum += featureDistanceSum(f.features(), tf.features(), count, d);
            }
            p.step(first + count);
        }
        p.finish();
        GaussianStats generated = GaussianStats.of(features, n, d);
        double fid = FrechetDistance.between(ref.stats(), generated);
        ReferenceFeatures real = ref.features();
        KernelDistance.Result kid = KernelDistance.between(real.features(), real.count(), features, n, d,
                settings.kidSubsets(), settings.kidSubsetSize(), settings.seed());
        PrecisionRecall.Result pr = PrecisionRecall.between(real.features(), real.count(), features, n, d,
                settings.k());
        QualityReport.Fidelity fidelity = teacherSampler == null ? null
                : new QualityReport.Fidelity(psnrSum / n, ssimDefined ? ssimSum / n : Double.NaN, l2Sum / n);
        Double accuracy = classes > 0 ? (double) correct / n : null;
        QualityReport.Cost cost = QualityReport.Cost.of(CostModel.of(student.model(), costOptions));
        int subsetSize = Math.min(settings.kidSubsetSize(), Math.min(real.count(), n));
        QualityIntervals intervals = settings.intervalGroups() == 0 ? null
                : SampleIntervals.compute(real.features(), real.count(), ref.stats(), features, n, generated, d,
                settings.k(),
                settings.intervalGroups());
        return new QualityReport(student.model().name(), student.file(), student.sha256(),
                teacherOrNull == null ? null : teacherOrNull.file(),
                teacherOrNull == null ? null : teacherOrNull.sha256(),
                new QualityReport.Evaluator(evaluator.source(), evaluator.sha256(), evaluator.featureLayer(), d,
                        evaluator.recordedTestAccuracy()),
                new QualityReport.Reference(reference.description(), reference.contentHash(), real.count()), n,
                settings.seed(), fid, kid.mean(), kid.std(), settings.kidSubsets(), subsetSize, pr.precision(),
                pr.recall(), settings.k(), intervals, fidelity, accuracy, cost,
                truth == null ? null : new QualityReport.Fidelity(gtPsnrSum / n,
                        ssimDefined ? gtSsimSum / n : Double.NaN, gtL2Sum / n));
    }

    /**
     * Whether {@code report} is what {@link #evaluate} would return for these sources now: same model and teacher
     * bytes, same evaluator, reference set and settings. Lets a resumed comparison reuse earlier evaluations.
     */
    public boolean reproduces(QualityReport report, Source student, Source teacherOrNull) {
        int n = Math.min(settings.referenceCount(), reference.size());
        return report.modelSha256().equals(student.sha256())
                && java.util.Objects.equals(report.teacherSha256(), teacherOrNull == null ? null : teacherOrNull.sha256())
                && report.evaluator().sha256().equals(evaluator.sha256())
                && report.evaluator().layer().equals(evaluator.featureLayer())
                && report.reference().sha256().equals(reference.contentHash()) && report.reference().count() == n
                && report.generatedSamples() == (pairedInputs == null ? settings.samples()
                        : Math.min(settings.samples(), pairedInputs.size())) && report.seed() == settings.seed()
                && report.k() == settings.k() && report.kidSubsets() == settings.kidSubsets()
                && (report.intervals() == null ? 0 : report.intervals().groups()) == settings.intervalGroups()
                && report.cost().energySource().equals(costOptions.energy().source());
    }

    /**
     * The real set's features and statistics: from the cache when present and valid, else computed and cached.
     * A missing file is recomputed; a corrupt or foreign one is an error unless {@link Settings#refresh()}.
     */
    public ReferenceSet referenceSet(Progress progress) {
        int n = Math.min(settings.referenceCount(), reference.size());
        if (n < 2) {
            throw new GanCompressException("reference set " + reference.description() + " has " + reference.size()
                    + " images, need at least 2");
        }
        String key = ReferenceStatsCache.key(reference.contentHash(), evaluator.sha256(), evaluator.featureLayer(), n);
        Path featureFile = ReferenceFeatures.fileFor(settings.cacheDir(), key);
        ReferenceFeatures features;
        if (!settings.refresh() && Files.exists(featureFile)) {
            features = refreshHint(() -> ReferenceFeatures.load(featureFile, key));
        } else {
            progress.start("embed reference", n);
            DomainEvaluator.FeatureSet f = evaluator.embed(reference, n, settings.batchSize(), progress::step);
            progress.finish();
            features = new ReferenceFeatures(f.features(), n, f.dimension());
            features.save(featureFile, key);
        }
        ReferenceFeatures finalFeatures = features;
        GaussianStats stats = refreshHint(() -> cache.getOrCompute(settings.cacheDir(), key,
                () -> rows(finalFeatures), settings.refresh()));
        return new ReferenceSet(features, stats, key);
    }

    private void checkCompatible(Source student, Source teacher) {
        if (pairedInputs != null) {
            checkPaired(student, "model");
            if (teacher != null) {
                checkPaired(teacher, "teacher");
                if (!teacher.model().outputShape().equals(student.model().outputShape())) {
                    throw new GanCompressException("teacher " + teacher.file() + " outputs "
                            + teacher.model().outputShape() + " but model " + student.file() + " outputs "
                            + student.model().outputShape() + ": fidelity needs the same image shape");
                }
            }
            return;
        }
        Shape out = student.model().outputShape();
        if (!out.equals(evaluator.inputShape())) {
            throw new GanCompressException("generator " + student.file() + " outputs images " + out + " but evaluator "
                    + evaluator.source() + " expects " + evaluator.inputShape()
                    + "; use an evaluator trained on this image shape (gancompress train-evaluator)");
        }
        if (student.model().input(Input.Kind.LATENT) == null) {
            throw new GanCompressException("model " + student.file() + " has no latent input: not a generator");
        }
        int classes = new GeneratorSampler(student.model()).numClasses();
        if (classes > 0 && classes != evaluator.numClasses()) {
            throw new GanCompressException("generator " + student.file() + " is conditioned on " + classes
                    + " classes but evaluator " + evaluator.source() + " classifies " + evaluator.numClasses());
        }
        if (teacher == null) {
            return;
        }
        Input z = student.model().input(Input.Kind.LATENT);
        Input tz = teacher.model().input(Input.Kind.LATENT);
        Input label = student.model().input(Input.Kind.LABEL);
        Input tLabel = teacher.model().input(Input.Kind.LABEL);
        if (tz == null || !tz.shape().equals(z.shape()) || !teacher.model().outputShape().equals(out)
                || (label == null) != (tLabel == null)
                || (label != null && label.numClasses() != tLabel.numClasses())) {
            throw new GanCompressException("teacher " + teacher.file() + " (latent " + (tz == null ? "none" : tz.shape())
                    + ", classes " + (tLabel == null ? 0 : tLabel.numClasses()) + ", output "
                    + teacher.model().outputShape() + ") does not match generator " + student.file() + " (latent "
                    + z.shape() + ", classes " + (label == null ? 0 : label.numClasses()) + ", output " + out
                    + "): fidelity needs the same latent codes, labels and image shape");
        }
    }

    private void checkPaired(Source source, String role) {
        Model m = source.model();
        Input in = m.input(Input.Kind.IMAGE);
        if (in == null || m.input(Input.Kind.LATENT) != null) {
            throw new GanCompressException(role + " " + source.file() + " is not an image-to-image model (it needs one "
                    + "image input and no latent input) but the evaluation data are pairs");
        }
        Shape want = new Shape(new int[] {pairedInputs.channels(), pairedInputs.height(), pairedInputs.width()});
        if (!in.shape().equals(want)) {
            throw new GanCompressException(role + " " + source.file() + " reads images " + in.shape()
                    + " but the paired inputs are " + want);
        }
        Shape out = m.outputShape();
        Shape e = evaluator.inputShape();
        if (out.rank() != 3 || out.channels() != e.channels() || out.height() < e.height() || out.width() < e.width()) {
            throw new GanCompressException(role + " " + source.file() + " outputs " + out + " but evaluator "
                    + evaluator.source() + " reads " + e + " (outputs may be larger: they are centre-cropped)");
        }
    }

    /** Sum over samples of the Euclidean distance between two row-major feature sets. */
    static double featureDistanceSum(float[] a, float[] b, int n, int d) {
        double total = 0;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = i * d; j < (i + 1) * d; j++) {
                double diff = (double) a[j] - b[j];
                s += diff * diff;
            }
            total += Math.sqrt(s);
        }
        return total;
    }

    private static float[][] rows(ReferenceFeatures f) {
        float[][] r = new float[f.count()][];
        for (int i = 0; i < f.count(); i++) {
            r[i] = java.util.Arrays.copyOfRange(f.features(), i * f.dimension(), (i + 1) * f.dimension());
        }
        return r;
    }

    private <T> T refreshHint(java.util.function.Supplier<T> load) {
        try {
            return load.get();
        } catch (GanCompressException e) {
            throw new GanCompressException("cached reference statistics are unusable: " + e.getMessage()
                    + "; run again with --refresh to recompute them", e);
        }
    }
}
