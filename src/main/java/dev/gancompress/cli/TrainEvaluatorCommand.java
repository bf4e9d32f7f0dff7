package dev.gancompress.cli;

import dev.gancompress.GanCompressException;
import dev.gancompress.data.Datasets;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.metrics.ClassifierArchitecture;
import dev.gancompress.metrics.DomainEvaluator;
import dev.gancompress.metrics.EvaluatorTrainer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "train-evaluator", mixinStandardHelpOptions = true,
        description = "Train the domain classifier whose features FID, KID and precision/recall are computed on. "
                + "Writes an ONNX file recording its test accuracy, feature layer, dataset hash and this command; "
                + "checkpoints every epoch to <out>.ckpt, --resume continues a killed run.")
final class TrainEvaluatorCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    VerifyOption verifyOption = new VerifyOption();

    @Option(names = "--data", defaultValue = "fashion-mnist",
            description = "Labelled training set: fashion-mnist or an IDX images file (default ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--test-data", description = "Labelled test set (default: fashion-mnist-test for fashion-mnist, "
            + "else required).")
    String testData;

    @Option(names = "--data-dir", description = "Where the Fashion-MNIST IDX files are (default: the Debian package's).")
    Path dataDir;

    @Option(names = "--epochs", defaultValue = "4", description = "Epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "128", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "2e-3", description = "Adam peak learning rate, cosine-decayed to 0 "
            + "(default ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--seed", defaultValue = "1",
            description = "Seed of initialisation and batch order (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--arch", defaultValue = "standard",
            description = "Classifier architecture: standard (the evaluator the metrics use) or narrow-deep (a "
                    + "different network whose features training losses may use; train it with another --seed) "
                    + "(default ${DEFAULT-VALUE}).")
    String arch;

    @Option(names = "--out", required = true, description = "Evaluator ONNX file to write.")
    Path out;

    @Option(names = "--resume", description = "Continue from <out>.ckpt.")
    boolean resume;

    @Override
    public Integer call() {
        ClassifierArchitecture architecture = ClassifierArchitecture.parse(arch);
        EvaluatorTrainer.Settings settings = new EvaluatorTrainer.Settings(epochs, batchSize, learningRate, seed,
                architecture);
        ImageDataset train = Datasets.open(data, dataDir);
        String testSpec = testData != null ? testData
                : data.equals(Datasets.FASHION_MNIST) ? Datasets.FASHION_MNIST_TEST : null;
        if (testSpec == null) {
            throw new GanCompressException("--test-data is required when --data is not " + Datasets.FASHION_MNIST);
        }
        ImageDataset test = Datasets.open(testSpec, dataDir);
        Path checkpoint = out.resolveSibling(out.getFileName() + ".ckpt");
        System.out.printf(Locale.ROOT, "training evaluator on %s (%d classes), testing on %s%n", train.description(),
                train.numClasses(), test.description());
        EvaluatorTrainer.Result result = new EvaluatorTrainer(settings).train(train, test, checkpoint, resume,
                new BarListener());
        System.out.printf(Locale.ROOT, "test accuracy %.4f, %.1f s per epoch (%d epoch(s) this run)%n",
                result.testAccuracy(), result.secondsPerEpoch(), result.epochsThisRun());
        String prefix = architecture == ClassifierArchitecture.STANDARD ? "evaluator-" : "feature-net-";
        dev.gancompress.Provenance record = dev.gancompress.Provenance.of(Main.invocation()).withSeed(seed)
                .withInputHash("dataset", train.contentHash())
                .with(ClassifierArchitecture.META_ARCH, architecture.name())
                .with(DomainEvaluator.META_FEATURE_LAYER, DomainEvaluator.FEATURE_LAYER)
                .with(DomainEvaluator.META_FEATURE_SCALE, String.format(Locale.ROOT, "%.6g", result.featureScale()))
                .with(DomainEvaluator.META_TEST_ACCURACY, String.format(Locale.ROOT, "%.4f", result.testAccuracy()))
                .with(DomainEvaluator.META_TEST_SET, testSpec)
                .with(DomainEvaluator.META_TEST_SET_HASH, test.contentHash());
        if (architecture != ClassifierArchitecture.STANDARD) {
            record = record.with(DomainEvaluator.META_ROLE, "feature-network");
        }
        Map<String, String> provenance = record.metadata();
        ModelFiles.report(out, dev.gancompress.runtime.VerifiedModelWriter.write(result.model().withName(prefix
                + nameOf(data)), out, provenance, verifyOption.verify()));
        try {
            Files.deleteIfExists(checkpoint);
        } catch (java.io.IOException e) {
            System.err.println("warning: cannot delete " + checkpoint + ": " + e.getMessage());
        }
        System.out.println("wrote " + out + " (features: layer '" + DomainEvaluator.FEATURE_LAYER + "', "
                + DomainEvaluator.FEATURE_DIM + " dimensions)");
        return ExitCode.OK.code();
    }

    private static String nameOf(String spec) {
        String name = Path.of(spec).getFileName().toString();
        return name.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    /** A progress bar with the loss, and one line per epoch with the test accuracy. */
    private static final class BarListener implements EvaluatorTrainer.Listener {
        private ProgressBar bar;

        @Override
        public void onStart(long firstStep, long totalSteps) {
            bar = new ProgressBarBuilder().setTaskName("train-evaluator").setInitialMax(totalSteps)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate().build();
            bar.stepTo(firstStep);
        }

        @Override
        public void onStep(long step, int epoch, double loss) {
            bar.stepTo(step);
            bar.setExtraMessage(String.format(Locale.ROOT, "ep %d loss %.3f", epoch + 1, loss));
        }

        @Override
        public void onEpochEnd(int epoch, double meanLoss, double testAccuracy, double seconds) {
            bar.setExtraMessage(String.format(Locale.ROOT, "ep %d loss %.3f acc %.4f", epoch + 1, meanLoss,
                    testAccuracy));
            System.err.printf(Locale.ROOT, "%nepoch %d: mean loss %.4f, test accuracy %.4f, %.1f s%n", epoch + 1,
                    meanLoss, testAccuracy, seconds);
        }

        @Override
        public void onFinish() {
            if (bar != null) {
                bar.close();
            }
        }
    }
}
