package dev.gancompress.cli;

import dev.gancompress.GanCompressException;
import dev.gancompress.metrics.MetricsSanity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "metrics-sanity", mixinStandardHelpOptions = true,
        description = "FID, KID and precision/recall of real training images, clean and degraded by noise and blur, "
                + "against the test set: the metrics must grow (or fall) with the degradation.")
final class MetricsSanityCommand implements Callable<Integer> {
    @Option(names = "--evaluator", defaultValue = "models/evaluator-fashion.onnx",
            description = "Evaluator ONNX file made by train-evaluator (default ${DEFAULT-VALUE}).")
    Path evaluator;

    @Option(names = "--count", defaultValue = "10000", description = "Images per set (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--data-dir",
            description = "Where the Fashion-MNIST IDX files are (default: the Debian package's).")
    Path dataDir;

    @Override
    public Integer call() {
        if (count < 2) {
            throw new GanCompressException("--count must be >= 2, got " + count);
        }
        MetricsSanity.run(evaluator, count, dataDir, System.out);
        return ExitCode.OK.code();
    }
}
