package dev.gancompress.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.gancompress.GanCompressException;
import dev.gancompress.model.Input;
import dev.gancompress.model.Layer;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Shape;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.model.WeightStorage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The cost of running a model, computed from the IR alone (no execution): parameters, stored weight bytes,
 * MACs, activation memory, memory traffic and an energy estimate, per image.
 *
 * <p><b>Memory traffic</b> (bytes moved per image, batch B): every stored weight byte is read once per batch
 * (so / B per image); every value is written once by its producer and read once per consuming input edge
 * (a node reading a value twice reads it twice); graph inputs are read by their consumers. A node's output is
 * a distinct buffer (a Reshape is counted as a copy, an activation is not done in place): an upper bound that
 * an optimising runtime lowers. Activations are 4 bytes (fp32) or 1 byte (int8) per element; class labels are
 * ONNX int64, 8 bytes.
 *
 * <p><b>Energy</b>, after Han et al. ("Learning both Weights and Connections", NIPS 2015; "Deep Compression",
 * ICLR 2016) with Horowitz's 45 nm figures (ISSCC 2014), in three parts per node:
 * <ol>
 *   <li>compute: MACs x (multiply + add). The arithmetic is int8 when the activations are int8 and the node's
 *       "weight" tensor decodes to integers ({@link StorageFormat#integerValues}; biases go to the wide
 *       accumulator and do not matter); a node without a "weight" tensor follows the activations. Otherwise
 *       fp32 (fp16 or codebook weights are widened to fp32).</li>
 *   <li>SRAM: each MAC reads its two operands from an on-chip SRAM, (operand bits / 32) x the 32-bit SRAM access
 *       energy each. Partial sums stay in registers. No register-file reuse is assumed (Chen et al., Eyeriss,
 *       ISCA 2016, show how much dataflow reuse saves), so this is an upper bound on the on-chip part.</li>
 *   <li>DRAM: the node's bytes moved (above) in 32-bit words x the DRAM access energy. The assumption is that no
 *       tensor stays on chip between nodes, which is what Han et al. assume for models that do not fit in SRAM;
 *       for a compressed model small enough to stay on chip this overstates the DRAM share.</li>
 * </ol>
 * The report gives the share of energy that is data movement (SRAM + DRAM), the quantity whose dominance
 * motivates memory compression.
 */
public final class CostModel {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int LABEL_BYTES = 8;

    private CostModel() {
    }

    /** Precision of activations in memory and of the activation operand of each MAC. */
    public enum ActivationPrecision {
        FP32(32), INT8(8);

        private final int bits;

        ActivationPrecision(int bits) {
            this.bits = bits;
        }

        public int bits() {
            return bits;
        }

        public int bytes() {
            return bits / 8;
        }
    }

    /**
     * What the cost depends on besides the model. Each tensor is counted in the format its IR storage description
     * gives ({@link StorageFormat#of(WeightStorage)} of {@link dev.gancompress.model.Weights#storage()}: fp32 unless a
     * quantisation pass set another); {@code storage} overrides that per "node.role" (as {@link Model#weightSlots()})
     * to ask what another format would cost. Null fields (as from JSON that omits them) take the defaults: fp32
     * activations, the bundled 45 nm energy table, no overrides.
     */
    public record Options(int batchSize, ActivationPrecision activationPrecision, EnergyTable energy,
                          Map<String, StorageFormat> storage) {
        public Options {
            if (batchSize < 1) {
                throw new GanCompressException("cost model option 'batchSize' must be >= 1, got " + batchSize);
            }
            activationPrecision = activationPrecision == null ? ActivationPrecision.FP32 : activationPrecision;
            energy = energy == null ? EnergyTable.horowitz45nm() : energy;
            Map<String, StorageFormat> copy = new LinkedHashMap<>();
            if (storage != null) {
                storage.forEach((key, format) -> {
                    if (format == null) {
                        throw new GanCompressException("cost model option 'storage': tensor '" + key
                                + "' has no format");
                    }
                    copy.put(key, format);
                });
            }
            storage = Collections.unmodifiableMap(copy);
        }

        /** Batch 1, fp32 activations, the bundled energy table, every tensor fp32. */
        public static Options defaults() {
            return new Options(1, ActivationPrecision.FP32, null, Map.of());
        }

        public Options withBatchSize(int newBatchSize) {
            return new Options(newBatchSize, activationPrecision, energy, storage);
        }

        public Options withActivationPrecision(ActivationPrecision precision) {
            return new Options(batchSize, precision, energy, storage);
        }

        public Options withEnergy(EnergyTable table) {
            return new Options(batchSize, activationPrecision, table, storage);
        }

        public Options withStorage(Map<String, StorageFormat> newStorage) {
            return new Options(batchSize, activationPrecision, energy, newStorage);
        }

        /** The override for {@code tensor}, or null when the IR's description counts. */
        public StorageFormat overrideOf(String tensor) {
            return storage.get(tensor);
        }

        public String toJson() {
            try {
                return JSON.writeValueAsString(this);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cost model options always serialise", e);
            }
        }

        /** Parses options; {@code origin} (a file name or "--cost-options") names them in error messages. */
        public static Options fromJson(String json, String origin) {
            try {
                return JSON.readValue(json, Options.class);
            } catch (ValueInstantiationException e) {
                Throwable cause = e.getCause();
                if (cause instanceof GanCompressException g) {
                    throw new GanCompressException(origin + ": " + g.getMessage(), g);
                }
                throw new GanCompressException("cost model options " + origin + ", field " + path(e) + ": "
                        + (cause == null ? e.getOriginalMessage() : cause.getMessage()), e);
            } catch (JsonProcessingException e) {
                throw new GanCompressException("cost model options " + origin + " are not valid, at "
                        + (e instanceof JsonMappingException m ? path(m) : "?")
                        + ": " + e.getOriginalMessage(), e);
            }
        }

        private static String path(JsonMappingException e) {
            String p = e.getPathReference();
            return p == null || p.isEmpty() ? "(root)" : p;
        }
    }

    /**
     * The number of output channels that per-channel side data is kept for: dim 1 of a ConvTranspose2d weight
     * ([in, out, kh, kw]), dim 0 of other weight matrices and kernels (Conv2d, Linear, and an Embedding's rows,
     * as PyTorch quantises embeddings per row), and 1 for vectors (biases, normalisation), which are per-tensor.
     */
    public static int channelAxisSize(Layer layer, WeightSlot slot) {
        int axis = layer.outputChannelAxis(slot);
        return axis < 0 ? 1 : slot.weights().dim(axis);
    }

    /** How one tensor is counted: its format and its stored bytes. */
    record StoredTensor(StorageFormat format, long bytes) {
    }

    /**
     * The format {@code slot} is counted in and its bytes: the override's format, with side data for the output
     * channels ({@link #channelAxisSize}), when {@code o} names the tensor; else the IR's description, with side
     * data for its own parameter sets (1 when per tensor).
     */
    static StoredTensor stored(String tensor, Layer layer, WeightSlot slot, Options o) {
        StorageFormat override = o.overrideOf(tensor);
        if (override != null) {
            return new StoredTensor(override, override.bytes(slot.weights(), channelAxisSize(layer, slot)));
        }
        WeightStorage storage = slot.weights().storage();
        StorageFormat format = StorageFormat.of(storage);
        return new StoredTensor(format, format.bytes(slot.weights(), storage.channels()));
    }

    public static CostReport of(Model m, Options o) {
        checkStorageKeys(m, o);
        EnergyTable table = o.energy();
        int actBytes = o.activationPrecision().bytes();
        Map<String, Long> valueBytes = new HashMap<>();
        for (Input in : m.inputs()) {
            valueBytes.put(in.name(), in.kind() == Input.Kind.LABEL ? LABEL_BYTES : (long) in.shape().size() * actBytes);
        }
        List<CostReport.LayerCost> layers = new ArrayList<>(m.nodes().size());
        CostReport.Energy energy = new CostReport.Energy(0, 0, 0);
        long params = 0;
        long weightBytes = 0;
        long weightBytesFp32 = 0;
        long macs = 0;
        long activationBytes = 0;
        double moved = 0;
        for (Node node : m.nodes()) {
            Shape out = m.shape(node.name());
            long outBytes = (long) out.size() * actBytes;
            valueBytes.put(node.name(), outBytes);
            long nodeParams = 0;
            long nodeWeightBytes = 0;
            boolean integerWeights = true;
            for (WeightSlot slot : node.layer().weights()) {
                StoredTensor stored = stored(node.name() + "." + slot.role(), node.layer(), slot, o);
                nodeParams += slot.trainable() ? slot.weights().size() : 0;
                nodeWeightBytes += stored.bytes();
                weightBytesFp32 += 4L * slot.weights().size();
                if (slot.role().equals("weight")) {
                    integerWeights = stored.format().integerValues();
                }
            }
            long readBytes = 0;
            for (String src : node.inputs()) {
                readBytes += valueBytes.get(src);
            }
            boolean int8 = o.activationPrecision() == ActivationPrecision.INT8 && integerWeights;
            long nodeMacs = m.macs(node);
            double nodeMoved = (double) nodeWeightBytes / o.batchSize() + readBytes + outBytes;
            int operandBits = int8 ? 8 : 32;
            CostReport.Energy e = new CostReport.Energy(nodeMacs * table.macPj(int8),
                    nodeMacs * 2.0 * operandBits / 32 * table.sramAccess32BitPj(),
                    nodeMoved / 4 * table.dramAccess32BitPj());
            layers.add(new CostReport.LayerCost(node.name(), node.layer().opName(), dimsOf(out), nodeParams, nodeMacs,
                    nodeWeightBytes, outBytes, nodeMoved, int8, e));
            params += nodeParams;
            weightBytes += nodeWeightBytes;
            macs += nodeMacs;
            activationBytes += outBytes;
            moved += nodeMoved;
            energy = energy.plus(e);
        }
        CostReport.Totals totals = new CostReport.Totals(params, weightBytes, weightBytesFp32, macs, activationBytes,
                peakLiveBytes(m, valueBytes), moved, energy);
        return new CostReport(m.name(), o.batchSize(), o.activationPrecision(), table.source(), layers, totals);
    }

    /**
     * Peak of the bytes live while one node runs, executing nodes in graph order: a value is live from its
     * production (graph inputs: from the start) through its last consumer; the model output until the end.
     */
    static long peakLiveBytes(Model m, Map<String, Long> valueBytes) {
        List<Node> nodes = m.nodes();
        Map<String, Integer> born = new HashMap<>();
        Map<String, Integer> lastUse = new HashMap<>();
        for (Input in : m.inputs()) {
            born.put(in.name(), -1);
            lastUse.put(in.name(), -1);
        }
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            for (String src : node.inputs()) {
                lastUse.put(src, i);
            }
            born.put(node.name(), i);
            lastUse.put(node.name(), i);
        }
        lastUse.put(m.output(), nodes.size());
        long peak = 0;
        for (int i = 0; i < nodes.size(); i++) {
            long live = 0;
            for (Map.Entry<String, Integer> v : born.entrySet()) {
                if (v.getValue() <= i && lastUse.get(v.getKey()) >= i) {
                    live += valueBytes.get(v.getKey());
                }
            }
            peak = Math.max(peak, live);
        }
        return peak;
    }

    private static void checkStorageKeys(Model m, Options o) {
        Map<String, WeightSlot> slots = m.weightSlots();
        for (String key : o.storage().keySet()) {
            if (!slots.containsKey(key)) {
                throw new GanCompressException("cost model option 'storage' names tensor '" + key
                        + "', which model '" + m.name() + "' does not have; its tensors are "
                        + new TreeSet<>(slots.keySet()));
            }
        }
    }

    private static List<Integer> dimsOf(Shape s) {
        List<Integer> dims = new ArrayList<>(s.rank());
        for (int d : s.dims()) {
            dims.add(d);
        }
        return dims;
    }
}
