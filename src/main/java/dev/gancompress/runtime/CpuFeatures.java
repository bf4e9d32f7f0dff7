package dev.gancompress.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The CPU a benchmark ran on, from /proc/cpuinfo: its model name and the vector flags that decide which int8 kernels
 * ONNX Runtime can use (AVX2; AVX-512; VNNI, whose dot-product instructions are the main source of int8 speed-ups on
 * x86). Empty on systems without /proc/cpuinfo.
 */
public record CpuFeatures(String model, List<String> vectorFlags) {
    private static final List<String> INTERESTING = List.of("avx2", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
            "avx_vnni", "amx_int8", "amx_tile");

    public static CpuFeatures read() {
        return read(Path.of("/proc/cpuinfo"));
    }

    static CpuFeatures read(Path cpuinfo) {
        String model = "unknown CPU";
        Set<String> flags = new TreeSet<>();
        try {
            for (String line : Files.readAllLines(cpuinfo)) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String key = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                if (key.equals("model name")) {
                    model = value;
                } else if (key.equals("flags")) {
                    for (String f : value.split("\\s+")) {
                        if (INTERESTING.contains(f)) {
                            flags.add(f);
                        }
                    }
                }
            }
        } catch (IOException e) {
            // no /proc (not Linux): the report says "unknown CPU" rather than failing a benchmark
        }
        return new CpuFeatures(model, List.copyOf(flags));
    }

    public boolean vnni() {
        return vectorFlags.contains("avx512_vnni") || vectorFlags.contains("avx_vnni");
    }

    @Override
    public String toString() {
        return model + " [" + String.join(" ", vectorFlags) + "]";
    }
}
