package dev.gancompress.compress.distill;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.Input;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Layer;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Shape;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.nn.Adam;
import dev.gancompress.nn.Initializer;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A learnable map from a student feature to the teacher's feature of the same name: a 1x1 Conv2d for [C, H, W]
 * features (GAN Compression, Li et al. 2020), a Linear for flat ones. It is a one-node IR model on its own
 * network with its own Adam, trained jointly with the student and discarded afterwards.
 */
final class FeatureAdapter {
    static final String INPUT = "student_feature";
    static final String OUTPUT = "adapter";

    private final String layer;
    private final Network network;
    private final Adam adam;
    private final Shape studentShape;

    FeatureAdapter(String layer, Shape student, Shape teacher, double learningRate, long seed) {
        if (student.rank() != teacher.rank() || (student.rank() == 3 && (student.height() != teacher.height()
                || student.width() != teacher.width())) || (student.rank() != 1 && student.rank() != 3)) {
            throw new GanCompressException("feature distillation layer '" + layer + "': the student's value is "
                    + student + " and the teacher's " + teacher + "; they must be [C, H, W] with equal H and W, "
                    + "or flat features");
        }
        this.layer = layer;
        this.studentShape = student;
        Layer map;
        Input in;
        if (student.rank() == 3) {
            in = Input.image(INPUT, student.channels(), student.height(), student.width());
            map = Conv2d.create(student.channels(), teacher.channels(), Kernel2d.square(1, 1, 0), true);
        } else {
            in = Input.latent(INPUT, student.dim(0));
            map = Linear.create(student.dim(0), teacher.dim(0), true);
        }
        Model model = new Model("adapter-" + layer, List.of(in), List.of(Node.of(OUTPUT, map, INPUT)), OUTPUT,
                Map.of("role", "feature-adapter"));
        initialise(model, student.dim(0), seed);
        this.network = new Network(model);
        this.adam = new Adam(network.parameters(), Adam.Settings.gan(learningRate));
    }

    /**
     * LeCun-normal weights (std 1/sqrt(fan-in)) rather than DCGAN's N(0, 0.02): the adapter must pass a
     * feature's scale through from the first step, or the student's features would get almost no gradient.
     */
    private static void initialise(Model model, int fanIn, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (WeightSlot slot : model.nodes().get(0).layer().weights()) {
            float[] d = slot.weights().data();
            if (slot.role().equals("weight")) {
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) (Initializer.gaussian(rnd) / Math.sqrt(fanIn));
                }
            }
        }
    }

    String layer() {
        return layer;
    }

    /**
     * Maps the student's feature, writes into {@code featureGrad} (added) the gradient of
     * weight x mean((adapter(s) - t)^2) with respect to the student feature, keeps the adapter's own gradient for
     * {@link #step()}, and returns the unweighted loss.
     */
    double match(Tensor studentFeature, Tensor teacherFeature, float weight, float[] featureGrad) {
        Tensor mapped = network.forward(Map.of(INPUT, studentFeature), true);
        float[] grad = new float[mapped.data().length];
        double loss = dev.gancompress.nn.Losses.l2(mapped.data(), teacherFeature.data(), grad, weight, false);
        network.zeroGradients();
        network.backward(new Tensor(mapped.shape(), grad), true);
        float[] toStudent = network.inputGradient(INPUT).data();
        for (int i = 0; i < featureGrad.length; i++) {
            featureGrad[i] += toStudent[i];
        }
        return loss;
    }

    void step() {
        adam.update();
    }

    Shape studentShape() {
        return studentShape;
    }

    /** The adapter model (its weights are live): for inspection and tests. */
    Model model() {
        return network.model();
    }
}
