package dev.gancompress.cli;

import dev.gancompress.runtime.EngineBenchmark;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "bench-engine", mixinStandardHelpOptions = true,
        description = "GEMM GFLOP/s on square and im2col shapes, and forward+backward time of the DCGAN teacher "
                + "generator at batch 64.")
final class BenchEngineCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        EngineBenchmark.gemmReport(System.out);
        dev.gancompress.runtime.GeneratorBenchmark.report(System.out);
        return ExitCode.OK.code();
    }
}
