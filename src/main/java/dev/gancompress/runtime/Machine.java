package dev.gancompress.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The machine and moment of a benchmark, printed with its table: CPU model and vector flags (/proc/cpuinfo), logical
 * CPUs, the load average before the run (on a shared machine the numbers only mean something next to it), the JVM,
 * and the UTC time.
 */
public record Machine(String cpu, java.util.List<String> vectorFlags, int logicalCpus, String loadAverage,
                      String java, String date) {
    public static Machine read() {
        CpuFeatures features = CpuFeatures.read();
        int cpus = 0;
        try {
            cpus = (int) Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("processor")).count();
        } catch (IOException e) {
            // not Linux: fall back to what the JVM sees
        }
        return new Machine(features.model(), features.vectorFlags(),
                cpus > 0 ? cpus : Runtime.getRuntime().availableProcessors(), readLoadAverage(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    }

    /** The first three fields of /proc/loadavg (1, 5 and 15 minutes), or "unknown". */
    static String readLoadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return "unknown";
        }
    }

    public String describe() {
        String simd = vectorFlags.contains("avx512f") ? "AVX-512" : vectorFlags.contains("avx2") ? "AVX2" : "no AVX2";
        return cpu + ", " + logicalCpus + " logical CPUs, " + simd + " [" + String.join(" ", vectorFlags) + "], "
                + java + ", load average " + loadAverage + ", " + date;
    }
}
