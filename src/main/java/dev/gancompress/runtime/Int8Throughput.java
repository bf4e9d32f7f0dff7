package dev.gancompress.runtime;

import dev.gancompress.metrics.ImageFidelity;
import dev.gancompress.model.Input;
import dev.gancompress.model.Model;
import dev.gancompress.model.Shape;
import dev.gancompress.nn.Initializer;
import dev.gancompress.nn.Parallel;
import dev.gancompress.nn.Tensor;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.onnx.OnnxNode;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * ONNX Runtime images/s of an fp32 generator and its int8 version in one process run, at one batch size and thread
 * count (and the fp32 model with its ConvTransposes in sub-pixel form, to tell whether that form alone is faster),
 * plus the PSNR of the int8 images to the fp32 ones on the same latent codes and the operators ORT actually
 * runs for the int8 graph. The models are timed in alternating short rounds and each reports its median round, so
 * that load from other processes on a shared machine hits both alike.
 */
public final class Int8Throughput {
    /** What one comparison measured. */
    public record Result(int batch, int threads, double fp32ImagesPerSecond, double fp32SubPixelImagesPerSecond,
                         double int8ImagesPerSecond, double psnr, int psnrImages, Map<String, Integer> int8Operators, CpuFeatures cpu) {
        public double speedup() {
            return int8ImagesPerSecond / fp32ImagesPerSecond;
        }
    }

    /** Many short rounds: on a shared machine a burst of load then spoils a few rounds, not a model's whole mean. */
    private static final int ROUNDS = 25;
    private static final int PSNR_IMAGES = 256;

    private Int8Throughput() {
    }

    /**
     * Times both models and compares their outputs on {@value #PSNR_IMAGES} latent codes from {@code seed}.
     *
     * @param int8 the quantised model (exported with its default form: sub-pixel ConvTranspose when its activations
     *             are quantised)
     */
    public static Result measure(Model fp32, Model int8, int batch, long seed) {
        byte[] fp32Bytes = OnnxExporter.toBytes(fp32, Map.of());
        byte[] int8Bytes = OnnxExporter.toBytes(int8, Map.of());
        byte[] subPixelBytes = OnnxExporter.toBytes(fp32, Map.of(), OnnxExporter.ConvTransposeForm.SUB_PIXEL);
        int threads = Parallel.threads();
        double[] fp32Seconds = new double[ROUNDS];
        double[] int8Seconds = new double[ROUNDS];
        double[] subPixelSeconds = new double[ROUNDS];
        double psnrSum = 0;
        int psnrBatches = 0;
        try (OnnxRuntimeBackend a = new OnnxRuntimeBackend(fp32Bytes, threads);
             OnnxRuntimeBackend b = new OnnxRuntimeBackend(int8Bytes, threads);
             OnnxRuntimeBackend c = new OnnxRuntimeBackend(subPixelBytes, threads)) {
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int done = 0; done < PSNR_IMAGES; done += batch, psnrBatches++) {
                Map<String, Tensor> feeds = latents(fp32, batch, rnd);
                Tensor x = a.run(feeds);
                Tensor y = b.run(feeds);
                Shape s = fp32.outputShape();
                psnrSum += ImageFidelity.psnr(x.data(), y.data(), batch, s.channels(), s.height(), s.width());
            }
            Map<String, Tensor> feeds = latents(fp32, batch, new SplittableRandom(seed + 1));
            for (int i = 0; i < 3; i++) {
                a.run(feeds);
                b.run(feeds);
                c.run(feeds);
            }
            for (int r = 0; r < ROUNDS; r++) {
                fp32Seconds[r] = OnnxThroughput.timed(a, feeds);
                int8Seconds[r] = OnnxThroughput.timed(b, feeds);
                subPixelSeconds[r] = OnnxThroughput.timed(c, feeds);
            }
        }
        return new Result(batch, threads, batch / OnnxThroughput.median(fp32Seconds), batch / OnnxThroughput.median(subPixelSeconds),
                batch / OnnxThroughput.median(int8Seconds),
                psnrSum / psnrBatches, psnrBatches * batch, operators(int8Bytes), CpuFeatures.read());
    }

    /** Standard normal latent codes (labels cycling when the generator is conditional). */
    static Map<String, Tensor> latents(Model g, int batch, SplittableRandom rnd) {
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (Input in : g.inputs()) {
            int size = Math.max(1, in.shape().size());
            float[] data = new float[batch * size];
            for (int i = 0; i < data.length; i++) {
                data[i] = in.kind() == Input.Kind.LABEL ? i % in.numClasses() : (float) Initializer.gaussian(rnd);
            }
            int[] dims = in.shape().dims();
            int[] shape = new int[dims.length + 1];
            shape[0] = batch;
            System.arraycopy(dims, 0, shape, 1, dims.length);
            feeds.put(in.name(), new Tensor(shape, data));
        }
        return feeds;
    }

    /** Operator counts of the graph ORT executes for {@code onnx} (its optimised model, read back). */
    public static Map<String, Integer> operators(byte[] onnx) {
        try {
            Path file = Files.createTempFile("gancompress-optimized", ".onnx");
            try {
                OnnxRuntimeBackend.writeOptimizedModel(onnx, file);
                List<OnnxNode> nodes = OnnxImporter.parse(Files.readAllBytes(file), file.toString()).graph().nodes();
                Map<String, Integer> counts = new TreeMap<>();
                nodes.forEach(n -> counts.merge(n.opType(), 1, Integer::sum));
                return counts;
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read ONNX Runtime's optimised model: " + e.getMessage(), e);
        }
    }

    public static void print(Result r, String name, PrintStream out) {
        out.printf(Locale.ROOT, "ONNX Runtime, %s, batch %d, %d threads, CPU %s%n", name, r.batch(), r.threads(),
                r.cpu());
        out.printf(Locale.ROOT, "  fp32            %8.0f images/s%n", r.fp32ImagesPerSecond());
        out.printf(Locale.ROOT, "  fp32 sub-pixel  %8.0f images/s  (ConvTranspose as Conv + DepthToSpace; /fp32 %.2f)%n",
                r.fp32SubPixelImagesPerSecond(), r.fp32SubPixelImagesPerSecond() / r.fp32ImagesPerSecond());
        out.printf(Locale.ROOT, "  int8            %8.0f images/s  (int8/fp32 speed ratio %.2f)%n",
                r.int8ImagesPerSecond(), r.speedup());
        out.printf(Locale.ROOT, "  PSNR int8 to fp32 %6.2f dB on %d latent codes%n", r.psnr(), r.psnrImages());
        out.printf(Locale.ROOT, "  int8 graph as ORT runs it: %s%n", r.int8Operators());
    }
}
