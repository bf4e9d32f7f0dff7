package dev.gancompress.metrics;

import dev.gancompress.Digests;

import dev.gancompress.GanCompressException;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Activation;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.nn.Initializer;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Parallel;
import dev.gancompress.nn.Tensor;
import dev.gancompress.onnx.OnnxImporter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * The feature extractor behind FID, KID and precision/recall on small grayscale images. Inception-v3 features
 * are meaningless on 28 x 28 Fashion-MNIST (and its weights cannot be downloaded here), so, as MNIST-scale GAN
 * papers do with a LeNet ("Frechet LeNet Distance"), a small CNN classifier is trained on the domain itself
 * and one fixed layer of it is the embedding.
 *
 * <p>Architecture (no pooling layer in the IR, so strided convolutions downsample):
 * conv 3x3 to 32 -> ReLU -> conv 4x4/2 to 64 -> BN -> ReLU -> conv 4x4/2 to 64 -> BN -> ReLU -> flatten ->
 * Linear to 128 ("features") -> ReLU -> Linear to the classes ("logits").
 *
 * <p>The embedding is the output of the "features" Linear layer, before its ReLU. After the ReLU a sizeable
 * share of the 128 units is exactly zero for most images, which makes the feature covariance close to
 * singular (FID's matrix square root then depends on the stabilising offset) and the features far from the
 * Gaussian that FID assumes; the pre-activation values are dense, and carry the same information since the
 * classifier head reads nothing else.
 *
 * <p>After training, the feature layer is rescaled to unit root-mean-square over the training images
 * ({@link #normaliseFeatureScale}): KID's cubic kernel (x.y / d + 1)^3 was designed for Inception features of
 * order 1, and on raw features with an RMS of 7.5 its estimates are dominated by the variance of kernel values
 * near 10^5. The factor is folded into the weights, so the file itself produces the normalised features.
 */
public final class DomainEvaluator {
    public static final String INPUT = "image";
    public static final String FEATURE_LAYER = "features";
    public static final String LOGITS = "logits";
    /** ONNX metadata keys written by {@code train-evaluator}. */
    public static final String META_ROLE = "role";
    public static final String ROLE = "evaluator";
    public static final String META_FEATURE_LAYER = "evaluator.feature_layer";
    /** The factor the feature layer was divided by to reach unit RMS (provenance only: it is in the weights). */
    public static final String META_FEATURE_SCALE = "evaluator.feature_scale";
    public static final String META_TEST_ACCURACY = "evaluator.test_accuracy";
    public static final String META_TEST_SET = "evaluator.test_set";
    public static final String META_TEST_SET_HASH = "evaluator.test_set_sha256";
    public static final int FEATURE_DIM = 128;

    private final Model model;
    private final String featureLayer;
    private final String source;
    private final String sha256;
    private final Network network;
    private final int numClasses;

    /**
     * @param source where the model came from (a file name), for messages and reports
     * @param sha256 the SHA-256 of the evaluator file: what a report names and reference statistics are keyed by
     */
    public DomainEvaluator(Model model, String featureLayer, String source, String sha256) {
        Input image = model.input(Input.Kind.IMAGE);
        if (image == null || model.inputs().size() != 1) {
            throw new GanCompressException("evaluator " + source + ": expected exactly one image input, has "
                    + model.inputs());
        }
        if (!model.shapes().containsKey(featureLayer)) {
            throw new GanCompressException("evaluator " + source + ": feature layer '" + featureLayer
                    + "' is not a value of the model");
        }
        if (model.outputShape().rank() != 1 || model.outputShape().dim(0) < 2) {
            throw new GanCompressException("evaluator " + source + ": output must be class logits [K >= 2], is "
                    + model.outputShape());
        }
        this.model = model;
        this.featureLayer = featureLayer;
        this.source = source;
        this.sha256 = sha256;
        this.network = new Network(model);
        this.numClasses = model.outputShape().dim(0);
    }

    /** Reads an evaluator ONNX file; the feature layer comes from its metadata (default "features"). */
    public static DomainEvaluator load(Path file) {
        Model m = OnnxImporter.read(file);
        String layer = m.metadata().getOrDefault(META_FEATURE_LAYER, FEATURE_LAYER);
        return new DomainEvaluator(m, layer, file.toString(), Digests.sha256(file));
    }

    /** The untrained classifier for channels x height x width images and {@code classes} classes. */
    public static Model architecture(int channels, int height, int width, int classes) {
        if (channels < 1 || height < 8 || width < 8 || classes < 2) {
            throw new GanCompressException("evaluator: need images of at least 8 x 8 and at least 2 classes, got "
                    + channels + " x " + height + " x " + width + " and " + classes + " classes");
        }
        List<Node> nodes = new ArrayList<>();
        Kernel2d down = Kernel2d.square(4, 2, 1);
        nodes.add(Node.of("conv1", Conv2d.create(channels, 32, Kernel2d.square(3, 1, 1), true), INPUT));
        nodes.add(Node.of("conv1_act", Activation.relu(), "conv1"));
        nodes.add(Node.of("conv2", Conv2d.create(32, 64, down, false), "conv1_act"));
        nodes.add(Node.of("conv2_bn", BatchNorm2d.create(64), "conv2"));
        nodes.add(Node.of("conv2_act", Activation.relu(), "conv2_bn"));
        nodes.add(Node.of("conv3", Conv2d.create(64, 64, down, false), "conv2_act"));
        nodes.add(Node.of("conv3_bn", BatchNorm2d.create(64), "conv3"));
        nodes.add(Node.of("conv3_act", Activation.relu(), "conv3_bn"));
        int h = down.convOutH(down.convOutH(height));
        int w = down.convOutW(down.convOutW(width));
        int flat = 64 * h * w;
        nodes.add(Node.of("flatten", new Reshape(Shape.of(flat)), "conv3_act"));
        nodes.add(Node.of(FEATURE_LAYER, Linear.create(flat, FEATURE_DIM, true), "flatten"));
        nodes.add(Node.of("features_act", Activation.relu(), FEATURE_LAYER));
        nodes.add(Node.of(LOGITS, Linear.create(FEATURE_DIM, classes, true), "features_act"));
        return new Model("domain-evaluator", List.of(Input.image(INPUT, channels, height, width)), nodes, LOGITS,
                Map.of(META_ROLE, ROLE, META_FEATURE_LAYER, FEATURE_LAYER));
    }

    /**
     * He initialisation (He et al. 2015, "Delving Deep into Rectifiers"): weights ~ N(0, 2 / fan_in), the
     * variance that keeps activations from shrinking through ReLUs; biases 0, BN scale 1. Each node draws from
     * its own stream of the seed, as {@link Initializer#dcgan}.
     */
    public static void initialise(Model model, long seed) {
        int index = 0;
        for (Node node : model.nodes()) {
            SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + index++);
            boolean norm = node.layer() instanceof BatchNorm2d;
            for (WeightSlot slot : node.layer().weights()) {
                float[] d = slot.weights().data();
                if (slot.role().equals("weight") && !norm) {
                    int[] shape = slot.weights().shape();
                    long fanIn = slot.weights().size() / shape[0];
                    double std = Math.sqrt(2.0 / fanIn);
                    for (int i = 0; i < d.length; i++) {
                        d[i] = (float) (std * Initializer.gaussian(rnd));
                    }
                } else if (slot.role().equals("weight") || slot.role().equals("running_var")) {
                    java.util.Arrays.fill(d, 1f);
                } else {
                    java.util.Arrays.fill(d, 0f);
                }
            }
        }
    }

    /**
     * Rescales the "features" Linear of an {@link #architecture} model so that its outputs have unit RMS over the
     * first {@code count} images: its weight and bias are divided by s, the logits weight multiplied by s. ReLU
     * commutes with a positive factor, so the predicted classes do not change. Returns s.
     */
    public static double normaliseFeatureScale(Model model, ImageDataset images, int count) {
        FeatureSet f = new DomainEvaluator(model, FEATURE_LAYER, "(normalising)", "").embed(images,
                Math.min(count, images.size()), 250, null);
        double sum = 0;
        for (float v : f.features()) {
            sum += (double) v * v;
        }
        double s = Math.sqrt(sum / f.features().length);
        if (!(s > 0) || !Double.isFinite(s)) {
            throw new GanCompressException("evaluator: feature layer output is " + s + " on average, cannot normalise");
        }
        if (!(model.node(FEATURE_LAYER).layer() instanceof Linear features)
                || !(model.node(LOGITS).layer() instanceof Linear logits)) {
            throw new IllegalArgumentException("normaliseFeatureScale needs the evaluator architecture");
        }
        scale(features.weight().data(), 1 / s);
        scale(features.bias().data(), 1 / s);
        scale(logits.weight().data(), s);
        return s;
    }

    private static void scale(float[] values, double factor) {
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (values[i] * factor);
        }
    }

    /** Embeddings of a set of images: features (row-major count x dimension) and the predicted classes. */
    public record FeatureSet(float[] features, int count, int dimension, int[] predictedClasses) {
        public FeatureSet {
            if (features.length != (long) count * dimension || predictedClasses.length != count) {
                throw new IllegalArgumentException("feature set arrays do not match " + count + " x " + dimension);
            }
        }
    }

    public Model model() {
        return model;
    }

    public String featureLayer() {
        return featureLayer;
    }

    public String source() {
        return source;
    }

    public String sha256() {
        return sha256;
    }

    public Shape inputShape() {
        return model.input(Input.Kind.IMAGE).shape();
    }

    public int featureDimension() {
        return model.shape(featureLayer).size();
    }

    public int numClasses() {
        return numClasses;
    }

    /** The test accuracy recorded by train-evaluator, or NaN when the file does not say. */
    public double recordedTestAccuracy() {
        String v = model.metadata().get(META_TEST_ACCURACY);
        try {
            return v == null ? Double.NaN : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /**
     * Embeds n NCHW images (in [-1, 1]) in evaluation mode (BN running statistics), batch by batch.
     * {@code progress} receives the number of images done after each batch (may be null).
     */
    public synchronized FeatureSet embed(float[] images, int n, int batchSize, LongConsumer progress) {
        int size = inputShape().size();
        if (images.length != (long) n * size) {
            throw new IllegalArgumentException("images hold " + images.length + " floats, expected " + n + " x " + size);
        }
        int d = featureDimension();
        float[] features = new float[n * d];
        int[] predicted = new int[n];
        for (int start = 0; start < n; start += batchSize) {
            int count = Math.min(batchSize, n - start);
            float[] batch = new float[count * size];
            System.arraycopy(images, start * size, batch, 0, count * size);
            embedBatch(batch, count, features, start, predicted);
            if (progress != null) {
                progress.accept(start + count);
            }
        }
        return new FeatureSet(features, n, d, predicted);
    }

    /** Embeds the first {@code count} images of a dataset of the evaluator's input shape. */
    public synchronized FeatureSet embed(ImageDataset dataset, int count, int batchSize, LongConsumer progress) {
        requireShape(dataset);
        if (count < 1 || count > dataset.size()) {
            throw new GanCompressException("dataset " + dataset.description() + " has " + dataset.size()
                    + " images, cannot embed " + count);
        }
        int size = inputShape().size();
        int d = featureDimension();
        float[] features = new float[count * d];
        int[] predicted = new int[count];
        float[] batch = new float[batchSize * size];
        for (int start = 0; start < count; start += batchSize) {
            int n = Math.min(batchSize, count - start);
            int first = start;
            Parallel.forRange(n, 16, (s, e) -> {
                for (int i = s; i < e; i++) {
                    dataset.copyImage(first + i, batch, i * size);
                }
            });
            embedBatch(n == batchSize ? batch : java.util.Arrays.copyOf(batch, n * size), n, features, start,
                    predicted);
            if (progress != null) {
                progress.accept(start + n);
            }
        }
        return new FeatureSet(features, count, d, predicted);
    }

    /** Fraction of the first {@code count} images of a labelled dataset classified correctly. */
    public double accuracy(ImageDataset dataset, int count, int batchSize) {
        if (dataset.numClasses() != numClasses) {
            throw new GanCompressException("dataset " + dataset.description() + " has " + dataset.numClasses()
                    + " classes, evaluator " + source + " " + numClasses);
        }
        FeatureSet f = embed(dataset, count, batchSize, null);
        int correct = 0;
        for (int i = 0; i < count; i++) {
            if (f.predictedClasses()[i] == dataset.label(i)) {
                correct++;
            }
        }
        return (double) correct / count;
    }

    public void requireShape(ImageDataset dataset) {
        Shape s = Shape.of(dataset.channels(), dataset.height(), dataset.width());
        if (!s.equals(inputShape())) {
            throw new GanCompressException("dataset " + dataset.description() + " has images " + s + " but evaluator "
                    + source + " expects " + inputShape());
        }
    }

    private void embedBatch(float[] batch, int n, float[] features, int first, int[] predicted) {
        Shape in = inputShape();
        int[] shape = {n, in.channels(), in.height(), in.width()};
        Tensor logits = network.forward(Map.of(INPUT, new Tensor(shape, batch)), false);
        float[] f = network.value(featureLayer).data();
        int d = featureDimension();
        System.arraycopy(f, 0, features, first * d, n * d);
        float[] l = logits.data();
        for (int i = 0; i < n; i++) {
            predicted[first + i] = argmax(l, i * numClasses, numClasses);
        }
    }

    static int argmax(float[] v, int offset, int length) {
        int best = 0;
        for (int c = 1; c < length; c++) {
            if (v[offset + c] > v[offset + best]) {
                best = c;
            }
        }
        return best;
    }
}
