package dev.gancompress.runtime;

import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Initializer;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Times the teacher-sized DCGAN generator on the engine at batch 64: inference forward, and a training
 * forward + backward (parameter and input gradients). Reports achieved GFLOP/s from the IR's MAC count
 * (backward counted as 2x forward).
 */
public final class GeneratorBenchmark {
    private GeneratorBenchmark() {
    }

    /** Seconds per forward of the same model and inputs in ONNX Runtime (same threads, same process). */
    static double onnxRuntimeForward(Model g, Map<String, Tensor> in, int reps) {
        byte[] bytes = dev.gancompress.onnx.OnnxExporter.toBytes(g, Map.of());
        try (OnnxRuntimeBackend ort = new OnnxRuntimeBackend(bytes, dev.gancompress.nn.Parallel.threads())) {
            for (int i = 0; i < 3; i++) {
                ort.run(in);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                ort.run(in);
            }
            return (System.nanoTime() - t0) / 1e9 / reps;
        }
    }

    public static void report(PrintStream out) {
        Model g = Dcgan.generator(DcganSpec.fashionTeacher(0));
        Initializer.dcgan(g, 1);
        Network net = new Network(g);
        int batch = 64;
        float[] z = new float[batch * 100];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) Math.sin(i * 0.37);
        }
        Map<String, Tensor> in = Map.of(Dcgan.LATENT, new Tensor(new int[] {batch, 100}, z));
        Tensor grad = null;
        for (int i = 0; i < 5; i++) {
            Tensor y = net.forward(in, true);
            grad = new Tensor(y.shape(), y.data().clone());
            net.backward(grad, true);
        }
        int reps = 10;
        net.startProfiling();
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            net.forward(in, false);
        }
        double fwd = (System.nanoTime() - t0) / 1e9 / reps;
        t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            net.forward(in, true);
            net.zeroGradients();
            net.backward(grad, true);
        }
        double train = (System.nanoTime() - t0) / 1e9 / reps;
        double flops = 2.0 * g.macs() * batch;
        out.printf(Locale.ROOT, "DCGAN teacher generator (%,d params, %,d MACs/image), batch %d, %d threads:%n",
                g.parameterCount(), g.macs(), batch, dev.gancompress.nn.Parallel.threads());
        out.printf(Locale.ROOT, "  forward (eval)      %8.2f ms  %7.1f GFLOP/s  %8.0f images/s%n", fwd * 1e3,
                flops / fwd / 1e9, batch / fwd);
        out.printf(Locale.ROOT, "  forward + backward  %8.2f ms  %7.1f GFLOP/s  %8.0f images/s%n", train * 1e3,
                3 * flops / train / 1e9, batch / train);
        double ort = onnxRuntimeForward(g, in, reps);
        out.printf(Locale.ROOT, "  ONNX Runtime forward %7.2f ms  %7.1f GFLOP/s  %8.0f images/s  (engine/ORT speed ratio %.2f)%n",
                ort * 1e3, flops / ort / 1e9, batch / ort, ort / fwd);
        out.println("  per layer, ms per pass (forward | backward), averaged over eval and training passes:");
        for (Map.Entry<String, double[]> e : net.profile().entrySet()) {
            out.printf(Locale.ROOT, "    %-12s %8.2f | %8.2f%n", e.getKey(), e.getValue()[0] / (2 * reps),
                    e.getValue()[1] / reps);
        }
    }
}
