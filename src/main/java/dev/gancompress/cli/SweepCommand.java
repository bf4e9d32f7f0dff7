package dev.gancompress.cli;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.data.Datasets;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.metrics.DomainEvaluator;
import dev.gancompress.metrics.QualityEvaluation;
import dev.gancompress.model.Model;
import dev.gancompress.pipeline.Sweep;
import dev.gancompress.pipeline.SweepSpace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Grid or seeded random search over recipe parameters (--space, docs/SWEEPS.md): every trial "
                + "compresses and fine-tunes the teacher, is evaluated and appended to <out>/trials.jsonl as it "
                + "finishes; trials run in parallel, bounded by the cores and memory. A rerun skips finished trials. "
                + "Ends with every model timed in ONNX Runtime, the Pareto frontier of FID against bytes on disk, "
                + "MACs and latency (<out>/frontier.json) and the report of all trials (<out>/report.html, report.md).")
final class SweepCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    VerifyOption verifyOption = new VerifyOption();

    @picocli.CommandLine.Mixin
    ComparisonInputs inputs = new ComparisonInputs();

    @Option(names = "--space", required = true, description = "The search space JSON file (docs/SWEEPS.md).")
    Path space;

    @Option(names = "--out", required = true, description = "Sweep directory: trials.jsonl, trials/, report.html.")
    Path out;

    @Option(names = "--samples", defaultValue = "2000",
            description = "Generated samples per model for FID, KID, precision/recall (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--reference-count", defaultValue = "10000",
            description = "Real images compared against (default ${DEFAULT-VALUE}).")
    int referenceCount;

    @Option(names = "--seed", defaultValue = "1",
            description = "Seed of the fine-tunes and of the evaluation's latent codes (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--parallel", defaultValue = "0",
            description = "Trials at once; 0: as many as the cores and memory allow (default ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--batch", defaultValue = "64", description = "ORT timing batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--rounds", defaultValue = "10",
            description = "ORT timing rounds per model; 0 skips the timing (default ${DEFAULT-VALUE}).")
    int rounds;

    @Override
    public Integer call() throws Exception {
        // every option and the space checked before a model is read or trained
        if (samples < 2 || referenceCount < 2) {
            throw new GanCompressException("--samples and --reference-count must be >= 2, got " + samples + " and "
                    + referenceCount);
        }
        if (!Files.isRegularFile(space)) {
            throw new GanCompressException("--space " + space + ": no such file");
        }
        Sweep.Settings settings = new Sweep.Settings(parallel, batch, rounds);
        SweepSpace parsed = SweepSpace.read(space);
        Sweep.validate(parsed);
        if (!inputs.teacher.getFileName().toString().endsWith(".onnx")) {
            throw new GanCompressException("--teacher " + inputs.teacher + ": expected an .onnx file (its bytes on disk "
                    + "and its ONNX Runtime speed are the report's reference)");
        }
        Model teacher = ModelFiles.readGenerator(inputs.teacher);
        Path discriminatorFile = inputs.discriminatorFile();
        Model discriminator = discriminatorFile == null ? null : ModelFiles.read(discriminatorFile);
        DomainEvaluator evaluator = DomainEvaluator.load(inputs.evaluator);
        int[] image = teacher.outputShape().dims();
        ImageDataset train = Datasets.open(inputs.training.data, inputs.training.dataDir, image[0], image[1], image[2], Datasets.Fit.PAD);
        ImageDataset reference = Datasets.open(inputs.reference, inputs.training.dataDir, image[0], image[1], image[2],
                Datasets.Fit.PAD);
        evaluator.requireShape(reference);
        QualityEvaluation.Settings evalSettings = QualityEvaluation.Settings.defaults().withSamples(samples)
                .withSeed(seed).withReferenceCount(Math.min(referenceCount, reference.size()));
        Sweep sweep = new Sweep(teacher, inputs.teacher, discriminator, train, evaluator.model(),
                () -> new QualityEvaluation(DomainEvaluator.load(inputs.evaluator), reference, evalSettings),
                FineTuning.Settings.defaults(0, seed), out,
                Map.of("command", Main.invocation(), "teacher_sha256", dev.gancompress.Digests.sha256(inputs.teacher)),
                verifyOption.verify(), System.out);
        long started = System.nanoTime();
        Sweep.Result r = sweep.run(parsed, settings);
        System.out.printf(Locale.ROOT, "%d trials (%d run now, %d reused, %d failed) in %.1f min; frontier of FID, "
                        + "bytes, MACs and latency: %s%nwrote %s and %s%n", r.trials().size(), r.ran(), r.reused(),
                r.failed(), (System.nanoTime() - started) / 60e9, String.join(", ", r.frontier()), r.report(),
                out.resolve(Sweep.TRIALS));
        return ExitCode.OK.code();
    }
}
