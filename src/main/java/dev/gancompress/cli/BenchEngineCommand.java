package dev.gancompress.cli;

import dev.gancompress.compress.quantize.ActivationCalibration;
import dev.gancompress.compress.quantize.ActivationQuantizationConfig;
import dev.gancompress.model.Model;
import dev.gancompress.runtime.EngineBenchmark;
import dev.gancompress.runtime.GeneratorBenchmark;
import dev.gancompress.runtime.Int8Throughput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "bench-engine", mixinStandardHelpOptions = true,
        description = "GEMM GFLOP/s on square and im2col shapes, and forward+backward time of the DCGAN teacher "
                + "generator at batch 64, per layer (engine against ONNX Runtime and PyTorch: the bench command). "
                + "With --int8: ONNX Runtime images/s of a generator in fp32 and in int8 "
                + "(int8 weights, calibrated uint8 activations) in one run, their ratio and PSNR.")
final class BenchEngineCommand implements Callable<Integer> {
    @Option(names = "--int8", paramLabel = "FILE",
            description = "Generator ONNX file: instead of the engine report, time it in ONNX Runtime in fp32 and "
                    + "as int8 (ptq-weights int8, then ptq-activations) and print the int8/fp32 speed ratio.")
    Path int8Teacher;

    @Option(names = "--calibration-samples", defaultValue = "256",
            description = "Latent codes the activation ranges are calibrated on (default ${DEFAULT-VALUE}).")
    int calibrationSamples;

    @Option(names = "--calibration", defaultValue = "percentile",
            description = "percentile (99.99 %) or minmax (default ${DEFAULT-VALUE}).")
    String calibration;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size for --int8 (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of calibration and test latents.")
    long seed;

    @Override
    public Integer call() {
        if (int8Teacher == null) {
            EngineBenchmark.gemmReport(System.out);
            GeneratorBenchmark.report(System.out);
            return ExitCode.OK.code();
        }
        if (batch < 1) {
            throw new dev.gancompress.GanCompressException("--batch must be >= 1, got " + batch);
        }
        ActivationQuantizationConfig config = new ActivationQuantizationConfig(null, calibrationSamples, calibration,
                null, null);
        Model fp32 = ModelFiles.readGenerator(int8Teacher);
        Model int8 = ActivationCalibration.int8(fp32, config, seed);
        Int8Throughput.print(Int8Throughput.measure(fp32, int8, batch, seed), int8Teacher + " (activations: "
                + config.describe() + ")", System.out);
        return ExitCode.OK.code();
    }
}
