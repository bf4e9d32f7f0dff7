package dev.gancompress.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The inputs every comparison command shares: the teacher pair, the evaluator and the data. */
final class ComparisonInputs {
    @Option(names = "--teacher", defaultValue = "models/dcgan-fashion.onnx",
            description = "Teacher generator ONNX file (default ${DEFAULT-VALUE}).")
    Path teacher;

    @Option(names = "--teacher-d", defaultValue = "models/dcgan-fashion-d.onnx",
            description = "The teacher's discriminator ONNX file (default ${DEFAULT-VALUE}).")
    Path teacherD;

    @Option(names = "--evaluator", defaultValue = "models/evaluator-fashion.onnx",
            description = "Evaluator ONNX file made by train-evaluator (default ${DEFAULT-VALUE}).")
    Path evaluator;

    @picocli.CommandLine.Mixin
    DataOptions training = new DataOptions();

    @Option(names = "--reference", defaultValue = "fashion-mnist-test",
            description = "Real images for FID, KID, precision and recall (default ${DEFAULT-VALUE}).")
    String reference;


    ComparisonRun open(Path work, long seed, boolean verify) throws java.io.IOException {
        return new ComparisonRun(teacher, teacherD, evaluator, training.data, reference, training.dataDir, work, seed,
                verify);
    }
}
