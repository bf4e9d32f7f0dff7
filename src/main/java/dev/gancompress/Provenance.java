package dev.gancompress;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where an artifact came from, in one record (Tribuo's ModelProvenance): the tool version, the command line, the
 * recipe as JSON, the seed and the SHA-256 of every input file or dataset. {@link #metadata} writes it into ONNX
 * metadata (and so into a .gcz, which keeps the ONNX metadata, and into reports, which read it back with
 * {@link #fromMetadata}); the keys are the ones earlier versions wrote, so old files still read.
 *
 * @param command command line that produced the artifact ("" when produced through the library API)
 * @param recipe  the recipe JSON, or null for artifacts that no recipe made (training, import)
 * @param seed    the seed of every stochastic step, or null when nothing random ran
 * @param inputs  SHA-256 (hex) by input label ("teacher", "teacher_d", "dataset", "source", ...)
 * @param extra   further key/value facts a producer records (an evaluator's test accuracy, a stage's timing)
 */
public record Provenance(String toolVersion, String command, String recipe, Long seed, Map<String, String> inputs,
                         Map<String, String> extra) {
    public static final String VERSION_KEY = "version";
    public static final String COMMAND_KEY = "command";
    public static final String RECIPE_KEY = "recipe";
    public static final String SEED_KEY = "seed";
    private static final String HASH_SUFFIX = "_sha256";

    public Provenance {
        toolVersion = toolVersion == null ? Version.TOOL : toolVersion;
        command = command == null ? "" : command;
        inputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inputs == null ? Map.of() : inputs));
        extra = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extra == null ? Map.of() : extra));
    }

    /** Of this build, for {@code command}, with nothing else recorded yet. */
    public static Provenance of(String command) {
        return new Provenance(Version.TOOL, command, null, null, Map.of(), Map.of());
    }

    public Provenance withRecipe(String recipeJson) {
        return new Provenance(toolVersion, command, recipeJson, seed, inputs, extra);
    }

    public Provenance withSeed(long newSeed) {
        return new Provenance(toolVersion, command, recipe, newSeed, inputs, extra);
    }

    /** Records a file's SHA-256 under {@code label} (hashed now: the record says what was read). */
    public Provenance withInput(String label, Path file) {
        return withInputHash(label, Digests.sha256(file));
    }

    public Provenance withInputHash(String label, String sha256) {
        Map<String, String> m = new LinkedHashMap<>(inputs);
        m.put(label, sha256);
        return new Provenance(toolVersion, command, recipe, seed, m, extra);
    }

    public Provenance with(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(extra);
        m.put(key, value);
        return new Provenance(toolVersion, command, recipe, seed, inputs, m);
    }

    /**
     * The ONNX metadata entries: command, recipe, seed, {label}_sha256 for each input, then the extras. The version is
     * not among them: the exporter writes {@link Version#TOOL} as the last key of every file it writes (so that a
     * re-export of an imported model is byte-identical), and {@link #fromMetadata} reads it back.
     */
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        if (!command.isEmpty()) {
            m.put(COMMAND_KEY, command);
        }
        if (recipe != null) {
            m.put(RECIPE_KEY, recipe);
        }
        if (seed != null) {
            m.put(SEED_KEY, Long.toString(seed));
        }
        inputs.forEach((label, hash) -> m.put(label + HASH_SUFFIX, hash));
        m.putAll(extra);
        return m;
    }

    /** Reads a record back from a model's metadata (reports, sweeps); unknown keys land in {@code extra}. */
    public static Provenance fromMetadata(Map<String, String> metadata) {
        Map<String, String> inputs = new LinkedHashMap<>();
        Map<String, String> extra = new LinkedHashMap<>();
        Long seed = null;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            String k = e.getKey();
            if (k.equals(VERSION_KEY) || k.equals(COMMAND_KEY) || k.equals(RECIPE_KEY)) {
                continue;
            }
            if (k.equals(SEED_KEY)) {
                try {
                    seed = Long.parseLong(e.getValue());
                } catch (NumberFormatException ex) {
                    extra.put(k, e.getValue());
                }
            } else if (k.endsWith(HASH_SUFFIX)) {
                inputs.put(k.substring(0, k.length() - HASH_SUFFIX.length()), e.getValue());
            } else {
                extra.put(k, e.getValue());
            }
        }
        return new Provenance(metadata.getOrDefault(VERSION_KEY, "unknown"), metadata.get(COMMAND_KEY),
                metadata.get(RECIPE_KEY), seed, inputs, extra);
    }
}
