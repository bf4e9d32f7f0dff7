package dev.gancompress.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A fixed pool sized to the cores, shared by every kernel. Work is split into static contiguous chunks
 * so that which thread computes which output never changes the arithmetic: results are bit-identical
 * for any thread count as long as each output element is reduced by one thread in a fixed order.
 */
public final class Parallel {
    /** A body that processes the half-open range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static final int THREADS = Integer.getInteger("gancompress.threads",
            Runtime.getRuntime().availableProcessors());
    private static final ExecutorService POOL = Executors.newFixedThreadPool(THREADS, r -> {
        Thread t = new Thread(r, "gancompress-worker");
        t.setDaemon(true);
        return t;
    });
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);

    private Parallel() {
    }

    public static int threads() {
        return THREADS;
    }

    /** True on a thread that is running a body of {@link #forRange}: nested calls run inline there. */
    static boolean insideWorker() {
        return INSIDE.get();
    }

    /**
     * Runs body over [0, n) in at most {@link #threads()} chunks, chunk boundaries aligned to {@code grain}.
     * Nested calls from a worker run inline, so kernels may call each other freely.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int g = Math.max(1, grain);
        int units = (n + g - 1) / g;
        int chunks = Math.min(THREADS, units);
        if (chunks <= 1 || INSIDE.get()) {
            body.run(0, n);
            return;
        }
        List<Future<?>> futures = new ArrayList<>(chunks - 1);
        int per = units / chunks;
        int extra = units % chunks;
        int start = 0;
        int[] bounds = new int[chunks + 1];
        for (int c = 0; c < chunks; c++) {
            bounds[c] = start;
            start = Math.min(n, start + (per + (c < extra ? 1 : 0)) * g);
        }
        bounds[chunks] = n;
        for (int c = 1; c < chunks; c++) {
            final int s = bounds[c];
            final int e = bounds[c + 1];
            futures.add(POOL.submit(() -> {
                INSIDE.set(true);
                try {
                    body.run(s, e);
                } finally {
                    INSIDE.set(false);
                }
            }));
        }
        INSIDE.set(true);
        try {
            body.run(bounds[0], bounds[1]);
        } finally {
            INSIDE.set(false);
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a worker", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            }
        }
    }

    public static void forRange(int n, RangeBody body) {
        forRange(n, 1, body);
    }
}
