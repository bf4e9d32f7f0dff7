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
    /** Spin-wait iterations (~20 us) before a caller of forChunks parks. */
    private static final int SPIN_LIMIT = 2000;
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

    /**
     * Like {@link #forRange}, but [0, n) is cut into up to {@code perThread} chunks per thread (boundaries aligned
     * to {@code grain}) that the caller and the workers claim one at a time, and the caller waits only for chunks
     * that were claimed. On a shared machine a worker the scheduler does not run in time leaves its chunks to the
     * threads that are running instead of stalling the call: with the static split of forRange, one descheduled
     * worker held every layer of the teacher back and 2 threads ran slower than 1 under a load of 12. Which thread
     * runs a chunk does not change its arithmetic, so results stay bit-identical for any thread count.
     */
    public static void forChunks(int n, int grain, int perThread, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int g = Math.max(1, grain);
        int units = (n + g - 1) / g;
        int chunks = Math.min(units, THREADS * Math.max(1, perThread));
        if (THREADS == 1 || chunks <= 1 || INSIDE.get()) {
            body.run(0, n);
            return;
        }
        Claims claims = new Claims(n, g, units, chunks, body, Thread.currentThread());
        for (int w = 1; w < Math.min(THREADS, chunks); w++) {
            POOL.execute(claims::work);
        }
        claims.work();
        claims.awaitFinished();
    }

    /** The chunks of one {@link #forChunks} call: claimed by counter, finished counted, the caller woken at the end. */
    private static final class Claims {
        private final int n;
        private final int grain;
        private final int units;
        private final int chunks;
        private final RangeBody body;
        private final Thread caller;
        private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.concurrent.atomic.AtomicInteger finished =
                new java.util.concurrent.atomic.AtomicInteger();
        private volatile Throwable failure;

        Claims(int n, int grain, int units, int chunks, RangeBody body, Thread caller) {
            this.n = n;
            this.grain = grain;
            this.units = units;
            this.chunks = chunks;
            this.body = body;
            this.caller = caller;
        }

        void work() {
            boolean outer = !INSIDE.get();
            INSIDE.set(true);
            try {
                for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                    try {
                        int start = (int) ((long) c * units / chunks) * grain;
                        int end = (int) Math.min(n, (long) ((long) (c + 1) * units / chunks) * grain);
                        body.run(start, end);
                    } catch (Throwable t) {
                        failure = t;
                    } finally {
                        if (finished.incrementAndGet() == chunks) {
                            java.util.concurrent.locks.LockSupport.unpark(caller);
                        }
                    }
                }
            } finally {
                if (outer) {
                    INSIDE.set(false);
                }
            }
        }

        void awaitFinished() {
            // a short spin first: the last chunk usually ends within microseconds, and a parked caller may wait a
            // whole scheduler slice to run again on a loaded machine
            for (int i = 0; i < SPIN_LIMIT && finished.get() < chunks; i++) {
                Thread.onSpinWait();
            }
            while (finished.get() < chunks) {
                java.util.concurrent.locks.LockSupport.park(this);
            }
            Throwable t = failure;
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error err) {
                throw err;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }
    }

    public static void forRange(int n, RangeBody body) {
        forRange(n, 1, body);
    }
}
