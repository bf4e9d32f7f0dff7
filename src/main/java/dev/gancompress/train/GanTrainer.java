package dev.gancompress.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gancompress.GanCompressException;
import dev.gancompress.data.BatchSampler;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Input;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.nn.Adam;
import dev.gancompress.nn.Initializer;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Adversarial training of a generator against a discriminator on the engine, with exact resume.
 *
 * <p>Each step: the generator makes a batch from fresh latent codes (drawn from a stream seeded by
 * (seed, step)) and the real batch's labels; the discriminator takes one Adam step on real and fake batches
 * (kept separate, as DCGAN does, so batch normalisation never mixes them); then the generator takes one step
 * on the adversarial loss plus any extra {@link GeneratorLossTerm}s. A frozen discriminator skips its update
 * (distillation against a fixed teacher critic).
 *
 * <p>The trainer copies nothing of the caller's models: it trains them in place and checkpoints them.
 */
public final class GanTrainer {
    public static final String CHECKPOINT_FILE = "checkpoint.bin";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainingConfig config;
    private final List<TrainingHook> hooks = new ArrayList<>();
    private final List<GeneratorLossTerm> terms = new ArrayList<>();
    private boolean discriminatorFrozen;
    private float adversarialWeight = 1f;

    public GanTrainer(TrainingConfig config) {
        this.config = config;
    }

    public GanTrainer addHook(TrainingHook hook) {
        hooks.add(hook);
        return this;
    }

    public GanTrainer addGeneratorTerm(GeneratorLossTerm term) {
        terms.add(term);
        return this;
    }

    public GanTrainer freezeDiscriminator(boolean frozen) {
        this.discriminatorFrozen = frozen;
        return this;
    }

    public GanTrainer adversarialWeight(float weight) {
        if (weight < 0 || !Float.isFinite(weight)) {
            throw new GanCompressException("adversarial weight must be a finite number >= 0, got " + weight);
        }
        this.adversarialWeight = weight;
        return this;
    }

    /** The summary of a finished (or step-limited) run. */
    public record Result(long steps, long stepsThisRun, double seconds, double imagesPerSecond, boolean finished,
                         boolean stoppedEarly) {
    }

    /** Fresh DCGAN initialisation of both models from the run's seed. */
    public void initialise(Model generator, Model discriminator) {
        Initializer.dcgan(generator, config.seed());
        Initializer.dcgan(discriminator, config.seed() + 1);
    }

    public Result run(Model generator, Model discriminator, ImageDataset data, Path runDir, boolean resume) {
        checkCompatible(generator, discriminator, data);
        Network g = new Network(generator);
        Network d = new Network(discriminator);
        Adam adamG = new Adam(g.parameters(), new Adam.Settings(config.generatorLearningRate(), config.beta1(),
                config.beta2(), 1e-8, 0));
        Adam adamD = new Adam(d.parameters(), new Adam.Settings(config.discriminatorLearningRate(), config.beta1(),
                config.beta2(), 1e-8, 0));
        BatchSampler sampler = new BatchSampler(data, config.batchSize(), config.seed(), true);
        int perEpoch = sampler.batchesPerEpoch();
        if (perEpoch < 1) {
            throw new GanCompressException("dataset " + data.description() + " has " + data.size()
                    + " images, fewer than one batch of " + config.batchSize());
        }
        Path checkpointFile = runDir.resolve(CHECKPOINT_FILE);
        long step = 0;
        int startEpoch = 0;
        int startBatch = 0;
        if (resume && Files.exists(checkpointFile)) {
            Checkpoint ck = Checkpoint.read(checkpointFile);
            checkSameRun(ck, checkpointFile);
            restore(ck, generator, discriminator, adamG, adamD, checkpointFile);
            step = ck.step();
            startEpoch = ck.epoch();
            startBatch = ck.nextBatch();
        }
        long total = (long) config.epochs() * perEpoch;
        if (config.maxSteps() > 0) {
            total = Math.min(total, config.maxSteps());
        }
        for (TrainingHook h : hooks) {
            h.onStart(step, total);
        }
        if (startEpoch > 0 && startBatch == 0) {
            for (TrainingHook h : hooks) {
                h.onResumeAfterEpoch(startEpoch - 1, step);
            }
        }
        Input latent = generator.input(Input.Kind.LATENT);
        Input gLabel = generator.input(Input.Kind.LABEL);
        Input dImage = discriminator.input(Input.Kind.IMAGE);
        Input dLabel = discriminator.input(Input.Kind.LABEL);
        int batch = config.batchSize();
        int imageSize = data.imageSize();
        float[] real = new float[batch * imageSize];
        int[] labels = new int[batch];
        float[] labelFloats = new float[batch];
        float[] z = new float[batch * latent.shape().size()];
        Tensor zTensor = new Tensor(new int[] {batch, latent.shape().size()}, z);
        Tensor labelTensor = new Tensor(new int[] {batch}, labelFloats);
        int[] imageShape = {batch, data.channels(), data.height(), data.width()};
        Tensor realTensor = new Tensor(imageShape, real);
        float[] dGrad = new float[batch];
        Tensor dGradTensor = new Tensor(new int[] {batch, 1}, dGrad);
        Map<String, Tensor> gInputs = new HashMap<>();
        gInputs.put(latent.name(), zTensor);
        if (gLabel != null) {
            gInputs.put(gLabel.name(), labelTensor);
        }
        Map<String, Tensor> dInputs = new HashMap<>();
        if (dLabel != null) {
            dInputs.put(dLabel.name(), labelTensor);
        }
        long started = System.nanoTime();
        long stepsThisRun = 0;
        Map<String, float[]> extraGrads = new HashMap<>();
        float[] outGrad = new float[batch * generator.outputShape().size()];
        for (int epoch = startEpoch; epoch < config.epochs(); epoch++) {
            if (stopRequested()) {
                return finish(step, stepsThisRun, started, true, true);
            }
            for (int b = epoch == startEpoch ? startBatch : 0; b < perEpoch; b++) {
                if (config.maxSteps() > 0 && step >= config.maxSteps()) {
                    saveCheckpoint(checkpointFile, generator, discriminator, adamG, adamD, step, epoch, b);
                    return finish(step, stepsThisRun, started, false);
                }
                sampler.fill(epoch, b, real, labels);
                for (int i = 0; i < batch; i++) {
                    labelFloats[i] = labels[i];
                }
                latentNoise(config.seed(), step, z);
                Map<String, Double> losses = new LinkedHashMap<>();
                double lrScale = learningRateScale(step);
                Tensor fake = g.forward(gInputs, true);
                if (!discriminatorFrozen) {
                    d.zeroGradients();
                    dInputs.put(dImage.name(), realTensor);
                    losses.put("d_real", config.loss().discriminatorReal(d.forward(dInputs, true).data(), dGrad));
                    d.backward(dGradTensor, true);
                    dInputs.put(dImage.name(), fake);
                    losses.put("d_fake", config.loss().discriminatorFake(d.forward(dInputs, true).data(), dGrad));
                    d.backward(dGradTensor, true);
                    adamD.step(config.discriminatorLearningRate() * lrScale);
                }
                java.util.Arrays.fill(outGrad, 0f);
                if (adversarialWeight > 0) {
                    dInputs.put(dImage.name(), fake);
                    losses.put("g_adv", config.loss().generator(d.forward(dInputs, !discriminatorFrozen).data(),
                            dGrad, adversarialWeight));
                    d.backward(dGradTensor, false);
                    float[] fromD = d.inputGradient(dImage.name()).data();
                    System.arraycopy(fromD, 0, outGrad, 0, outGrad.length);
                }
                extraGrads.clear();
                for (GeneratorLossTerm term : terms) {
                    losses.put(term.name(), term.apply(g, gInputs, fake, outGrad, extraGrads, step));
                }
                step++;
                stepsThisRun++;
                for (Map.Entry<String, Double> e : losses.entrySet()) {
                    if (!Double.isFinite(e.getValue())) {
                        throw new GanCompressException("training diverged: loss '" + e.getKey() + "' is "
                                + e.getValue() + " at step " + step + " (epoch " + (epoch + 1) + ", batch " + (b + 1)
                                + "); the last good checkpoint " + checkpointFile + " is kept");
                    }
                }
                g.zeroGradients();
                g.backward(new Tensor(fake.shape(), outGrad), extraGrads, true);
                adamG.step(config.generatorLearningRate() * lrScale);
                for (GeneratorLossTerm term : terms) {
                    term.afterStep(step);
                }
                StepResult result = new StepResult(step, epoch, b, perEpoch, losses, batch);
                for (TrainingHook h : hooks) {
                    h.onStep(result);
                }
                if (config.checkpointEverySteps() > 0 && step % config.checkpointEverySteps() == 0
                        && b + 1 < perEpoch) {
                    saveCheckpoint(checkpointFile, generator, discriminator, adamG, adamD, step, epoch, b + 1);
                }
            }
            saveCheckpoint(checkpointFile, generator, discriminator, adamG, adamD, step, epoch + 1, 0);
            for (TrainingHook h : hooks) {
                h.onEpochEnd(epoch, step);
            }
        }
        return finish(step, stepsThisRun, started, true, stopRequested());
    }

    private double learningRateScale(long step) {
        double scale = 1.0;
        for (TrainingHook h : hooks) {
            scale *= h.learningRateScale(step);
        }
        return scale;
    }

    private boolean stopRequested() {
        for (TrainingHook h : hooks) {
            if (h.stopRequested()) {
                return true;
            }
        }
        return false;
    }

    private Result finish(long step, long stepsThisRun, long started, boolean finished) {
        return finish(step, stepsThisRun, started, finished, false);
    }

    private Result finish(long step, long stepsThisRun, long started, boolean finished, boolean stoppedEarly) {
        double seconds = (System.nanoTime() - started) / 1e9;
        for (TrainingHook h : hooks) {
            h.onFinish(step);
        }
        return new Result(step, stepsThisRun, seconds, stepsThisRun * config.batchSize() / Math.max(seconds, 1e-9),
                finished, stoppedEarly);
    }

    /** Standard normal latent codes for one step; the stream depends on (seed, step) only. */
    public static void latentNoise(long seed, long step, float[] z) {
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + 1);
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) Initializer.gaussian(rnd);
        }
    }

    private void checkCompatible(Model generator, Model discriminator, ImageDataset data) {
        if (generator.input(Input.Kind.LATENT) == null) {
            throw new GanCompressException("generator " + generator.name() + " has no latent input");
        }
        Input image = discriminator.input(Input.Kind.IMAGE);
        if (image == null) {
            throw new GanCompressException("discriminator " + discriminator.name() + " has no image input");
        }
        int[] want = {data.channels(), data.height(), data.width()};
        if (!java.util.Arrays.equals(image.shape().dims(), want)
                || !java.util.Arrays.equals(generator.outputShape().dims(), want)) {
            throw new GanCompressException("dataset " + data.description() + " has images "
                    + java.util.Arrays.toString(want) + ", but the generator makes " + generator.outputShape()
                    + " and the discriminator expects " + image.shape());
        }
        boolean conditional = generator.input(Input.Kind.LABEL) != null;
        if (conditional && data.numClasses() < generator.input(Input.Kind.LABEL).numClasses()) {
            throw new GanCompressException("the conditional generator needs labels of "
                    + generator.input(Input.Kind.LABEL).numClasses() + " classes, but dataset "
                    + data.description() + " has " + data.numClasses());
        }
    }

    private String configKey() {
        ObjectNode node = JSON.valueToTree(config);
        node.remove("epochs");
        node.remove("maxSteps");
        return node.toString();
    }

    private void checkSameRun(Checkpoint ck, Path file) {
        if (!ck.configJson().equals(configKey())) {
            throw new GanCompressException("checkpoint " + file + " belongs to a run with different settings "
                    + ck.configJson() + "; this run has " + configKey()
                    + " (only epochs and max-steps may change on resume)");
        }
    }

    private void saveCheckpoint(Path file, Model generator, Model discriminator, Adam adamG, Adam adamD, long step,
                                int epoch, int nextBatch) {
        Map<String, float[]> tensors = new LinkedHashMap<>();
        putWeights(tensors, "G/", generator);
        putWeights(tensors, "D/", discriminator);
        putMoments(tensors, "adamG/", adamG);
        putMoments(tensors, "adamD/", adamD);
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("adamG.step", adamG.stepCount());
        counters.put("adamD.step", adamD.stepCount());
        new Checkpoint(configKey(), step, epoch, nextBatch, counters, tensors).write(file);
        for (TrainingHook h : hooks) {
            h.onCheckpoint(file, step);
        }
    }

    private static void putWeights(Map<String, float[]> tensors, String prefix, Model model) {
        for (Node n : model.nodes()) {
            for (WeightSlot slot : n.layer().weights()) {
                tensors.put(prefix + n.name() + "." + slot.role(), slot.weights().data());
            }
        }
    }

    private static void putMoments(Map<String, float[]> tensors, String prefix, Adam adam) {
        float[][] m = adam.firstMoments();
        float[][] v = adam.secondMoments();
        for (int i = 0; i < m.length; i++) {
            tensors.put(prefix + "m" + i, m[i]);
            tensors.put(prefix + "v" + i, v[i]);
        }
    }

    private static void restore(Checkpoint ck, Model generator, Model discriminator, Adam adamG, Adam adamD,
                                Path file) {
        restoreWeights(ck, "G/", generator, file);
        restoreWeights(ck, "D/", discriminator, file);
        restoreMoments(ck, "adamG/", adamG, ck.counters().getOrDefault("adamG.step", 0L), file);
        restoreMoments(ck, "adamD/", adamD, ck.counters().getOrDefault("adamD.step", 0L), file);
    }

    private static void restoreWeights(Checkpoint ck, String prefix, Model model, Path file) {
        for (Node n : model.nodes()) {
            for (WeightSlot slot : n.layer().weights()) {
                String key = prefix + n.name() + "." + slot.role();
                float[] src = ck.tensors().get(key);
                float[] dst = slot.weights().data();
                if (src == null || src.length != dst.length) {
                    throw new GanCompressException("checkpoint " + file + " does not match the model: tensor '" + key
                            + "' is " + (src == null ? "missing" : "of length " + src.length) + ", expected "
                            + dst.length + " values");
                }
                System.arraycopy(src, 0, dst, 0, dst.length);
            }
        }
    }

    private static void restoreMoments(Checkpoint ck, String prefix, Adam adam, long stepCount, Path file) {
        int count = adam.firstMoments().length;
        float[][] m = new float[count][];
        float[][] v = new float[count][];
        for (int i = 0; i < count; i++) {
            m[i] = ck.tensors().get(prefix + "m" + i);
            v[i] = ck.tensors().get(prefix + "v" + i);
            if (m[i] == null || v[i] == null) {
                throw new GanCompressException("checkpoint " + file + " lacks optimiser state " + prefix + i);
            }
        }
        try {
            adam.restore(stepCount, m, v);
        } catch (IllegalArgumentException e) {
            throw new GanCompressException("checkpoint " + file + ": " + e.getMessage());
        }
    }

}
