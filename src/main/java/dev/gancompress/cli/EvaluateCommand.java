package dev.gancompress.cli;

import dev.gancompress.GanCompressException;
import dev.gancompress.data.Datasets;
import dev.gancompress.data.EdgeMaps;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.data.PairedDataset;
import dev.gancompress.model.Input;
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
                + "accuracy for conditional models; and its inference cost. Prints one table, optionally writes JSON. An "
                + "image-to-image model (pix2pix) is run on the inputs of paired --data and compared with their "
                + "targets: FID/KID of outputs vs targets, and PSNR/SSIM to the targets.")
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Generator ONNX file.")
    Path model;

    @Option(names = "--teacher", description = "Teacher generator ONNX file, for fidelity metrics.")
    Path teacher;

    @Option(names = "--evaluator", defaultValue = "models/evaluator-fashion.onnx",
            description = "Evaluator ONNX file made by train-evaluator (default ${DEFAULT-VALUE}).")
    Path evaluator;

    @Option(names = "--data", description = "Real reference set (default fashion-mnist-test); for an image-to-image "
            + "model paired test data: edges-fashion-mnist-test (its default), a folder of A|B images or a folder with"
            + " A/ and B/.")
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
        boolean paired = ModelFiles.isImageToImage(student.model());
        if (!paired) {
            ModelFiles.requireGenerator(student.model(), model);
        }
        QualityEvaluation.Source teacherSource = teacher == null ? null : ModelFiles.source(teacher);
        if (teacherSource != null && !paired) {
            ModelFiles.requireGenerator(teacherSource.model(), teacher);
        }
        DomainEvaluator domain = DomainEvaluator.load(evaluator);
        Shape in = domain.inputShape();
        QualityEvaluation evaluation;
        if (paired) {
            Shape modelIn = student.model().input(Input.Kind.IMAGE).shape();
            Shape modelOut = student.model().outputShape();
            if (modelIn.height() != modelIn.width()) {
                throw new GanCompressException("model " + model + " reads non-square images " + modelIn
                        + "; paired data are loaded as squares");
            }
            PairedDataset pairs = Datasets.openPaired(data == null ? EdgeMaps.EDGES_FASHION_MNIST_TEST : data, dataDir,
                    modelIn.channels(), modelOut.channels(), modelIn.height());
            evaluation = QualityEvaluation.paired(domain, pairs, settings, costOptions);
        } else {
            ImageDataset reference = Datasets.open(data == null ? Datasets.FASHION_MNIST_TEST : data, dataDir,
                    in.channels(), in.height(), in.width(), Datasets.Fit.PAD);
            evaluation = new QualityEvaluation(domain, reference, settings, costOptions);
        }
        QualityReport report = evaluation.evaluate(student, teacherSource, new EvaluationProgressBar());
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
