package dev.gancompress.compress.distill;

import dev.gancompress.GanCompressException;
import dev.gancompress.nn.Losses;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.train.GeneratorLossTerm;

import java.util.Map;

/**
 * Output reconstruction: L1 or L2 between the student's and the teacher's images for the same latent codes and
 * labels (Aguinaldo et al. 2019; the reconstruction term of GAN Compression, Li et al. 2020, which uses L1).
 */
public final class OutputDistillation implements GeneratorLossTerm {
    public static final String NAME = "kd_output";

    private final TeacherForward teacher;
    private final OutputLoss loss;
    private final float weight;

    OutputDistillation(TeacherForward teacher, OutputLoss loss, float weight) {
        if (!(weight > 0) || !Float.isFinite(weight)) {
            throw new GanCompressException("output distillation weight must be a finite number > 0, got " + weight);
        }
        this.teacher = teacher;
        this.loss = loss;
        this.weight = weight;
    }

    /**
     * Output distillation toward {@code teacher}, run in inference mode: for techniques of other families that
     * keep the compressed generator close to the teacher's function (quantisation-aware training).
     */
    public static GeneratorLossTerm toTeacher(dev.gancompress.model.Model teacher, OutputLoss loss, float weight) {
        return new OutputDistillation(new TeacherForward(teacher), loss, weight);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public double apply(Network generator, Map<String, Tensor> inputs, Tensor output, float[] outputGrad,
                        Map<String, float[]> extraGrads, long step) {
        float[] target = teacher.run(generator.model(), inputs, step).data();
        return loss == OutputLoss.L1 ? Losses.l1(output.data(), target, outputGrad, weight, true)
                : Losses.l2(output.data(), target, outputGrad, weight, true);
    }
}
