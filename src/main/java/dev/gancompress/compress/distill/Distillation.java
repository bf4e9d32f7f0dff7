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
 * terms: kd_output, kd_feature, kd_perceptual. The adversarial term against the teacher's discriminator is the
 * trainer's own; {@link #fineTuneSettings} sets its weight and whether the discriminator is frozen.
 */
public final class Distillation implements Compression {
    public static final String NAME = "distillation";

    private final DistillationConfig config;

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
            PerceptualDistillation.check(context.evaluator(), teacher, config.perceptualLayer());
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
            terms.add(new PerceptualDistillation(teacher, context.evaluator(), config.perceptualLayer(),
                    config.perceptualWeight().floatValue()));
        }
        return new FineTuneController(terms, List.of());
    }

    /** {@code base} with this configuration's adversarial weight and discriminator freezing. */
    @Override
    public FineTuning.Settings fineTuneSettings(FineTuning.Settings base) {
        return new FineTuning.Settings(base.steps(), base.batchSize(), base.generatorLearningRate(),
                base.discriminatorLearningRate(), base.loss(), config.adversarialWeight().floatValue(),
                config.freezeDiscriminator(), base.seed(), base.checkpointEverySteps());
    }

    private static Model teacher(CompressionContext context) {
        if (context.teacher() == null) {
            throw new GanCompressException("distillation needs the teacher generator (--teacher)");
        }
        return context.teacher();
    }
}
