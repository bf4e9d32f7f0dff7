package dev.gancompress.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.gancompress.GanCompressException;

import java.util.List;
import java.util.Locale;

/**
 * What one inference of one image costs, per layer and in total, as computed by {@link CostModel}. All byte
 * and energy figures are per image; {@code batchSize} only amortises the weight reads.
 */
public record CostReport(String model, int batchSize, CostModel.ActivationPrecision activationPrecision,
                         String energySource, List<LayerCost> layers, Totals totals) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public CostReport {
        layers = List.copyOf(layers);
    }

    /** Energy split by where it is spent, in picojoules per image. */
    public record Energy(double computePj, double sramPj, double dramPj) {
        @JsonProperty(access = JsonProperty.Access.READ_ONLY)
        public double totalPj() {
            return computePj + sramPj + dramPj;
        }

        /** Share of the energy spent moving data (SRAM and DRAM) rather than computing; 0 for an empty model. */
        @JsonProperty(access = JsonProperty.Access.READ_ONLY)
        public double dataMovementShare() {
            double total = totalPj();
            return total == 0 ? 0 : (sramPj + dramPj) / total;
        }

        Energy plus(Energy o) {
            return new Energy(computePj + o.computePj, sramPj + o.sramPj, dramPj + o.dramPj);
        }
    }

    /**
     * One node: trainable parameters, MACs, stored weight bytes (buffers included), its output's bytes, the
     * bytes it moves per image (weights / batch + inputs read + output written) and the energy of all that.
     */
    public record LayerCost(String node, String op, List<Integer> outputShape, long params, long macs,
                            long weightBytes, long activationBytes, double bytesMoved, boolean int8Arithmetic,
                            Energy energy) {
        public LayerCost {
            outputShape = List.copyOf(outputShape);
        }
    }

    /**
     * Whole-model figures. {@code weightBytesFp32} is the same tensors at 32 bits, the baseline of a compression
     * ratio; {@code peakActivationBytes} is the most memory live at once for a sequential executor that frees
     * a value after its last consumer (no in-place reuse, inputs included).
     */
    public record Totals(long parameters, long weightBytes, long weightBytesFp32, long macs, long activationBytes,
                         long peakActivationBytes, double bytesMoved, Energy energy) {
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a cost report always serialises", e);
        }
    }

    public static CostReport fromJson(String json, String origin) {
        try {
            return JSON.readValue(json, CostReport.class);
        } catch (JsonProcessingException e) {
            throw new GanCompressException("cost report " + origin + " is not valid: " + e.getOriginalMessage(), e);
        }
    }

    /** A fixed-width table, one row per node, then the totals. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Cost of '%s' per image (batch %d, activations %s)%n", model, batchSize,
                activationPrecision.name().toLowerCase(Locale.ROOT)));
        String header = String.format(Locale.ROOT, "%-20s %-22s %-14s %10s %14s %12s %12s %14s %12s%n", "node", "op",
                "output", "params", "MACs", "weight B", "act B", "moved B", "energy nJ");
        sb.append(header).append("-".repeat(header.length() - System.lineSeparator().length()))
                .append(System.lineSeparator());
        for (LayerCost l : layers) {
            String op = l.op() + (l.int8Arithmetic() ? " (i8)" : "");
            sb.append(String.format(Locale.ROOT, "%-20s %-22s %-14s %10d %14d %12d %12d %14.1f %12.3f%n",
                    clip(l.node(), 20), clip(op, 22), clip(shape(l.outputShape()), 14), l.params(), l.macs(),
                    l.weightBytes(), l.activationBytes(), l.bytesMoved(), l.energy().totalPj() / 1e3));
        }
        Totals t = totals;
        Energy e = t.energy();
        sb.append(String.format(Locale.ROOT, "%-20s %-22s %-14s %10d %14d %12d %12d %14.1f %12.3f%n", "TOTAL", "", "",
                t.parameters(), t.macs(), t.weightBytes(), t.activationBytes(), t.bytesMoved(), e.totalPj() / 1e3));
        sb.append(String.format(Locale.ROOT, "%-34s %d%n", "parameters (trainable)", t.parameters()));
        sb.append(String.format(Locale.ROOT, "%-34s %d (%.2fx smaller than fp32 %d)%n", "weight bytes (stored)",
                t.weightBytes(), t.weightBytes() == 0 ? 1.0 : (double) t.weightBytesFp32() / t.weightBytes(),
                t.weightBytesFp32()));
        sb.append(String.format(Locale.ROOT, "%-34s %d%n", "MACs per image", t.macs()));
        sb.append(String.format(Locale.ROOT, "%-34s %d%n", "activation bytes per image", t.activationBytes()));
        sb.append(String.format(Locale.ROOT, "%-34s %d%n", "peak live activation bytes", t.peakActivationBytes()));
        sb.append(String.format(Locale.ROOT, "%-34s %.1f%n", "bytes moved per image", t.bytesMoved()));
        sb.append(String.format(Locale.ROOT,
                "%-34s %.3f uJ (compute %.3f, SRAM %.3f, DRAM %.3f); data movement %.1f %%%n",
                "energy per image", e.totalPj() / 1e6, e.computePj() / 1e6, e.sramPj() / 1e6, e.dramPj() / 1e6,
                100 * e.dataMovementShare()));
        sb.append(String.format(Locale.ROOT, "%-34s %s%n", "energy table", energySource));
        return sb.toString();
    }

    private static String shape(List<Integer> dims) {
        StringBuilder sb = new StringBuilder();
        for (int d : dims) {
            sb.append(sb.length() == 0 ? "" : "x").append(d);
        }
        return dims.isEmpty() ? "[]" : sb.toString();
    }

    private static String clip(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "~";
    }
}
