package dev.gancompress.cli;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Parallel;
import dev.gancompress.runtime.BenchReport;
import dev.gancompress.runtime.InferenceBenchmark;
import dev.gancompress.runtime.Roofline;
import dev.gancompress.runtime.TrainingBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Images/s of models on inference backends (engine, ONNX Runtime, PyTorch through DJL) in one "
                + "process: warm-up, then interleaved repetitions of every model and backend; per model, backend and "
                + "batch the median images/s and spread, latency p50/p99 at batch 1, memory, achieved GFLOP/s from "
                + "the IR's MACs and the ratio to the first model. --roofline measures the machine in the same run.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "FILE",
            description = "Model file (ONNX or .gcz); repeat for more. The first is the reference of the ratio column.")
    List<Path> models;

    @Option(names = "--backend", split = ",", defaultValue = "engine,ort", paramLabel = "NAME",
            description = "Backends, comma-separated: engine, engine-unfused (the engine's training-path forward, "
                    + "one kernel per layer), ort, djl (default ${DEFAULT-VALUE}).")
    List<String> backends;

    @Option(names = "--batch", split = ",", defaultValue = "1,16,64", paramLabel = "N",
            description = "Batch sizes, comma-separated (default ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--seconds", defaultValue = "30", paramLabel = "S",
            description = "Timing budget of the interleaved repetitions, split over the batch sizes (default "
                    + "${DEFAULT-VALUE}); warm-up, memory, roofline and --train come on top.")
    double seconds;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the result as JSON.")
    Path json;

    @Option(names = "--roofline", description = "Measure fp32 GEMM (engine), int8 GEMM (ORT) and copy bandwidth in "
            + "the same run and show each row's share of it.")
    boolean roofline;

    @Option(names = "--train", description = "Also time one training step (forward, backward, Adam) of the teacher's "
            + "discriminator and an upsample+conv generator, engine vs PyTorch (needs the djl build).")
    boolean train;

    @Option(names = "--train-batch", defaultValue = "64", paramLabel = "N",
            description = "Batch of the --train steps (default ${DEFAULT-VALUE}).")
    int trainBatch;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the inputs (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        InferenceBenchmark.Config config = new InferenceBenchmark.Config(backends, batches, seconds,
                Parallel.threads(), seed);
        if (train && trainBatch < 1) {
            throw new GanCompressException("--train-batch must be >= 1, got " + trainBatch);
        }
        Map<String, Model> byName = new LinkedHashMap<>();
        java.util.Set<Path> seen = new java.util.HashSet<>();
        for (Path file : models) {
            if (!Files.isRegularFile(file)) {
                throw new GanCompressException("--model: file " + file + " does not exist");
            }
            if (!seen.add(file.toAbsolutePath().normalize())) {
                throw new GanCompressException("--model: " + file + " is given twice");
            }
        }
        for (Path file : models) {
            // the file name names a row; the path only when two files share a name
            String name = byName.containsKey(file.getFileName().toString()) ? file.toString()
                    : file.getFileName().toString();
            byName.put(name, ModelFiles.read(file));
        }
        System.out.println("bench: " + byName.size() + " model(s) x " + config.backends() + " x batch "
                + config.batches() + ", " + config.seconds() + " s of timing");
        long started = System.nanoTime();
        InferenceBenchmark.Result result = InferenceBenchmark.run(byName, config, System.out);
        Roofline.Result roof = roofline ? Roofline.measure(config.threads()) : null;
        List<TrainingBenchmark.Row> training = train ? TrainingBenchmark.run(TrainingBenchmark.models(seed),
                trainBatch, config.threads(), Math.max(4, config.seconds() / 4), seed, System.out) : List.of();
        result = InferenceBenchmark.with(result, roof, training, (System.nanoTime() - started) / 1e9);
        System.out.println();
        BenchReport.print(result, System.out);
        if (json != null) {
            BenchReport.writeJson(result, json);
            System.out.println("wrote " + json);
        }
        return ExitCode.OK.code();
    }
}
