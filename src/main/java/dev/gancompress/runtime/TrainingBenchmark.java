package dev.gancompress.runtime;

import dev.gancompress.GanCompressException;
import dev.gancompress.model.Activation;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Input;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.model.Upsample;
import dev.gancompress.nn.Initializer;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training speed of the engine against PyTorch (through DJL) on the models both can run (issue 12): the teacher's
 * discriminator and an upsample + conv generator of the teacher's widths (PyTorch through DJL has no transposed
 * convolution, so the teacher generator itself cannot be compared). Same batch, same threads, same seeded
 * weights and inputs; steps of the two backends are interleaved and each reports its median step.
 */
public final class TrainingBenchmark {
    /** Median seconds per step of one model on one backend; {@code note} instead of numbers when it cannot run. */
    public record Row(String model, String backend, int batch, long macsPerImage, Double msPerStep,
                      Double imagesPerSecond, Double ratioToPeer, int steps, String note) {
    }

    static final String PEER = "djl";

    private TrainingBenchmark() {
    }

    /** The models timed: name to IR, weights from {@code seed}. */
    public static Map<String, Model> models(long seed) {
        Map<String, Model> models = new LinkedHashMap<>();
        Model d = Dcgan.discriminator(DcganSpec.fashionTeacher(0));
        Initializer.dcgan(d, seed);
        models.put("teacher discriminator", d);
        Model g = upsampleConvGenerator(100, 48);
        Initializer.dcgan(g, seed);
        models.put("upsample+conv generator", g);
        return models;
    }

    /**
     * The teacher's generator with each ConvTranspose(4, s2) replaced by nearest x2 upsampling and a 3x3
     * convolution (Odena et al. 2016's remedy for checkerboard artefacts): z -> Linear -> 4w x 7 x 7 -> BN/ReLU ->
     * Up -> Conv to 2w -> BN/ReLU -> Up -> Conv to w -> BN/ReLU -> Conv 3x3 to 1 -> Tanh.
     */
    static Model upsampleConvGenerator(int latent, int w) {
        List<Node> nodes = new ArrayList<>();
        Kernel2d k3 = Kernel2d.square(3, 1, 1);
        nodes.add(Node.of("fc", Linear.create(latent, 4 * w * 49, false), Dcgan.LATENT));
        nodes.add(Node.of("fc_reshape", new Reshape(Shape.of(4 * w, 7, 7)), "fc"));
        nodes.add(Node.of("fc_bn", BatchNorm2d.create(4 * w), "fc_reshape"));
        nodes.add(Node.of("fc_act", Activation.relu(), "fc_bn"));
        nodes.add(Node.of("up1", new Upsample(2), "fc_act"));
        nodes.add(Node.of("conv1", Conv2d.create(4 * w, 2 * w, k3, false), "up1"));
        nodes.add(Node.of("conv1_bn", BatchNorm2d.create(2 * w), "conv1"));
        nodes.add(Node.of("conv1_act", Activation.relu(), "conv1_bn"));
        nodes.add(Node.of("up2", new Upsample(2), "conv1_act"));
        nodes.add(Node.of("conv2", Conv2d.create(2 * w, w, k3, false), "up2"));
        nodes.add(Node.of("conv2_bn", BatchNorm2d.create(w), "conv2"));
        nodes.add(Node.of("conv2_act", Activation.relu(), "conv2_bn"));
        nodes.add(Node.of("to_image", Conv2d.create(w, 1, k3, true), "conv2_act"));
        nodes.add(Node.of("output", Activation.tanh(), "to_image"));
        return new Model("upsample-conv-generator", List.of(Input.latent(Dcgan.LATENT, latent)), nodes, "output",
                Map.of("role", "generator"));
    }

    /** Times one training step on "engine" and "djl" for each model at {@code batch}, for about {@code seconds}. */
    public static List<Row> run(Map<String, Model> models, int batch, int threads, double seconds, long seed,
                                PrintStream log) {
        if (batch < 1) {
            throw new GanCompressException("--batch: the training batch must be >= 1, got " + batch);
        }
        List<Row> rows = new ArrayList<>();
        InferenceBackend engine = InferenceBackends.get("engine");
        InferenceBackend peer = InferenceBackends.get(PEER);
        String unavailable = peer.unavailableReason();
        double perModel = seconds / models.size();
        for (Map.Entry<String, Model> m : models.entrySet()) {
            long macs = m.getValue().macs();
            if (unavailable != null) {
                rows.add(time(engine, m, batch, threads, perModel, seed, null));
                rows.add(new Row(m.getKey(), PEER, batch, macs, null, null, null, 0, "backend unavailable: "
                        + unavailable));
                continue;
            }
            try (TrainingStep a = engine.openTraining(m.getValue(), batch, threads, seed);
                 TrainingStep b = peer.openTraining(m.getValue(), batch, threads, seed)) {
                List<Double> ta = new ArrayList<>();
                List<Double> tb = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    a.step();
                    b.step();
                }
                long deadline = System.nanoTime() + (long) (perModel * 1e9);
                int steps = 0;
                while (steps < InferenceBenchmark.MIN_ROUNDS || System.nanoTime() < deadline) {
                    if (steps % 2 == 0) { // alternate which goes first, so neither always follows the other
                        ta.add(timed(a));
                        tb.add(timed(b));
                    } else {
                        tb.add(timed(b));
                        ta.add(timed(a));
                    }
                    steps++;
                }
                double ma = median(ta);
                double mb = median(tb);
                rows.add(new Row(m.getKey(), "engine", batch, macs, ma * 1e3, batch / ma, mb / ma, ta.size(), null));
                rows.add(new Row(m.getKey(), PEER, batch, macs, mb * 1e3, batch / mb, 1.0, tb.size(), null));
            } catch (GanCompressException e) {
                log.println("  training " + m.getKey() + ": " + e.getMessage());
                rows.add(new Row(m.getKey(), PEER, batch, macs, null, null, null, 0, e.getMessage()));
            }
        }
        return rows;
    }

    private static Row time(InferenceBackend backend, Map.Entry<String, Model> m, int batch, int threads,
                            double seconds, long seed, String note) {
        try (TrainingStep s = backend.openTraining(m.getValue(), batch, threads, seed)) {
            s.step();
            List<Double> t = new ArrayList<>();
            long deadline = System.nanoTime() + (long) (seconds * 1e9);
            while (t.size() < InferenceBenchmark.MIN_ROUNDS || System.nanoTime() < deadline) {
                t.add(timed(s));
            }
            double med = median(t);
            return new Row(m.getKey(), backend.name(), batch, m.getValue().macs(), med * 1e3, batch / med, null,
                    t.size(), note);
        }
    }

    private static double timed(TrainingStep s) {
        long t0 = System.nanoTime();
        s.step();
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double median(List<Double> values) {
        return InferenceBenchmark.percentile(values.stream().mapToDouble(Double::doubleValue).toArray(), 50);
    }
}
