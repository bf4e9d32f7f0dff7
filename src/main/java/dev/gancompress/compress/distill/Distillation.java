package dev.gancompress.compress.distill;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.CompressionContext;
import dev.gancompress.compress.FineTuneController;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Initializer;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.train.GeneratorLossTerm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Knowledge distillation of a GAN generator (Aguinaldo et al. 2019; GAN Compression, Li et al. 2020).
 * {@link #apply} derives the student (a width-scaled copy of the model, or a student file) and checks, before
 * any training, that every configured loss can be computed on it; {@link #controller} returns the named loss
 * terms: kd_output, kd_feature, kd_perceptual, kd_mmd. The adversarial term against the teacher's discriminator is the
 * trainer's own; {@link #fineTuneSettings} sets its weight and whether the discriminator is frozen.
 */
public final class Distillation implements Compression {
    public static final String NAME = "distillation";

    private final DistillationConfig config;
    private Model featureNetwork;

    public Distillation(DistillationConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DistillationConfig config() {
        return config;
    }

    /** Derives the student from {@code model} (width multiplier) or reads it (student file); trains nothing. */
    @Override
    public Model apply(Model model, CompressionContext context) {
        Model teacher = teacher(context);
        Model student;
        if (config.studentFile() == null) {
            student = StudentFactory.widthScaled(model, config.widthMultiplier(), config.layerWidthMultipliers(),
                    config.init(), context.seed());
        } else {
            Path file = Path.of(config.studentFile());
            student = StudentFactory.checkedStudent(OnnxImporter.read(file), teacher, file.toString());
            if (config.init() == StudentInit.RANDOM) {
                Initializer.dcgan(student, context.seed());
            }
        }
        StudentFactory.checkedStudent(student, teacher, "derived from " + model.name());
        if (config.featureWeight() > 0) {
            FeatureDistillation.checkLayers(teacher, student, config.featureLayersFor(teacher));
        }
        if (config.perceptualWeight() > 0) {
            PerceptualDistillation.check(featureNetwork(context), teacher, config.perceptualLayer());
        }
        if (config.mmdWeight() > 0) {
            FeatureNetwork.check(featureNetwork(context), teacher, config.mmdLayer(), "distribution matching");
        }
        return student.withMetadata(Map.of("compression", NAME));
    }

    @Override
    public FineTuneController controller(Model compressed, CompressionContext context) {
        TeacherForward teacher = new TeacherForward(teacher(context));
        List<GeneratorLossTerm> terms = new ArrayList<>();
        if (config.outputWeight() > 0) {
            terms.add(new OutputDistillation(teacher, config.outputLoss(), config.outputWeight().floatValue()));
        }
        if (config.featureWeight() > 0) {
            terms.add(new FeatureDistillation(teacher, compressed, config.featureLayersFor(teacher.model()),
                    config.featureWeight().floatValue(), config.adapterLearningRate(), context.seed() + 1));
        }
        if (config.perceptualWeight() > 0) {
            terms.add(new PerceptualDistillation(teacher, featureNetwork(context), config.perceptualLayer(),
                    config.perceptualWeight().floatValue()));
        }
        if (config.mmdWeight() > 0) {
            terms.add(new DistributionMatching(teacher, featureNetwork(context), config.mmdLayer(),
                    config.mmdKernel(), config.mmdTarget(), config.mmdBandwidth(), config.mmdWeight().floatValue(),
                    context.data(), context.seed() + 2));
        }
        return new FineTuneController(terms, List.of());
    }

    /** {@code base} with this configuration's adversarial weight and discriminator freezing. */
    @Override
    public FineTuning.Settings fineTuneSettings(FineTuning.Settings base) {
        return base.withAdversarial(config.adversarialWeight().floatValue(), config.freezeDiscriminator());
    }

    /**
     * The feature network of kd_perceptual and kd_mmd, read once and checked against the evaluation network of the
     * context (refused if it is that network or derives from it).
     */
    private Model featureNetwork(CompressionContext context) {
        if (featureNetwork == null) {
            Path file = Path.of(config.featureNetwork());
            Model network = OnnxImporter.read(file);
            EvaluationNetworkGuard.refuseEvaluationNetwork(network, file.toString(),
                    dev.gancompress.Digests.sha256(file),
                    context.evaluator(), null);
            featureNetwork = network;
        }
        return featureNetwork;
    }

    private static Model teacher(CompressionContext context) {
        if (context.teacher() == null) {
            throw new GanCompressException("distillation needs the teacher generator (--teacher)");
        }
        return context.teacher();
    }
}
