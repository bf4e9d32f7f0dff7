package dev.gancompress.runtime;

import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.nn.InferenceNetwork;
import dev.gancompress.nn.Initializer;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Times the teacher-sized DCGAN generator on the engine at batch 64: inference forward, and a training
 * forward + backward (parameter and input gradients). Reports achieved GFLOP/s from the IR's MAC count
 * (backward counted as 2x forward). Comparisons with other runtimes are {@link InferenceBenchmark}'s.
 */
public final class GeneratorBenchmark {
    private GeneratorBenchmark() {
    }

    /**
     * Per-step times of the model compiled for inference ({@link InferenceNetwork}), against the training path's
     * evaluation forward in alternating rounds, at one batch size.
     */
    static void inferenceProfile(PrintStream out, Model g, int batch) {
        InferenceNetwork fused = new InferenceNetwork(g);
        Network plain = new Network(g);
        float[] z = new float[batch * 100];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) Math.sin(i * 0.37);
        }
        Map<String, Tensor> in = Map.of(Dcgan.LATENT, new Tensor(new int[] {batch, 100}, z));
        int reps = Math.max(10, 640 / batch);
        for (int i = 0; i < reps; i++) {
            fused.forward(in);
            plain.forward(in, false);
        }
        fused.startProfiling();
        plain.startProfiling();
        double fusedSeconds = 0;
        double plainSeconds = 0;
        for (int round = 0; round < 4; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                fused.forward(in);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                plain.forward(in, false);
            }
            fusedSeconds += (t1 - t0) / 1e9;
            plainSeconds += (System.nanoTime() - t1) / 1e9;
        }
        int runs = 4 * reps;
        double flops = 2.0 * g.macs() * batch;
        out.printf(Locale.ROOT, "compiled for inference, batch %d (alternating rounds with the training path's eval "
                + "forward):%n", batch);
        out.printf(Locale.ROOT, "  inference plan   %8.3f ms  %7.1f GFLOP/s  %8.0f images/s%n",
                fusedSeconds * 1e3 / runs, flops * runs / fusedSeconds / 1e9, batch * runs / fusedSeconds);
        out.printf(Locale.ROOT, "  training path    %8.3f ms  %7.1f GFLOP/s  %8.0f images/s%n",
                plainSeconds * 1e3 / runs, flops * runs / plainSeconds / 1e9, batch * runs / plainSeconds);
        out.println("  per step of the plan, ms per pass:");
        for (Map.Entry<String, Double> e : fused.profile().entrySet()) {
            out.printf(Locale.ROOT, "    %-28s %8.3f%n", e.getKey(), e.getValue() / runs);
        }
    }

    /** Only the inference profile of the teacher, at the batch sizes given (default 64 and 1). */
    public static void main(String[] args) {
        Model g = Dcgan.generator(DcganSpec.fashionTeacher(0));
        Initializer.dcgan(g, 1);
        for (String b : args.length == 0 ? new String[] {"64", "1"} : args) {
            inferenceProfile(System.out, g, Integer.parseInt(b));
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
        out.println("  per layer, ms per pass (forward | backward), averaged over eval and training passes:");
        for (Map.Entry<String, double[]> e : net.profile().entrySet()) {
            out.printf(Locale.ROOT, "    %-12s %8.2f | %8.2f%n", e.getKey(), e.getValue()[0] / (2 * reps),
                    e.getValue()[1] / reps);
        }
        for (int b : new int[] {64, 1}) {
            inferenceProfile(out, g, b);
        }
        // The in-process ORT line that was here timed ORT with spinning threads right after the engine; the
        // comparison now has its own protocol (interleaved, spinning off) in InferenceBenchmark.
        out.println("  engine vs ONNX Runtime (and PyTorch): gancompress bench --model FILE --backend engine,ort[,djl]");
    }
}
