package dev.gancompress.compress.lowrank;

import dev.gancompress.model.Model;
import dev.gancompress.nn.Tensor;
import dev.gancompress.onnx.OnnxImporter;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Prints MACs, parameters and the relative output error of the factorised bundled teacher at a few energies and
 * budgets, per method. Not a test: run by hand with the test classpath, argument the teacher's ONNX file.
 */
final class LowRankMeasurements {
    private LowRankMeasurements() {
    }

    public static void main(String[] args) {
        Model teacher = OnnxImporter.read(Path.of(args.length > 0 ? args[0] : "models/dcgan-fashion.onnx"));
        Map<String, Tensor> z = LowRankFixtures.inputs(teacher, 64, 2026);
        Tensor expected = LowRankFixtures.run(teacher, z);
        System.out.printf(Locale.ROOT, "teacher %s: %,d MACs, %,d parameters%n", teacher.name(), teacher.macs(),
                teacher.parameterCount());
        System.out.println("method       selection        MACs  (fraction)  params  (fraction)  rel.err  seconds");
        for (String method : LowRankConfig.METHODS) {
            for (LowRankConfig config : new LowRankConfig[]{LowRankConfig.ofEnergy(method, 0.9),
                    LowRankConfig.ofEnergy(method, 0.95), LowRankConfig.ofEnergy(method, 0.99),
                    LowRankConfig.ofMacsBudget(method, 0.5)}) {
                long start = System.nanoTime();
                LowRankFactorization.Outcome o = new LowRankFactorization(config).factorise(teacher);
                double seconds = (System.nanoTime() - start) / 1e9;
                Model m = o.model();
                String selection = config.energy() != null ? "energy " + config.energy()
                        : String.format(Locale.ROOT, "budget %.2f (e=%.4f)", config.macsBudget(), o.energy());
                System.out.printf(Locale.ROOT, "%-12s %-22s %,11d (%.3f) %,9d (%.3f) %.4f %.2f%n", method, selection,
                        m.macs(), (double) m.macs() / teacher.macs(), m.parameterCount(),
                        (double) m.parameterCount() / teacher.parameterCount(),
                        LowRankFixtures.relativeError(LowRankFixtures.run(m, z), expected), seconds);
                System.out.println("    " + o.report().replace("\n", "\n    "));
            }
        }
    }
}
