package dev.gancompress.compress.distill;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Model;
import dev.gancompress.model.Shape;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.train.GeneratorLossTerm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Intermediate feature matching (GAN Compression, Li et al. 2020, eq. 3): for each named layer,
 * mean((adapter(student feature) - teacher feature)^2), the adapters being learnable 1x1 convolutions from the
 * student's channels to the teacher's. The logged loss is the mean over layers; the gradient reaches the student
 * through the trainer's {@code extraGrads} at each layer's value, and the adapters step after the student.
 */
public final class FeatureDistillation implements GeneratorLossTerm {
    public static final String NAME = "kd_feature";
    /** The post-activation outputs of the DCGAN generator's blocks. */
    public static final List<String> DCGAN_LAYERS = List.of("fc_act", "up1_act", "up2_act");

    /**
     * The layers matched when none are configured. A latent generator: {@link #DCGAN_LAYERS} when it has them (the
     * built-in DCGAN), else the same thing found by type, its hidden activations on feature maps (an imported
     * generator names its nodes after its exporter: "/act1/Relu"). An image-to-image generator: the outputs of its
     * residual blocks (every Add), as GAN Compression distils the ResNet generator's trunk; a generator without
     * residual blocks (U-Net): its skip concatenations, the decoder's inputs.
     */
    public static List<String> defaultLayers(Model teacher) {
        if (teacher.input(dev.gancompress.model.Input.Kind.IMAGE) == null
                || teacher.input(dev.gancompress.model.Input.Kind.LATENT) != null) {
            if (DCGAN_LAYERS.stream().allMatch(teacher.shapes()::containsKey)) {
                return DCGAN_LAYERS;
            }
            String output = teacher.output();
            List<String> hidden = teacher.nodes().stream()
                    .filter(n -> n.layer() instanceof dev.gancompress.model.Activation && !n.name().equals(output)
                            && teacher.shape(n.name()).dims().length == 3)
                    .map(n -> n.name()).toList();
            if (hidden.isEmpty()) {
                throw new GanCompressException("generator " + teacher.name() + " has no hidden activation on a "
                        + "feature map to distil features at; give featureLayers or set featureWeight to 0");
            }
            return hidden;
        }
        List<String> adds = layersOf(teacher, dev.gancompress.model.Add.class);
        List<String> layers = adds.isEmpty() ? layersOf(teacher, dev.gancompress.model.Concat.class) : adds;
        if (layers.isEmpty()) {
            throw new GanCompressException("generator " + teacher.name() + " has no residual Add or skip Concat to "
                    + "distil features at; give featureLayers");
        }
        return layers;
    }

    private static List<String> layersOf(Model m, Class<?> type) {
        return m.nodes().stream().filter(n -> type.isInstance(n.layer())).map(n -> n.name()).toList();
    }

    private final TeacherForward teacher;
    private final List<FeatureAdapter> adapters = new ArrayList<>();
    private final float weight;

    FeatureDistillation(TeacherForward teacher, Model student, List<String> layers, float weight,
                        double adapterLearningRate, long seed) {
        if (!(weight > 0) || !Float.isFinite(weight)) {
            throw new GanCompressException("feature distillation weight must be a finite number > 0, got " + weight);
        }
        this.teacher = teacher;
        this.weight = weight;
        checkLayers(teacher.model(), student, layers);
        long s = seed;
        for (String layer : layers) {
            adapters.add(new FeatureAdapter(layer, student.shape(layer), teacher.model().shape(layer),
                    adapterLearningRate, s++));
        }
    }

    /** Checks before training that both models have every layer, with matching spatial sizes. */
    static void checkLayers(Model teacher, Model student, List<String> layers) {
        if (layers.isEmpty()) {
            throw new GanCompressException("feature distillation needs at least one layer name");
        }
        for (String layer : layers) {
            for (Model m : List.of(teacher, student)) {
                if (!m.shapes().containsKey(layer) || m.inputs().stream().anyMatch(i -> i.name().equals(layer))) {
                    throw new GanCompressException("feature distillation layer '" + layer + "' is not a node of "
                            + (m == teacher ? "the teacher " : "the student ") + m.name() + "; its nodes: "
                            + String.join(", ", m.nodes().stream().map(n -> n.name()).toList()));
                }
            }
            Shape s = student.shape(layer);
            Shape t = teacher.shape(layer);
            if (s.rank() != t.rank() || (s.rank() == 3 && (s.height() != t.height() || s.width() != t.width()))) {
                throw new GanCompressException("feature distillation layer '" + layer + "': student value " + s
                        + " and teacher value " + t + " differ in more than the channel count");
            }
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public double apply(Network generator, Map<String, Tensor> inputs, Tensor output, float[] outputGrad,
                        Map<String, float[]> extraGrads, long step) {
        teacher.run(generator.model(), inputs, step);
        double total = 0;
        float perLayer = weight / adapters.size();
        for (FeatureAdapter a : adapters) {
            Tensor s = generator.value(a.layer());
            float[] grad = extraGrads.computeIfAbsent(a.layer(), k -> new float[s.data().length]);
            total += a.match(s, teacher.value(a.layer()), perLayer, grad);
        }
        return total / adapters.size();
    }

    @Override
    public void afterStep(long step) {
        for (FeatureAdapter a : adapters) {
            a.step();
        }
    }

    /** The adapters' models by layer (live weights), for inspection. */
    public List<Model> adapterModels() {
        return adapters.stream().map(FeatureAdapter::model).toList();
    }
}
