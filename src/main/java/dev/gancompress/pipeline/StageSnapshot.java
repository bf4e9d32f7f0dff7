package dev.gancompress.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gancompress.GanCompressException;
import dev.gancompress.model.Model;
import dev.gancompress.model.WeightSlot;
import dev.gancompress.model.WeightStorage;
import dev.gancompress.model.Weights;
import dev.gancompress.train.Checkpoint;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state a finished stage leaves behind: every generator tensor (float master values, pruning mask, storage
 * with its scales or codebook), in the trainer's checkpoint container (CRC-checked, written atomically).
 *
 * <p>The graph itself is not stored: on resume the runner replays each finished stage's {@code apply} (a
 * deterministic function of the previous stage's model and the stage's seed) and then restores these tensors, so
 * the structure comes from the same code that built it and the values are bit-identical to the uninterrupted run.
 * A snapshot whose recipe, stage or tensor shapes differ from the replay is refused rather than half-applied.
 */
final class StageSnapshot {
    static final String FILE = "stage.ckpt";
    private static final ObjectMapper JSON = new ObjectMapper();

    private StageSnapshot() {
    }

    /** Writes {@code model}'s tensors; {@code key} names the recipe and stage the snapshot belongs to. */
    static void write(Path file, String key, Model model, double seconds) {
        Map<String, float[]> tensors = new LinkedHashMap<>();
        ObjectNode storage = JSON.createObjectNode();
        for (Map.Entry<String, WeightSlot> e : model.weightSlots().entrySet()) {
            String name = e.getKey();
            Weights w = e.getValue().weights();
            tensors.put("w:" + name, w.data().clone());
            if (w.mask() != null) {
                tensors.put("m:" + name, w.mask().clone());
            }
            storage.set(name, describe(w.storage(), name, tensors));
        }
        ObjectNode config = JSON.createObjectNode();
        config.put("key", key);
        config.set("storage", storage);
        new Checkpoint(config.toString(), 0, 0, 0, Map.of("millis", Math.round(seconds * 1000)), tensors).write(file);
    }

    /** The key a snapshot was written with. */
    static String key(Path file) {
        try {
            return JSON.readTree(Checkpoint.read(file).configJson()).path("key").asText();
        } catch (com.fasterxml.jackson.core.JsonProcessingException | GanCompressException e) {
            return null; // unreadable: treated as stale and written again
        }
    }

    /** Restores the tensors into {@code model} (the replayed stage output); returns the stage's fine-tune seconds. */
    static double restore(Path file, String key, Model model) {
        Checkpoint ck = Checkpoint.read(file);
        JsonNode config;
        try {
            config = JSON.readTree(ck.configJson());
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new GanCompressException("stage snapshot " + file + " is corrupt: " + ex.getOriginalMessage());
        }
        if (!key.equals(config.path("key").asText())) {
            throw new GanCompressException("stage snapshot " + file + " belongs to another recipe or stage ("
                    + config.path("key").asText() + "); remove the work directory or use another one");
        }
        Map<String, WeightSlot> slots = model.weightSlots();
        long stored = ck.tensors().keySet().stream().filter(k -> k.startsWith("w:")).count();
        if (stored != slots.size()) {
            throw new GanCompressException("stage snapshot " + file + " holds " + stored + " tensors, the replayed"
                    + " stage has " + slots.size());
        }
        for (Map.Entry<String, WeightSlot> e : slots.entrySet()) {
            String name = e.getKey();
            Weights w = e.getValue().weights();
            float[] data = ck.tensors().get("w:" + name);
            if (data == null || data.length != w.size()) {
                throw new GanCompressException("stage snapshot " + file + ": tensor " + name + " is missing or has "
                        + "another size than the replayed stage's " + Arrays.toString(w.shape()));
            }
            w.setStorage(WeightStorage.fp32()); // the mask and storage below see the restored values
            System.arraycopy(data, 0, w.data(), 0, data.length);
            float[] mask = ck.tensors().get("m:" + name);
            w.setMask(mask == null ? null : mask.clone());
            w.setStorage(storage(config.path("storage").path(name), name, ck.tensors(), file));
            // setMask and setStorage may project the data; the master values are what was saved
            System.arraycopy(data, 0, w.data(), 0, data.length);
        }
        return ck.counters().getOrDefault("millis", 0L) / 1000.0;
    }

    private static JsonNode describe(WeightStorage s, String name, Map<String, float[]> tensors) {
        return s.accept(new WeightStorage.Visitor<JsonNode>() {
            @Override
            public JsonNode fp32(WeightStorage.Fp32 storage) {
                return JSON.createObjectNode().put("kind", "fp32");
            }

            @Override
            public JsonNode fp16(WeightStorage.Fp16 storage) {
                return JSON.createObjectNode().put("kind", "fp16");
            }

            @Override
            public JsonNode bf16(WeightStorage.Bf16 storage) {
                return JSON.createObjectNode().put("kind", "bf16");
            }

            @Override
            public JsonNode integer(WeightStorage.IntN storage) {
                tensors.put("s:" + name, storage.scales());
                int[] zp = storage.zeroPoints();
                float[] z = new float[zp.length];
                for (int i = 0; i < zp.length; i++) {
                    z[i] = zp[i];
                }
                tensors.put("z:" + name, z);
                return JSON.createObjectNode().put("kind", "int").put("bits", storage.bits())
                        .put("narrowRange", storage.narrowRange()).put("axis", storage.axis());
            }

            @Override
            public JsonNode binary(WeightStorage.Binary storage) {
                tensors.put("s:" + name, storage.scales());
                return JSON.createObjectNode().put("kind", "binary").put("axis", storage.axis());
            }

            @Override
            public JsonNode codebook(WeightStorage.Codebook storage) {
                tensors.put("s:" + name, storage.centroids());
                return JSON.createObjectNode().put("kind", "codebook");
            }
        });
    }

    private static WeightStorage storage(JsonNode d, String name, Map<String, float[]> tensors, Path file) {
        float[] s = tensors.get("s:" + name);
        switch (d.path("kind").asText()) {
            case "fp32":
                return WeightStorage.fp32();
            case "fp16":
                return new WeightStorage.Fp16();
            case "bf16":
                return new WeightStorage.Bf16();
            case "int": {
                float[] z = tensors.get("z:" + name);
                int[] zp = new int[z.length];
                for (int i = 0; i < z.length; i++) {
                    zp[i] = (int) z[i];
                }
                return new WeightStorage.IntN(d.path("bits").asInt(), d.path("narrowRange").asBoolean(),
                        d.path("axis").asInt(), s, zp);
            }
            case "binary":
                return new WeightStorage.Binary(d.path("axis").asInt(), s);
            case "codebook":
                return new WeightStorage.Codebook(s);
            default:
                throw new GanCompressException("stage snapshot " + file + ": tensor " + name
                        + " has an unknown storage " + d);
        }
    }
}
