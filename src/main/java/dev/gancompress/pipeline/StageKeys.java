package dev.gancompress.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gancompress.AtomicFiles;
import dev.gancompress.GanCompressException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Which work of a stage directory is still valid for a recipe. A stage's snapshot is valid when every stage up to and
 * including it is unchanged; its fine-tune checkpoint also when only its own step budget changed (the trainer
 * continues a longer run, as `compress --resume --steps N` always did). Anything else in the directory was made
 * from other inputs and is removed before the stage runs, so a changed recipe never resumes from foreign weights.
 */
final class StageKeys {
    static final String KEY_FILE = "stage.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private StageKeys() {
    }

    /** The stages up to and including {@code index}, in full. */
    static String snapshotKey(Recipe recipe, int index) {
        ArrayNode a = JSON.createArrayNode();
        for (int i = 0; i <= index; i++) {
            a.add(JSON.valueToTree(recipe.stages().get(i)));
        }
        return a.toString();
    }

    /** The stages before {@code index} in full, and this one without its step budget. */
    static String stageKey(Recipe recipe, int index) {
        ArrayNode a = JSON.createArrayNode();
        for (int i = 0; i < index; i++) {
            a.add(JSON.valueToTree(recipe.stages().get(i)));
        }
        ObjectNode own = JSON.valueToTree(recipe.stages().get(index));
        if (own.get("fineTune") instanceof ObjectNode tune) {
            tune.remove("steps");
        }
        a.add(own);
        return a.toString();
    }

    /**
     * Clears what of {@code stageDir} another recipe made; true when the stage's snapshot is valid (the stage is
     * done and only replayed).
     */
    static boolean prepare(Path stageDir, Recipe recipe, int index) {
        Path keyFile = stageDir.resolve(KEY_FILE);
        Path snapshot = stageDir.resolve(StageSnapshot.FILE);
        if (!Files.isDirectory(stageDir)) {
            return false;
        }
        String stored = read(keyFile);
        if (!stageKey(recipe, index).equals(stored)) {
            clear(stageDir);
            return false;
        }
        if (Files.exists(snapshot)) {
            if (snapshotKey(recipe, index).equals(StageSnapshot.key(snapshot))) {
                return true;
            }
            delete(snapshot);
        }
        return false;
    }

    static void writeStageKey(Path stageDir, Recipe recipe, int index) {
        AtomicFiles.writeBytes(stageDir.resolve(KEY_FILE),
                stageKey(recipe, index).getBytes(StandardCharsets.UTF_8));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : null;
        } catch (IOException e) {
            throw new GanCompressException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Removes everything inside {@code dir} (our own stage directory), keeping the directory. */
    static void clear(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir)) {
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new GanCompressException("cannot clear stale stage directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new GanCompressException("cannot delete stale " + file + ": " + e.getMessage(), e);
        }
    }
}
