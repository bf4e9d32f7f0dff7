package dev.gancompress.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.GanCompressException;
import dev.gancompress.data.BatchSampler;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.nn.Adam;
import dev.gancompress.nn.Losses;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.train.Checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trains a {@link DomainEvaluator} classifier on the engine: softmax cross-entropy, Adam, a cosine learning-rate
 * decay to zero over the run (Loshchilov and Hutter 2017, without restarts), batches from a seeded
 * {@link BatchSampler}. Everything stochastic derives from the seed, so a run is reproducible, and a checkpoint
 * after every epoch (weights, running statistics, Adam moments) lets a killed run continue exactly.
 */
public final class EvaluatorTrainer {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Validated hyperparameters; the defaults reach about 91-92 % on Fashion-MNIST in 4 epochs. */
    public record Settings(int epochs, int batchSize, double learningRate, long seed, ClassifierArchitecture arch) {
        public Settings {
            if (epochs < 1 || batchSize < 2 || !(learningRate > 0)) {
                throw new GanCompressException("evaluator training: epochs >= 1, batch size >= 2 and learning rate "
                        + "> 0 are required, got " + epochs + ", " + batchSize + ", " + learningRate);
            }
            arch = arch == null ? ClassifierArchitecture.STANDARD : arch;
        }

        /** The standard (evaluator) architecture. */
        public Settings(int epochs, int batchSize, double learningRate, long seed) {
            this(epochs, batchSize, learningRate, seed, ClassifierArchitecture.STANDARD);
        }

        public static Settings defaults() {
            return new Settings(4, 128, 2e-3, 1);
        }

        String toJson() {
            try {
                return JSON.writeValueAsString(this);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("settings always serialise", e);
            }
        }
    }

    /** Callbacks with empty defaults, for progress bars and logs. */
    public interface Listener {
        default void onStart(long firstStep, long totalSteps) {
        }

        default void onStep(long step, int epoch, double loss) {
        }

        default void onEpochEnd(int epoch, double meanLoss, double testAccuracy, double seconds) {
        }

        default void onFinish() {
        }
    }

    /**
     * The trained model, its accuracy on the test set, the factor its feature layer was divided by
     * ({@link DomainEvaluator#normaliseFeatureScale}) and the time per epoch of this run.
     */
    public record Result(Model model, double testAccuracy, double featureScale, double lastEpochLoss,
                         double secondsPerEpoch, int epochsThisRun) {
    }

    /** Training images the feature scale is measured on. */
    public static final int SCALE_IMAGES = 10_000;

    private final Settings settings;

    public EvaluatorTrainer(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Trains a fresh classifier for the training set's image shape and classes (or continues from
     * {@code checkpoint} when {@code resume} and the file exists) and measures it on {@code test}.
     *
     * @param checkpoint written after every epoch; may be null for no checkpoints
     */
    public Result train(ImageDataset train, ImageDataset test, Path checkpoint, boolean resume, Listener listener) {
        if (train.numClasses() < 2) {
            throw new GanCompressException("dataset " + train.description() + " is unlabelled: an evaluator is a "
                    + "classifier and needs at least 2 classes");
        }
        if (test.numClasses() != train.numClasses() || test.channels() != train.channels()
                || test.height() != train.height() || test.width() != train.width()) {
            throw new GanCompressException("test set " + test.description() + " does not match training set "
                    + train.description() + " in shape or classes");
        }
        Model model = settings.arch().build(train.channels(), train.height(), train.width(), train.numClasses());
        DomainEvaluator.initialise(model, settings.seed());
        Network network = new Network(model);
        Adam adam = new Adam(network.parameters(), new Adam.Settings(settings.learningRate(), 0.9, 0.999, 1e-8, 0));
        BatchSampler sampler = new BatchSampler(train, settings.batchSize(), settings.seed(), true);
        int perEpoch = sampler.batchesPerEpoch();
        long totalSteps = (long) perEpoch * settings.epochs();
        int firstEpoch = 0;
        if (resume && checkpoint != null && Files.exists(checkpoint)) {
            firstEpoch = restore(Checkpoint.read(checkpoint), model, adam, checkpoint);
        }
        Listener l = listener == null ? new Listener() { } : listener;
        l.onStart((long) firstEpoch * perEpoch, totalSteps);
        int size = train.imageSize();
        float[] images = new float[settings.batchSize() * size];
        int[] labels = new int[settings.batchSize()];
        int classes = train.numClasses();
        float[] gradLogits = new float[settings.batchSize() * classes];
        double accuracy = Double.NaN;
        double lastLoss = Double.NaN;
        double seconds = 0;
        int epochsRun = 0;
        for (int epoch = firstEpoch; epoch < settings.epochs(); epoch++) {
            long t0 = System.nanoTime();
            double lossSum = 0;
            for (int b = 0; b < perEpoch; b++) {
                long step = (long) epoch * perEpoch + b;
                int n = sampler.fill(epoch, b, images, labels);
                Tensor logits = network.forward(Map.of(DomainEvaluator.INPUT,
                        new Tensor(new int[] {n, train.channels(), train.height(), train.width()}, images)), true);
                double loss = Losses.softmaxCrossEntropy(logits.data(), classes, labels, gradLogits);
                network.zeroGradients();
                network.backward(new Tensor(new int[] {n, classes}, gradLogits), true);
                adam.step(learningRate(step, totalSteps));
                lossSum += loss;
                l.onStep(step + 1, epoch, loss);
            }
            lastLoss = lossSum / perEpoch;
            seconds += (System.nanoTime() - t0) / 1e9;
            epochsRun++;
            if (checkpoint != null) {
                save(checkpoint, model, adam, epoch + 1);
            }
            accuracy = new DomainEvaluator(model, DomainEvaluator.FEATURE_LAYER, "(training)", "")
                    .accuracy(test, test.size(), 500);
            l.onEpochEnd(epoch, lastLoss, accuracy, (System.nanoTime() - t0) / 1e9);
        }
        double scale = DomainEvaluator.normaliseFeatureScale(model, train, SCALE_IMAGES);
        accuracy = new DomainEvaluator(model, DomainEvaluator.FEATURE_LAYER, "(training)", "")
                .accuracy(test, test.size(), 500);
        l.onFinish();
        return new Result(model, accuracy, scale, lastLoss, epochsRun == 0 ? 0 : seconds / epochsRun, epochsRun);
    }

    /** Cosine decay from the base rate at step 0 to 0 after the last step. */
    double learningRate(long step, long totalSteps) {
        return settings.learningRate() * 0.5 * (1 + Math.cos(Math.PI * step / totalSteps));
    }

    private void save(Path file, Model model, Adam adam, int nextEpoch) {
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (Node n : model.nodes()) {
            for (WeightSlot slot : n.layer().weights()) {
                tensors.put(n.name() + "." + slot.role(), slot.weights().data());
            }
        }
        float[][] m = adam.firstMoments();
        float[][] v = adam.secondMoments();
        for (int i = 0; i < m.length; i++) {
            tensors.put("adam/m" + i, m[i]);
            tensors.put("adam/v" + i, v[i]);
        }
        new Checkpoint(settings.toJson(), adam.stepCount(), nextEpoch, 0, Map.of("adam.step", adam.stepCount()),
                tensors).write(file);
    }

    private int restore(Checkpoint ck, Model model, Adam adam, Path file) {
        if (!ck.configJson().equals(settings.toJson())) {
            throw new GanCompressException("checkpoint " + file + " belongs to a run with settings " + ck.configJson()
                    + ", this run has " + settings.toJson() + "; delete it or drop --resume");
        }
        for (Node n : model.nodes()) {
            for (WeightSlot slot : n.layer().weights()) {
                String key = n.name() + "." + slot.role();
                float[] src = ck.tensors().get(key);
                float[] dst = slot.weights().data();
                if (src == null || src.length != dst.length) {
                    throw new GanCompressException("checkpoint " + file + " does not match the evaluator: tensor '"
                            + key + "' is " + (src == null ? "missing" : "of length " + src.length) + ", expected "
                            + dst.length + " values");
                }
                System.arraycopy(src, 0, dst, 0, dst.length);
            }
        }
        int count = adam.firstMoments().length;
        float[][] m = new float[count][];
        float[][] v = new float[count][];
        for (int i = 0; i < count; i++) {
            m[i] = ck.tensors().get("adam/m" + i);
            v[i] = ck.tensors().get("adam/v" + i);
            if (m[i] == null || v[i] == null) {
                throw new GanCompressException("checkpoint " + file + " lacks optimiser state " + i);
            }
        }
        try {
            adam.restore(ck.counters().getOrDefault("adam.step", 0L), m, v);
        } catch (IllegalArgumentException e) {
            throw new GanCompressException("checkpoint " + file + ": " + e.getMessage(), e);
        }
        return ck.epoch();
    }
}
