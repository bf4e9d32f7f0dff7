package dev.gancompress.compress.distill;

import dev.gancompress.GanCompressException;
import dev.gancompress.data.BatchSampler;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.train.GeneratorLossTerm;

import java.util.Arrays;
import java.util.Map;

/**
 * Distribution matching (kd_mmd): the unbiased squared MMD ({@link MaximumMeanDiscrepancy}) between a fixed
 * feature network's features of the student's batch and of a target batch, the teacher's images for the same codes
 * or real training images, in the spirit of DiME's distribution matching. Unlike kd_output and kd_perceptual it
 * compares batches as sets, not image by image, so it asks the student to cover the same modes rather than to copy
 * each image; it cannot be smaller than its estimation noise, so it complements a per-image term. The feature
 * network is fixed, in inference mode, and never the evaluation network ({@link EvaluationNetworkGuard}).
 */
public final class DistributionMatching implements GeneratorLossTerm {
    public static final String NAME = "kd_mmd";

    private final TeacherForward teacher;
    private final FeatureNetwork features;
    private final MmdKernel kernel;
    private final MmdTarget target;
    private final Double bandwidth;
    private final float weight;
    private final ImageDataset data;
    private final long seed;
    private BatchSampler sampler;
    private float[] realImages;
    private int[] realLabels;

    /**
     * @param data the training images (REAL only)
     * @param seed of the real batches' order (REAL only), separate from the trainer's
     * @param bandwidth the Gaussian width, or null for the median distance of each step's target features
     */
    DistributionMatching(TeacherForward teacher, Model featureNetwork, String layer, MmdKernel kernel,
                         MmdTarget target, Double bandwidth, float weight, ImageDataset data, long seed) {
        if (!(weight > 0) || !Float.isFinite(weight)) {
            throw new GanCompressException("distribution matching weight must be a finite number > 0, got " + weight);
        }
        if (target == MmdTarget.REAL && data == null) {
            throw new GanCompressException("distribution matching to REAL images needs the training data (--data)");
        }
        this.features = new FeatureNetwork(featureNetwork, layer, teacher.model(), "distribution matching");
        this.teacher = teacher;
        this.kernel = kernel;
        this.target = target;
        this.bandwidth = bandwidth;
        this.weight = weight;
        this.data = data;
        this.seed = seed;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public double apply(Network generator, Map<String, Tensor> inputs, Tensor output, float[] outputGrad,
                        Map<String, float[]> extraGrads, long step) {
        int m = output.shape()[0];
        Tensor targetImages = target == MmdTarget.TEACHER ? teacher.run(generator.model(), inputs, step)
                : realBatch(output, step);
        float[] y = features.features(targetImages);
        int n = targetImages.shape()[0];
        int d = y.length / n;
        // the width depends on the target only, so it is a constant of the student's loss and the gradient is exact
        double width = kernel == MmdKernel.GAUSSIAN
                ? (bandwidth != null ? bandwidth : MaximumMeanDiscrepancy.medianDistance(y, n, d)) : 1;
        double[] loss = new double[1];
        features.featuresWithGradient(output, x -> {
            float[] grad = new float[x.length];
            loss[0] = MaximumMeanDiscrepancy.unbiased(x, m, y, n, d, kernel, width, grad, weight);
            return grad;
        }, outputGrad);
        return loss[0];
    }

    /** A batch of training images as large as the student's, in an order drawn from the seed, by step. */
    private Tensor realBatch(Tensor output, long step) {
        int batch = output.shape()[0];
        if (sampler == null) {
            if (data.channels() * data.height() * data.width() != output.data().length / batch) {
                throw new GanCompressException("distribution matching: training images " + data.description()
                        + " do not have the generator's output shape " + Arrays.toString(output.shape()));
            }
            sampler = new BatchSampler(data, batch, seed, true);
            realImages = new float[output.data().length];
            realLabels = new int[batch];
        }
        int perEpoch = sampler.batchesPerEpoch();
        sampler.fill((int) (step / perEpoch), (int) (step % perEpoch), realImages, realLabels);
        return new Tensor(output.shape(), realImages);
    }
}
