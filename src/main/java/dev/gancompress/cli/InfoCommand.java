package dev.gancompress.cli;

import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.onnx.FiniteWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print every layer of a model with output shape, parameters, MACs and weight bytes, and totals.")
final class InfoCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "Model file (ONNX or .gcz).")
    Path file;

    @Override
    public Integer call() throws Exception {
        // The table describes the file even when its weights are NaN or infinite; the check below then refuses it.
        Model m = ModelFiles.readForInspection(file);
        System.out.printf(Locale.ROOT, "%s (%s, %,d bytes on disk)%n", m.name(), file, Files.size(file));
        for (var in : m.inputs()) {
            System.out.printf(Locale.ROOT, "  input %-12s %-7s %s%s%n", in.name(), in.kind(), in.shape(),
                    in.numClasses() > 0 ? " classes=" + in.numClasses() : "");
        }
        System.out.printf(Locale.ROOT, "%-16s %-20s %-16s %12s %14s %12s%n", "layer", "op", "output", "params",
                "MACs", "weight bytes");
        long params = 0;
        long macs = 0;
        long bytes = 0;
        // stored bytes as the weight slots' storage describes them (int8, int4, fp16...), not 4 per value
        Map<String, Long> storedBytes = new java.util.HashMap<>();
        for (var layer : dev.gancompress.metrics.CostModel.of(m, dev.gancompress.metrics.CostModel.Options.defaults())
                .layers()) {
            storedBytes.put(layer.node(), layer.weightBytes());
        }
        for (Node n : m.nodes()) {
            long p = 0;
            long b = storedBytes.getOrDefault(n.name(), 0L);
            for (WeightSlot s : n.layer().weights()) {
                if (s.trainable()) {
                    p += s.weights().size();
                }
            }
            long mac = m.macs(n);
            params += p;
            macs += mac;
            bytes += b;
            System.out.printf(Locale.ROOT, "%-16s %-20s %-16s %,12d %,14d %,12d%n", n.name(), n.layer().opName(),
                    m.shape(n.name()), p, mac, b);
        }
        System.out.printf(Locale.ROOT, "%-16s %-20s %-16s %,12d %,14d %,12d%n", "total", "", m.outputShape(), params,
                macs, bytes);
        for (Map.Entry<String, String> e : m.metadata().entrySet()) {
            System.out.printf(Locale.ROOT, "  %s: %s%n", e.getKey(), e.getValue());
        }
        if (dev.gancompress.compress.encode.GczReader.isGcz(file)) {
            System.out.println("container (.gcz): how each tensor is stored");
            System.out.print(dev.gancompress.compress.encode.GczReader.read(file).toTable());
        }
        System.out.flush();
        FiniteWeights.require(m, file.toString());
        return ExitCode.OK.code();
    }
}
