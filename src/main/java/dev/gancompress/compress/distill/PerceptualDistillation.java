package dev.gancompress.compress.distill;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Losses;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.train.GeneratorLossTerm;

import java.util.Map;

/**
 * Perceptual distillation (Johnson et al. 2016's feature reconstruction loss): L2 between a fixed feature
 * network's values for the student's and the teacher's images. The network is never the evaluator the metrics
 * are computed on ({@link EvaluationNetworkGuard}): a loss in the metric's own feature space would improve the
 * number without improving the images.
 */
public final class PerceptualDistillation implements GeneratorLossTerm {
    public static final String NAME = "kd_perceptual";

    private final TeacherForward teacher;
    private final FeatureNetwork features;
    private final float weight;

    PerceptualDistillation(TeacherForward teacher, Model featureNetwork, String layer, float weight) {
        if (!(weight > 0) || !Float.isFinite(weight)) {
            throw new GanCompressException("perceptual distillation weight must be a finite number > 0, got " + weight);
        }
        this.features = new FeatureNetwork(featureNetwork, layer, teacher.model(), "perceptual distillation");
        this.teacher = teacher;
        this.weight = weight;
    }

    /** Checks before training that the network reads images of the generator's shape; returns the layer. */
    static String check(Model featureNetwork, Model generator, String layer) {
        return FeatureNetwork.check(featureNetwork, generator, layer, "perceptual distillation");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public double apply(Network generator, Map<String, Tensor> inputs, Tensor output, float[] outputGrad,
                        Map<String, float[]> extraGrads, long step) {
        float[] teacherFeature = features.features(teacher.run(generator.model(), inputs, step));
        double[] loss = new double[1];
        features.featuresWithGradient(output, studentFeature -> {
            float[] grad = new float[studentFeature.length];
            loss[0] = Losses.l2(studentFeature, teacherFeature, grad, weight, false);
            return grad;
        }, outputGrad);
        return loss[0];
    }
}
