package dev.gancompress.runtime;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What one inference session adds to the process's memory, for the benchmark's memory column: the Java heap it keeps
 * (the heap still in use after a collection: the engine's buffers and weights) plus the native memory it touched
 * (ONNX Runtime's and PyTorch's arenas): the increase of the resident-set peak (VmHWM, reset before the session opens
 * through {@code /proc/self/clear_refs}, Linux 4.0+) beyond what the JVM's heap grew by in the meantime. An estimate:
 * heap pages the JVM commits but has not touched make the native part read low.
 */
final class ProcessMemory {
    /** A reading taken before the session is opened. */
    record Mark(long residentBytes, long heapBytes, long committedHeapBytes) {
    }

    private ProcessMemory() {
    }

    static Mark mark() {
        long heap = liveHeap();
        resetPeak();
        return new Mark(status("VmRSS:"), heap, committedHeap());
    }

    /** Bytes the session added since {@code before}: retained heap plus native resident growth, each >= 0. */
    static long addedSince(Mark before) {
        long peak = status("VmHWM:");
        long resident = peak > 0 && before.residentBytes() > 0 ? peak - before.residentBytes() : 0;
        long heap = liveHeap() - before.heapBytes();
        long nativeGrowth = resident - Math.max(0, committedHeap() - before.committedHeapBytes());
        return Math.max(0, heap) + Math.max(0, nativeGrowth);
    }

    private static long committedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    }

    private static long liveHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            // without the reset, VmHWM is the process's peak so far and the increase reads as 0 for native memory
        }
    }

    /** A "/proc/self/status" field in bytes, or 0 when it cannot be read. */
    private static long status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    String[] f = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(f[0]) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return 0;
    }
}
