package dev.gancompress.runtime;

import dev.gancompress.nn.Gemm;
import dev.gancompress.nn.Parallel;
import java.io.PrintStream;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Throughput of the engine's kernels in GFLOP/s, on one thread and on all of {@link Parallel#threads()}.
 * The GEMM shapes are square matrices and the im2col products of a 64 x 64 DCGAN (batch 64): a convolution
 * is C[Cout, N*H*W] = W[Cout, Cin*kh*kw] * col; its weight gradient is the NT form dW = dY * col^T; its
 * data gradient and a transposed convolution's forward are the TN form col = W^T * X.
 *
 * <p>Run: {@code java --add-modules=jdk.incubator.vector -cp target/classes
 * dev.gancompress.runtime.EngineBenchmark} ({@code -Dgancompress.threads=N} sets the pool size).
 */
public final class EngineBenchmark {
    /** One GEMM problem: C[m x n] = op(A)[m x k] * op(B)[k x n]. */
    public record GemmShape(String name, boolean transA, boolean transB, int m, int n, int k) {
        double flops() {
            return 2.0 * m * n * k;
        }
    }

    /** The shapes reported by {@link #gemmReport(PrintStream)}. */
    public static final List<GemmShape> GEMM_SHAPES = List.of(
            new GemmShape("square 256", false, false, 256, 256, 256),
            new GemmShape("square 512", false, false, 512, 512, 512),
            new GemmShape("square 1024", false, false, 1024, 1024, 1024),
            new GemmShape("conv 128->64 3x3 14x14 fwd", false, false, 64, 64 * 196, 1152),
            new GemmShape("conv 64->128 4x4 7x7 fwd", false, false, 128, 64 * 49, 1024),
            new GemmShape("convT 256->128 4x4 7x7 col (TN)", true, false, 2048, 64 * 49, 256),
            new GemmShape("convT 256->128 4x4 7x7 col (NN)", false, false, 2048, 64 * 49, 256),
            new GemmShape("conv 128->64 1024 col 14x14 (NN)", false, false, 1024, 64 * 196, 128),
            new GemmShape("conv 128->64 3x3 dW (NT)", false, true, 64, 1152, 64 * 196),
            new GemmShape("conv 64->128 4x4 dW (NT)", false, true, 128, 1024, 64 * 49),
            new GemmShape("conv 128->64 3x3 dX col (TN)", true, false, 1152, 64 * 196, 64));

    private static final double MIN_SECONDS = 0.4;

    private EngineBenchmark() {
    }

    /** Reports every shape, or only those whose name contains one of the arguments. */
    public static void main(String[] args) {
        List<GemmShape> shapes = args.length == 0 ? GEMM_SHAPES : GEMM_SHAPES.stream()
                .filter(s -> List.of(args).stream().anyMatch(s.name()::contains))
                .toList();
        gemmReport(System.out, shapes);
    }

    /** Prints GFLOP/s for every shape in {@link #GEMM_SHAPES}, single-threaded and on the whole pool. */
    public static void gemmReport(PrintStream out) {
        gemmReport(out, GEMM_SHAPES);
    }

    private static void gemmReport(PrintStream out, List<GemmShape> shapes) {
        int threads = Parallel.threads();
        out.printf("GEMM GFLOP/s (fp32), pool of %d thread(s)%n", threads);
        out.printf("%-36s %6s %6s %6s %10s %10s%n", "shape", "m", "n", "k", "1 thread", threads + " threads");
        for (GemmShape s : shapes) {
            Operands o = Operands.of(s, 42);
            double one = gflops(s, o, true);
            double all = threads > 1 ? gflops(s, o, false) : one;
            out.printf("%-36s %6d %6d %6d %10.1f %10.1f%n", s.name(), s.m(), s.n(), s.k(), one, all);
        }
    }

    /** Random operands laid out for one shape; seeded, so runs are repeatable. */
    private record Operands(float[] a, float[] b, float[] c, int lda, int ldb) {
        static Operands of(GemmShape s, long seed) {
            SplittableRandom rnd = new SplittableRandom(seed);
            float[] a = new float[s.m() * s.k()];
            float[] b = new float[s.k() * s.n()];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) rnd.nextDouble(-1, 1);
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) rnd.nextDouble(-1, 1);
            }
            return new Operands(a, b, new float[s.m() * s.n()], s.transA() ? s.m() : s.k(),
                    s.transB() ? s.k() : s.n());
        }
    }

    /** Best GFLOP/s of one shape on the whole pool, over at least 0.4 s of repetitions (the roofline's fp32 GEMM). */
    public static double gemmGflops(GemmShape s) {
        return gflops(s, Operands.of(s, 42), false);
    }

    private static double gflops(GemmShape s, Operands o, boolean singleThread) {
        Runnable call = () -> Gemm.gemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), o.a(), 0, o.lda(),
                o.b(), 0, o.ldb(), o.c(), 0, s.n(), false);
        // One thread: run inside a pool task; Parallel runs nested calls inline, so the GEMM stays on it.
        Runnable timed = singleThread
                ? () -> Parallel.forRange(Parallel.threads(), (start, end) -> {
                    if (start == 0) {
                        call.run();
                    }
                })
                : call;
        for (int i = 0; i < 3; i++) {
            timed.run();
        }
        double best = Double.MAX_VALUE;
        long deadline = System.nanoTime() + (long) (MIN_SECONDS * 1e9);
        int runs = 0;
        while (runs < 3 || System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            timed.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            runs++;
        }
        return s.flops() / best / 1e9;
    }
}
