package dev.gancompress.compress.encode;

import dev.gancompress.compress.prune.MagnitudePruning;
import dev.gancompress.compress.prune.PruningScope;
import dev.gancompress.metrics.ImageFidelity;
import dev.gancompress.model.Input;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.onnx.OnnxModelProto;
import dev.gancompress.runtime.GeneratorSampler;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Deep-Compression pipeline without fine-tuning on the bundled teacher: magnitude pruning -> weight sharing ->
 * entropy coding in .gcz, bytes and ratio to the fp32 ONNX after each stage and PSNR to the teacher (256 seeded
 * latents; every model is the one decoded from its .gcz, so the PSNR is of what the file holds). Not a test: run by
 * hand with the test classpath, argument the teacher's ONNX file.
 */
final class DeepCompressionMeasurements {
    private static final int SAMPLES = 256;

    private DeepCompressionMeasurements() {
    }

    public static void main(String[] args) {
        Model teacher = OnnxImporter.read(Path.of(args.length > 0 ? args[0] : "models/dcgan-fashion.onnx"));
        Map<String, Tensor> z = latents(teacher);
        float[] reference = run(teacher, z);
        long fp32 = OnnxExporter.toBytes(teacher, Map.of()).length;
        System.out.printf(Locale.ROOT, "teacher %s: fp32 ONNX %,d bytes; PSNR over %d seeded latents%n",
                teacher.name(), fp32, SAMPLES);
        System.out.println("| stage | bytes | ratio to fp32 ONNX | PSNR to teacher (dB) |");
        System.out.println("|---|---:|---:|---:|");
        if (args.length > 1 && args[1].equals("--quick")) {
            quick(teacher, z, reference, fp32);
            return;
        }
        if (args.length > 1 && args[1].equals("--psnr")) { // of model files (ONNX or .gcz) given after it
            for (int i = 2; i < args.length; i++) {
                Path file = Path.of(args[i]);
                Model m = GczReader.isGcz(file) ? GczReader.readModel(file) : OnnxImporter.read(file);
                System.out.printf(Locale.ROOT, "%s: %,d bytes, PSNR %.2f dB%n", file, file.toFile().length(),
                        psnr(m, z, reference));
            }
            return;
        }
        row("teacher, fp32 ONNX", fp32, fp32, Double.POSITIVE_INFINITY);
        stage("teacher, .gcz (lossless)", teacher, Set.of("huffman", "rans"), fp32, z, reference);
        for (double sparsity : new double[] {0.8, 0.9}) {
            Model pruned = new MagnitudePruning(MagnitudePruning.Config.oneShot(sparsity, PruningScope.GLOBAL))
                    .apply(teacher, null);
            String p = String.format(Locale.ROOT, "prune %.0f%%", sparsity * 100);
            stage(p + ", .gcz sparse fp32", pruned, Set.of("huffman", "rans"), fp32, z, reference);
            for (int bits : new int[] {5, 4}) {
                Model shared = new WeightSharing(new WeightSharingConfig(bits, CentroidInit.LINEAR, null, 0L, null,
                        false)).apply(pruned, null);
                String s = p + " + share " + bits + "-bit";
                stage(s + ", fixed-width codes", shared, Set.of(), fp32, z, reference);
                stage(s + ", Huffman", shared, Set.of("huffman"), fp32, z, reference);
                stage(s + ", rANS", shared, Set.of("rans"), fp32, z, reference);
                stage(s + ", best per stream", shared, Set.of("huffman", "rans"), fp32, z, reference);
            }
        }
        System.out.println();
        System.out.println("| sparsity | bits | init | .gcz bytes | ratio | PSNR (dB) |");
        System.out.println("|---:|---:|---|---:|---:|---:|");
        for (double sparsity : new double[] {0.8, 0.9, 0.95}) {
            Model pruned = new MagnitudePruning(MagnitudePruning.Config.oneShot(sparsity, PruningScope.GLOBAL))
                    .apply(teacher, null);
            for (int bits : new int[] {3, 4, 5}) {
                for (CentroidInit init : CentroidInit.values()) {
                    if (init != CentroidInit.LINEAR && !(sparsity == 0.9 && bits == 4)) {
                        continue;
                    }
                    Model shared = new WeightSharing(new WeightSharingConfig(bits, init, null, 0L, null, false))
                            .apply(pruned, null);
                    GczWriter.Encoded e = GczWriter.encode(OnnxExporter.toProto(shared, Map.of()));
                    double psnr = psnr(decoded(e), z, reference);
                    System.out.printf(Locale.ROOT, "| %.0f%% | %d | %s | %,d | %.1fx | %.2f |%n", sparsity * 100, bits,
                            init.jsonName(), e.bytes().length, (double) fp32 / e.bytes().length, psnr);
                }
            }
        }
    }

    /** Pruning scope and sparsity against PSNR, with and without sharing: where quality breaks. */
    private static void quick(Model teacher, Map<String, Tensor> z, float[] reference, long fp32) {
        System.out.println();
        System.out.println("| scope | sparsity | bits | .gcz bytes | ratio | PSNR (dB) |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (PruningScope scope : PruningScope.values()) {
            for (double sparsity : new double[] {0, 0.3, 0.5, 0.7, 0.8}) {
                Model pruned = sparsity == 0 ? teacher : new MagnitudePruning(MagnitudePruning.Config.oneShot(
                        sparsity, scope)).apply(teacher, null);
                for (int bits : new int[] {0, 4, 6}) {
                    Model m = bits == 0 ? pruned : new WeightSharing(new WeightSharingConfig(bits,
                            CentroidInit.LINEAR, null, 0L, null, false)).apply(pruned, null);
                    GczWriter.Encoded e = GczWriter.encode(OnnxExporter.toProto(m, Map.of()));
                    System.out.printf(Locale.ROOT, "| %s | %.0f%% | %s | %,d | %.1fx | %.2f |%n", scope,
                            sparsity * 100, bits == 0 ? "fp32" : Integer.toString(bits), e.bytes().length,
                            (double) fp32 / e.bytes().length, psnr(decoded(e), z, reference));
                }
            }
        }
    }

    private static void stage(String name, Model m, Set<String> codecs, long fp32, Map<String, Tensor> z,
                              float[] reference) {
        OnnxModelProto proto = OnnxExporter.toProto(m, Map.of());
        GczWriter.Encoded e = GczWriter.encode(proto, codecs);
        row(name, e.bytes().length, fp32, psnr(decoded(e), z, reference));
    }

    private static Model decoded(GczWriter.Encoded e) {
        return OnnxImporter.fromProto(GczReader.read(e.bytes(), "measurement").proto(), "measurement");
    }

    private static void row(String stage, long bytes, long fp32, double psnr) {
        System.out.printf(Locale.ROOT, "| %s | %,d | %.1fx | %s |%n", stage, bytes, (double) fp32 / bytes,
                Double.isInfinite(psnr) ? "exact" : String.format(Locale.ROOT, "%.2f", psnr));
    }

    private static double psnr(Model m, Map<String, Tensor> z, float[] reference) {
        float[] out = run(m, z);
        int[] s = m.outputShape().dims();
        return ImageFidelity.psnr(out, reference, SAMPLES, s[0], s[1], s[2]);
    }

    private static Map<String, Tensor> latents(Model m) {
        Input in = m.input(Input.Kind.LATENT);
        int dim = in.shape().size();
        float[] d = new float[SAMPLES * dim];
        for (int i = 0; i < SAMPLES; i++) {
            GeneratorSampler.latent(2026, i, d, i * dim, dim);
        }
        return Map.of(in.name(), new Tensor(new int[] {SAMPLES, dim}, d));
    }

    private static float[] run(Model m, Map<String, Tensor> z) {
        return new Network(m).forward(z, false).copy().data();
    }
}
