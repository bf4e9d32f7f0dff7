package dev.gancompress.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gancompress.GanCompressException;
import dev.gancompress.data.BatchSampler;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.nn.Adam;
import dev.gancompress.nn.Initializer;
import dev.gancompress.nn.Losses;
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
 * <p>Image-to-image pairs (pix2pix, Isola et al. 2017): when the generator reads an image instead of a latent code,
 * the data are (input, target) pairs stacked along channels ({@code PairedDataset.stacked()}); the generator maps
 * the input, the discriminator judges (input, target) against (input, output), and the generator's objective adds
 * {@link #reconstructionWeight} times the mean absolute error to the target (pix2pix's lambda = 100).
 *
 * <p>Without a discriminator (null; discriminator-free distillation, as OMGD trains its students, Ren et al. 2021)
 * the generator's objective is its extra terms (and the pix2pix reconstruction) alone: the adversarial weight must
 * then be 0, and a latent generator needs no dataset (null), its step inputs being the seeded codes.
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
    /** Whether the current run is image-to-image (set by {@link #run}); part of the checkpoint's run identity. */
    private boolean paired;
    private float adversarialWeight = 1f;
    private float reconstructionWeight = 100f;

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

    /**
     * Weight of the L1 distance to the target in the generator's objective of image-to-image training (ignored for
     * latent GANs). pix2pix's lambda = 100 keeps outputs close to the ground truth while the adversarial term makes
     * them sharp; 0 trains on the adversarial term alone.
     */
    public GanTrainer reconstructionWeight(float weight) {
        if (weight < 0 || !Float.isFinite(weight)) {
            throw new GanCompressException("L1 weight must be a finite number >= 0, got " + weight);
        }
        this.reconstructionWeight = weight;
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

    /**
     * Trains on {@code data}: images for a latent GAN, {@code PairedDataset.stacked()} pairs for an image-to-image
     * generator.
     *
     * @param discriminator null: discriminator-free (the adversarial weight must be 0)
     * @param data          null only for a latent generator without a discriminator; the run is then
     *                      {@code maxSteps} steps of one endless epoch
     */
    public Result run(Model generator, Model discriminator, ImageDataset data, Path runDir, boolean resume) {
        if (discriminator == null && adversarialWeight > 0) {
            throw new GanCompressException("the adversarial term (weight " + adversarialWeight + ") needs the "
                    + "teacher's discriminator (--teacher-d); set its weight to 0 for discriminator-free training");
        }
        if (data == null && config.maxSteps() < 1) {
            throw new GanCompressException("training without a dataset needs a step limit (max-steps >= 1)");
        }
        paired = StepInputs.isPaired(generator);
        if (adversarialWeight == 0 && terms.isEmpty() && !(paired && reconstructionWeight > 0)) {
            throw new GanCompressException("training " + generator.name() + " has no objective: the adversarial "
                    + "weight is 0 and no other loss term is set");
        }
        StepInputs io = StepInputs.of(generator, discriminator, data, config.batchSize(), config.seed());
        Network g = new Network(generator);
        Network d = discriminator == null ? null : new Network(discriminator);
        Adam adamG = new Adam(g.parameters(), new Adam.Settings(config.generatorLearningRate(), config.beta1(),
                config.beta2(), 1e-8, 0));
        Adam adamD = d == null ? null : new Adam(d.parameters(), new Adam.Settings(
                config.discriminatorLearningRate(), config.beta1(), config.beta2(), 1e-8, 0));
        BatchSampler sampler = io.sampled() == null ? null
                : new BatchSampler(io.sampled(), config.batchSize(), config.seed(), true);
        // without images there are no epochs to speak of: the run is one endless "epoch" that maxSteps ends, so a
        // resumed run with a larger limit continues it
        int perEpoch = sampler == null ? Integer.MAX_VALUE : sampler.batchesPerEpoch();
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
        int batch = config.batchSize();
        String dImage = io.judged;
        Tensor realTensor = io.realTensor;
        // one logit per sample (DCGAN) or per patch (PatchGAN); the losses average over all of them
        int[] dOut = discriminator == null ? new int[0] : discriminator.outputShape().dims();
        int[] dGradShape = new int[dOut.length + 1];
        dGradShape[0] = batch;
        System.arraycopy(dOut, 0, dGradShape, 1, dOut.length);
        float[] dGrad = new float[discriminator == null ? 0 : batch * discriminator.outputShape().size()];
        Tensor dGradTensor = discriminator == null ? null : new Tensor(dGradShape, dGrad);
        Map<String, Tensor> gInputs = io.generatorInputs;
        Map<String, Tensor> dInputs = new HashMap<>(io.discriminatorInputs);
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
                io.fill(sampler, epoch, b, step);
                Map<String, Double> losses = new LinkedHashMap<>();
                double lrScale = learningRateScale(step);
                Tensor fake = g.forward(gInputs, true);
                if (d != null && !discriminatorFrozen) {
                    d.zeroGradients();
                    dInputs.put(dImage, realTensor);
                    losses.put("d_real", config.loss().discriminatorReal(d.forward(dInputs, true).data(), dGrad));
                    d.backward(dGradTensor, true);
                    dInputs.put(dImage, fake);
                    losses.put("d_fake", config.loss().discriminatorFake(d.forward(dInputs, true).data(), dGrad));
                    d.backward(dGradTensor, true);
                    adamD.step(config.discriminatorLearningRate() * lrScale);
                }
                java.util.Arrays.fill(outGrad, 0f);
                if (adversarialWeight > 0) {
                    dInputs.put(dImage, fake);
                    losses.put("g_adv", config.loss().generator(d.forward(dInputs, !discriminatorFrozen).data(),
                            dGrad, adversarialWeight));
                    d.backward(dGradTensor, false);
                    float[] fromD = d.inputGradient(dImage).data();
                    System.arraycopy(fromD, 0, outGrad, 0, outGrad.length);
                }
                if (io.target() != null) {
                    losses.put("l1", Losses.l1(fake.data(), io.target(), outGrad, reconstructionWeight, true));
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

    private String configKey() {
        ObjectNode node = JSON.valueToTree(config);
        node.remove("epochs");
        node.remove("maxSteps");
        if (paired) {
            // only image-to-image runs have the term, so latent runs keep the keys of their existing checkpoints
            node.put("l1Weight", reconstructionWeight);
        }
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
        // the order of the entries is the file's layout: a run with a discriminator writes what it always wrote
        if (discriminator != null) {
            putWeights(tensors, "D/", discriminator);
        }
        putMoments(tensors, "adamG/", adamG);
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("adamG.step", adamG.stepCount());
        if (discriminator != null) {
            putMoments(tensors, "adamD/", adamD);
            counters.put("adamD.step", adamD.stepCount());
        }
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
        restoreMoments(ck, "adamG/", adamG, ck.counters().getOrDefault("adamG.step", 0L), file);
        if (discriminator != null) {
            restoreWeights(ck, "D/", discriminator, file);
            restoreMoments(ck, "adamD/", adamD, ck.counters().getOrDefault("adamD.step", 0L), file);
        }
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
