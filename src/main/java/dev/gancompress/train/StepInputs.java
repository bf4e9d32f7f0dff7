package dev.gancompress.train;

import dev.gancompress.GanCompressException;
import dev.gancompress.data.BatchSampler;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Input;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Tensor;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the two players read in one step besides the image the discriminator judges: for a latent GAN the latent
 * codes and class labels, for an image-to-image GAN (pix2pix) the input image, which the discriminator also
 * sees (conditional GAN). Buffers are allocated once and refilled every step.
 *
 * <p>Without a discriminator (discriminator-free distillation of a generator brought alone) {@link #judged} is null
 * and nothing is checked against one; a latent generator then needs no images either ({@link LatentOnly}): its
 * step inputs are the seeded codes and, for a conditional generator, seeded labels.
 */
abstract sealed class StepInputs {
    final Map<String, Tensor> generatorInputs = new HashMap<>();
    /** The discriminator's inputs except the judged image, which the trainer puts under {@link #judged}. */
    final Map<String, Tensor> discriminatorInputs = new HashMap<>();
    final String judged;
    final float[] real;
    final Tensor realTensor;

    /** @param image the per-sample shape [C, H, W] of the judged image */
    private StepInputs(String judged, int batch, int[] image) {
        this.judged = judged;
        this.real = new float[batch * image[0] * image[1] * image[2]];
        this.realTensor = new Tensor(new int[] {batch, image[0], image[1], image[2]}, real);
    }

    /** Loads batch {@code b} of {@code epoch} and the step's noise. */
    abstract void fill(BatchSampler sampler, int epoch, int b, long step);

    /** The ground-truth output of the step's generator inputs, or null when there is none (latent GANs). */
    abstract float[] target();

    /** The set the batch sampler draws from. */
    abstract ImageDataset sampled();

    /**
     * Chooses by the generator's inputs: a latent code, or an image (pix2pix).
     *
     * @param discriminator null for discriminator-free training
     * @param data          null only for a latent generator without a discriminator (nothing reads real images)
     */
    static StepInputs of(Model generator, Model discriminator, ImageDataset data, int batch, long seed) {
        if (data == null && (discriminator != null || generator.input(Input.Kind.LATENT) == null)) {
            throw new GanCompressException("training " + generator.name() + " needs a dataset: "
                    + (discriminator != null ? "its discriminator judges real images"
                    : "an image-to-image generator reads input images"));
        }
        if (generator.input(Input.Kind.LATENT) != null) {
            return data == null ? new LatentOnly(generator, batch, seed)
                    : new Latent(generator, discriminator, data, batch, seed);
        }
        if (generator.input(Input.Kind.IMAGE) != null) {
            return new Paired(generator, discriminator, data, batch);
        }
        throw new GanCompressException("generator " + generator.name() + " has neither a latent nor an image input");
    }

    static boolean isPaired(Model generator) {
        return generator.input(Input.Kind.LATENT) == null && generator.input(Input.Kind.IMAGE) != null;
    }

    /** z from (seed, step) and the real batch's labels. */
    static final class Latent extends StepInputs {
        private final ImageDataset data;
        private final long seed;
        private final int[] labels;
        private final float[] labelFloats;
        private final float[] z;

        Latent(Model generator, Model discriminator, ImageDataset data, int batch, long seed) {
            super(discriminator == null ? null : requireImageInput(discriminator).name(), batch,
                    new int[] {data.channels(), data.height(), data.width()});
            this.data = data;
            this.seed = seed;
            Input latent = generator.input(Input.Kind.LATENT);
            Input gLabel = generator.input(Input.Kind.LABEL);
            Input dLabel = discriminator == null ? null : discriminator.input(Input.Kind.LABEL);
            int[] want = {data.channels(), data.height(), data.width()};
            Input image = discriminator == null ? null : discriminator.input(Input.Kind.IMAGE);
            if ((image != null && !Arrays.equals(image.shape().dims(), want))
                    || !Arrays.equals(generator.outputShape().dims(), want)) {
                throw new GanCompressException("dataset " + data.description() + " has images "
                        + Arrays.toString(want) + ", but the generator makes " + generator.outputShape()
                        + (image == null ? "" : " and the discriminator expects " + image.shape()));
            }
            if (gLabel != null && data.numClasses() < gLabel.numClasses()) {
                throw new GanCompressException("the conditional generator needs labels of " + gLabel.numClasses()
                        + " classes, but dataset " + data.description() + " has " + data.numClasses());
            }
            labels = new int[batch];
            labelFloats = new float[batch];
            z = new float[batch * latent.shape().size()];
            generatorInputs.put(latent.name(), new Tensor(new int[] {batch, latent.shape().size()}, z));
            Tensor labelTensor = new Tensor(new int[] {batch}, labelFloats);
            if (gLabel != null) {
                generatorInputs.put(gLabel.name(), labelTensor);
            }
            if (dLabel != null) {
                discriminatorInputs.put(dLabel.name(), labelTensor);
            }
        }

        @Override
        void fill(BatchSampler sampler, int epoch, int b, long step) {
            sampler.fill(epoch, b, real, labels);
            for (int i = 0; i < labels.length; i++) {
                labelFloats[i] = labels[i];
            }
            GanTrainer.latentNoise(seed, step, z);
        }

        @Override
        float[] target() {
            return null;
        }

        @Override
        ImageDataset sampled() {
            return data;
        }
    }

    /**
     * z from (seed, step) and, for a conditional generator, labels drawn uniformly from a stream seeded by
     * (seed, step) as well: a step is a pure function of the seed and the step, so a resumed run repeats it.
     */
    static final class LatentOnly extends StepInputs {
        private final long seed;
        private final int classes;
        private final float[] labelFloats;
        private final float[] z;

        LatentOnly(Model generator, int batch, long seed) {
            super(null, batch, generator.outputShape().dims());
            this.seed = seed;
            Input latent = generator.input(Input.Kind.LATENT);
            Input label = generator.input(Input.Kind.LABEL);
            classes = label == null ? 0 : label.numClasses();
            labelFloats = new float[batch];
            z = new float[batch * latent.shape().size()];
            generatorInputs.put(latent.name(), new Tensor(new int[] {batch, latent.shape().size()}, z));
            if (label != null) {
                generatorInputs.put(label.name(), new Tensor(new int[] {batch}, labelFloats));
            }
        }

        @Override
        void fill(BatchSampler sampler, int epoch, int b, long step) {
            GanTrainer.latentNoise(seed, step, z);
            if (classes > 0) {
                java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed * 31 + step * 0x632BE59BD9B4E019L);
                for (int i = 0; i < labelFloats.length; i++) {
                    labelFloats[i] = rnd.nextInt(classes);
                }
            }
        }

        @Override
        float[] target() {
            return null;
        }

        @Override
        ImageDataset sampled() {
            return null;
        }
    }

    /**
     * The data are (input, target) pairs stacked along channels ({@code PairedDataset.stacked()}): each batch is
     * split into the input, which both players read under the generator's input name, and the real target.
     */
    static final class Paired extends StepInputs {
        private final ImageDataset stacked;
        private final float[] stackedBatch;
        private final float[] input;
        private final int inputSize;
        private final int targetSize;

        Paired(Model generator, Model discriminator, ImageDataset stacked, int batch) {
            super(judgedInput(generator, discriminator), batch, targetShape(generator, stacked));
            this.stacked = stacked;
            Input in = generator.input(Input.Kind.IMAGE);
            inputSize = in.shape().size();
            targetSize = generator.outputShape().size();
            Input dIn = null;
            for (Input i : discriminator == null ? List.<Input>of() : discriminator.inputs()) {
                if (i.name().equals(in.name())) {
                    dIn = i;
                }
            }
            if (discriminator != null && (dIn == null || !dIn.shape().equals(in.shape()))) {
                throw new GanCompressException("discriminator " + discriminator.name() + " must read the generator's "
                        + "input '" + in.name() + "' " + in.shape() + " (a conditional discriminator)");
            }
            stackedBatch = new float[batch * stacked.imageSize()];
            input = new float[batch * inputSize];
            Tensor inputTensor = new Tensor(new int[] {batch, in.shape().channels(), in.shape().height(),
                    in.shape().width()}, input);
            generatorInputs.put(in.name(), inputTensor);
            discriminatorInputs.put(in.name(), inputTensor);
        }

        /** The image input of the discriminator that is not the generator's input. */
        private static String judgedInput(Model generator, Model discriminator) {
            if (discriminator == null) {
                return null;
            }
            String in = generator.input(Input.Kind.IMAGE).name();
            for (Input i : discriminator.inputs()) {
                if (i.kind() == Input.Kind.IMAGE && !i.name().equals(in)) {
                    if (!i.shape().equals(generator.outputShape())) {
                        throw new GanCompressException("discriminator input '" + i.name() + "' is " + i.shape()
                                + " but the generator makes " + generator.outputShape());
                    }
                    return i.name();
                }
            }
            throw new GanCompressException("discriminator " + discriminator.name() + " has no image input besides '"
                    + in + "' to judge the generator's output with");
        }

        /** Checks the stacked pairs against the generator; returns the target shape [C, H, W]. */
        private static int[] targetShape(Model generator, ImageDataset stacked) {
            Input in = generator.input(Input.Kind.IMAGE);
            int[] out = generator.outputShape().dims();
            if (stacked.height() != out[1] || stacked.width() != out[2] || in.shape().height() != out[1]
                    || in.shape().width() != out[2] || stacked.channels() != in.shape().channels() + out[0]) {
                throw new GanCompressException("paired dataset " + stacked.description() + " holds "
                        + stacked.height() + "x" + stacked.width() + " pairs of " + stacked.channels()
                        + " channels in all, but the generator maps " + in.shape() + " to " + generator.outputShape());
            }
            return out;
        }

        @Override
        void fill(BatchSampler sampler, int epoch, int b, long step) {
            int n = sampler.fill(epoch, b, stackedBatch, null);
            int pair = inputSize + targetSize;
            for (int i = 0; i < n; i++) {
                System.arraycopy(stackedBatch, i * pair, input, i * inputSize, inputSize);
                System.arraycopy(stackedBatch, i * pair + inputSize, real, i * targetSize, targetSize);
            }
        }

        @Override
        float[] target() {
            return real;
        }

        @Override
        ImageDataset sampled() {
            return stacked;
        }
    }

    private static Input requireImageInput(Model discriminator) {
        Input image = discriminator.input(Input.Kind.IMAGE);
        if (image == null) {
            throw new GanCompressException("discriminator " + discriminator.name() + " has no image input");
        }
        return image;
    }
}
