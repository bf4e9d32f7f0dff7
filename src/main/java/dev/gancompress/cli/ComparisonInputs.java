package dev.gancompress.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The inputs every comparison command shares: the teacher pair, the evaluator and the data. */
final class ComparisonInputs {
    @Option(names = "--teacher", defaultValue = "models/dcgan-fashion.onnx",
            description = "Teacher generator ONNX file (default ${DEFAULT-VALUE}).")
    Path teacher;

    static final Path BUNDLED_TEACHER = Path.of("models/dcgan-fashion.onnx");
    static final Path BUNDLED_DISCRIMINATOR = Path.of("models/dcgan-fashion-d.onnx");

    @Option(names = "--teacher-d",
            description = "The teacher's discriminator ONNX file (default: models/dcgan-fashion-d.onnx for the "
                    + "bundled teacher; none for any other teacher, whose students then fine-tune "
                    + "discriminator-free, toward the teacher's outputs).")
    Path teacherD;

    @Option(names = "--evaluator", defaultValue = "models/evaluator-fashion.onnx",
            description = "Evaluator ONNX file made by train-evaluator (default ${DEFAULT-VALUE}).")
    Path evaluator;

    @picocli.CommandLine.Mixin
    DataOptions training = new DataOptions();

    @Option(names = "--reference", defaultValue = "fashion-mnist-test",
            description = "Real images for FID, KID, precision and recall (default ${DEFAULT-VALUE}).")
    String reference;


    /**
     * The discriminator to fine-tune against: the one given, the bundled teacher's own, or null. The bundled
     * discriminator is never paired with another teacher: it judges another generator's images (or another
     * image size), so a silent default would train students against the wrong critic.
     */
    Path discriminatorFile() {
        if (teacherD != null) {
            return teacherD;
        }
        return teacher.normalize().equals(BUNDLED_TEACHER) ? BUNDLED_DISCRIMINATOR : null;
    }

    ComparisonRun open(Path work, long seed, boolean verify) throws java.io.IOException {
        return new ComparisonRun(teacher, discriminatorFile(), evaluator, training.data, reference, training.dataDir,
                work, seed, verify);
    }
}
