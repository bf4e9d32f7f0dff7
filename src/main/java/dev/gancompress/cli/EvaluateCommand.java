package dev.gancompress.cli;

import dev.gancompress.GanCompressException;
import dev.gancompress.data.Datasets;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.metrics.DomainEvaluator;
import dev.gancompress.metrics.QualityEvaluation;
import dev.gancompress.metrics.QualityReport;
import dev.gancompress.model.Shape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Measure a generator: FID, KID, precision/recall against the real test set on the features of "
                + "a domain evaluator; PSNR, SSIM and feature distance to a teacher on the same latent codes; class "
                + "accuracy for conditional models; and its inference cost. Prints one table, optionally writes JSON.")
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Generator ONNX file.")
    Path model;

    @Option(names = "--teacher", description = "Teacher generator ONNX file, for fidelity metrics.")
    Path teacher;

    @Option(names = "--evaluator", defaultValue = "models/evaluator-fashion.onnx",
            description = "Evaluator ONNX file made by train-evaluator (default ${DEFAULT-VALUE}).")
    Path evaluator;

    @Option(names = "--data", defaultValue = "fashion-mnist-test",
            description = "Real reference set (default ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--data-dir", description = "Where the Fashion-MNIST IDX files are (default: the Debian package's).")
    Path dataDir;

    @Option(names = "--samples", defaultValue = "10000", description = "Generated samples (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--reference-count", defaultValue = "10000",
            description = "Real images used, the first N of the set (default ${DEFAULT-VALUE}).")
    int referenceCount;

    @Option(names = "--seed", defaultValue = "1", description = "Latent-code and KID seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--cache-dir", defaultValue = ".cache/gancompress",
            description = "Where reference features and statistics are cached (default ${DEFAULT-VALUE}).")
    Path cacheDir;

    @Option(names = "--energy-table", description = "JSON energy table (pJ per operation) replacing the bundled "
            + "45 nm one; fields as in src/main/resources/dev/gancompress/metrics/energy-45nm.json.")
    Path energyTable;

    @Option(names = "--refresh", description = "Recompute the cached reference features and statistics.")
    boolean refresh;

    @Option(names = "--json", description = "Also write the report as JSON to this file (atomically).")
    Path json;

    @Override
    public Integer call() {
        requireFile(model, "--model");
        if (teacher != null) {
            requireFile(teacher, "--teacher");
        }
        requireFile(evaluator, "--evaluator");
        dev.gancompress.metrics.CostModel.Options costOptions = energyTable == null
                ? dev.gancompress.metrics.CostModel.Options.defaults()
                : dev.gancompress.metrics.CostModel.Options.defaults().withEnergy(
                        dev.gancompress.metrics.EnergyTable.load(energyTable));
        QualityEvaluation.Settings settings = QualityEvaluation.Settings.defaults().withSamples(samples).withSeed(seed)
                .withReferenceCount(referenceCount).withCacheDir(cacheDir).withRefresh(refresh);
        QualityEvaluation.Source student = ModelFiles.source(model);
        ModelFiles.requireGenerator(student.model(), model);
        QualityEvaluation.Source teacherSource = teacher == null ? null : ModelFiles.source(teacher);
        if (teacherSource != null) {
            ModelFiles.requireGenerator(teacherSource.model(), teacher);
        }
        DomainEvaluator domain = DomainEvaluator.load(evaluator);
        Shape in = domain.inputShape();
        ImageDataset reference = Datasets.open(data, dataDir, in.channels(), in.height(), in.width(),
                Datasets.Fit.PAD);
        QualityReport report = new QualityEvaluation(domain, reference, settings, costOptions).evaluate(student, teacherSource,
                new EvaluationProgressBar());
        System.out.print(report.toTable());
        if (json != null) {
            report.writeJson(json);
            System.out.println("wrote " + json);
        }
        return ExitCode.OK.code();
    }

    private static void requireFile(Path file, String option) {
        if (!Files.isRegularFile(file)) {
            throw new GanCompressException(option + " " + file + ": file not found");
        }
    }
}
