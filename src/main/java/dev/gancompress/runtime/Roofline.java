package dev.gancompress.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.gancompress.GanCompressException;
import dev.gancompress.nn.Parallel;
import dev.gancompress.onnx.MatMulIntegerModel;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What this machine can do, measured in the benchmark's own run (so the same load applies): the engine's fp32 GEMM
 * on a large square problem, ONNX Runtime's int8 GEMM (MatMulInteger, u8 x s8, the kernel under its QLinearConv)
 * and a streaming copy. A model's achieved GFLOP/s read against these says whether it is compute or memory bound and
 * how far it is from the ceiling. Each figure is the best of its repetitions (the ceiling, not a typical run).
 */
public final class Roofline {
    /** GEMM size (m = n = k): large enough to be compute bound, small enough for ~0.1 s per product. */
    static final int GEMM_SIZE = 1024;
    /** Floats per copy buffer: 2 x 128 MB, far beyond any cache. */
    static final int COPY_FLOATS = 32 << 20;
    private static final double MIN_SECONDS = 0.4;

    /** GFLOP/s fp32 (engine GEMM), GOP/s int8 (ORT MatMulInteger), GB/s copy (bytes read + written). */
    public record Result(double fp32Gflops, double int8Gops, double copyGBps, int gemmSize, int threads) {
    }

    private Roofline() {
    }

    public static Result measure(int threads) {
        double fp32 = EngineBenchmark.gemmGflops(new EngineBenchmark.GemmShape("roofline", false, false, GEMM_SIZE,
                GEMM_SIZE, GEMM_SIZE));
        return new Result(fp32, int8Gops(threads, GEMM_SIZE), copyGBps(COPY_FLOATS), GEMM_SIZE, threads);
    }

    static double int8Gops(int threads, int size) {
        byte[] model = MatMulIntegerModel.build(size, size, size, 7);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        byte[] a = new byte[size * size];
        new SplittableRandom(8).nextBytes(a);
        ByteBuffer buffer = ByteBuffer.allocateDirect(a.length).put(a);
        buffer.rewind();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            OnnxRuntimeBackend.configure(opts, threads);
            try (OrtSession session = env.createSession(model, opts);
                 OnnxTensor input = OnnxTensor.createTensor(env, buffer, new long[] {size, size}, OnnxJavaType.UINT8)) {
                Map<String, OnnxTensor> feeds = Map.of(MatMulIntegerModel.INPUT, input);
                double best = bestSeconds(() -> {
                    try (OrtSession.Result r = session.run(feeds)) {
                        r.get(0);
                    } catch (OrtException e) {
                        throw new GanCompressException("ONNX Runtime failed on the int8 GEMM: " + e.getMessage(), e);
                    }
                });
                return 2.0 * size * size * size / best / 1e9;
            }
        } catch (OrtException e) {
            throw new GanCompressException("ONNX Runtime cannot load the int8 GEMM model: " + e.getMessage(), e);
        }
    }

    /** Copy bandwidth over the engine's pool, each thread copying its own contiguous part. */
    static double copyGBps(int floats) {
        float[] src = new float[floats];
        float[] dst = new float[floats];
        for (int i = 0; i < floats; i++) {
            src[i] = i;
        }
        double best = bestSeconds(() -> Parallel.forRange(floats, 1 << 16,
                (start, end) -> System.arraycopy(src, start, dst, start, end - start)));
        if (dst[floats - 1] != floats - 1) {
            throw new IllegalStateException("the copy did not copy");
        }
        return 2.0 * 4 * floats / best / 1e9;
    }

    private static double bestSeconds(Runnable r) {
        r.run();
        double best = Double.MAX_VALUE;
        long deadline = System.nanoTime() + (long) (MIN_SECONDS * 1e9);
        int runs = 0;
        while (runs < 3 || System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            r.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            runs++;
        }
        return best;
    }
}
