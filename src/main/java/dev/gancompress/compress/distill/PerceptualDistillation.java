package dev.gancompress.compress.distill;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Input;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Losses;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.train.GeneratorLossTerm;

import java.util.Map;

/**
 * Perceptual distillation (Johnson et al. 2016's feature reconstruction loss): L2 between the evaluator's
 * features of the student's and of the teacher's images. The evaluator is the classifier whose features the
 * FID of this project uses, so the term pulls the student towards the teacher in the space it is judged in.
 * The evaluator is fixed: it runs in inference mode and its weights get no gradient; the loss reaches the
 * student's output through the evaluator's input gradient.
 */
public final class PerceptualDistillation implements GeneratorLossTerm {
    public static final String NAME = "kd_perceptual";

    private final TeacherForward teacher;
    private final Network evaluator;
    private final String imageInput;
    private final String layer;
    private final float weight;

    PerceptualDistillation(TeacherForward teacher, Model evaluator, String layer, float weight) {
        if (!(weight > 0) || !Float.isFinite(weight)) {
            throw new GanCompressException("perceptual distillation weight must be a finite number > 0, got " + weight);
        }
        this.layer = check(evaluator, teacher.model(), layer);
        this.teacher = teacher;
        this.imageInput = evaluator.input(Input.Kind.IMAGE).name();
        this.evaluator = new Network(evaluator);
        this.weight = weight;
    }

    /** Checks before training that the evaluator reads images of the generator's shape; returns the layer. */
    static String check(Model evaluator, Model generator, String layer) {
        if (evaluator == null) {
            throw new GanCompressException("perceptual distillation needs an evaluator model (--evaluator)");
        }
        Input image = evaluator.input(Input.Kind.IMAGE);
        if (image == null || evaluator.inputs().size() != 1 || !image.shape().equals(generator.outputShape())) {
            throw new GanCompressException("perceptual distillation: evaluator " + evaluator.name()
                    + " must have one image input of shape " + generator.outputShape() + " (the generator's output)"
                    + ", it has " + evaluator.inputs().stream().map(i -> i.name() + " " + i.shape()).toList());
        }
        String chosen = layer == null ? evaluator.output() : layer;
        if (evaluator.nodes().stream().noneMatch(n -> n.name().equals(chosen))) {
            throw new GanCompressException("perceptual distillation layer '" + chosen + "' is not a node of evaluator "
                    + evaluator.name());
        }
        return chosen;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public double apply(Network generator, Map<String, Tensor> inputs, Tensor output, float[] outputGrad,
                        Map<String, float[]> extraGrads, long step) {
        Tensor target = teacher.run(generator.model(), inputs, step);
        evaluator.forward(Map.of(imageInput, target), false);
        float[] teacherFeature = evaluator.value(layer).data();
        Tensor evaluatorOut = evaluator.forward(Map.of(imageInput, output), false);
        float[] studentFeature = evaluator.value(layer).data();
        float[] grad = new float[studentFeature.length];
        double loss = Losses.l2(studentFeature, teacherFeature, grad, weight, false);
        evaluator.backward(Tensor.zeros(evaluatorOut.shape()), Map.of(layer, grad), false);
        float[] toImage = evaluator.inputGradient(imageInput).data();
        for (int i = 0; i < outputGrad.length; i++) {
            outputGrad[i] += toImage[i];
        }
        return loss;
    }
}
