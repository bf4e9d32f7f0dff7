package dev.gancompress.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.GanCompressException;
import dev.gancompress.compress.Compression;

import java.util.ArrayList;
import java.util.List;

/**
 * Recipes from JSON for sweeps and reports, in one place: the JSON form is {@link Recipe}'s own
 * ({@link Recipe#toJson()}), and the compression family of a technique is the sub-package of {@code compress} it
 * lives in (STYLE.md: one sub-package per family), so a new family needs no list here.
 */
public final class Recipes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COMPRESS = "dev.gancompress.compress.";

    private Recipes() {
    }

    /**
     * The recipe, parsed and validated by {@link RecipeJson} (every technique created, so every config checked, and
     * the stage order rule applied); {@code at} names the recipe's place in every message.
     */
    public static Recipe parse(JsonNode json, String at) {
        if (json == null || !json.isObject()) {
            throw new GanCompressException(at + "expected a recipe object");
        }
        String source = at.endsWith(": ") ? at.substring(0, at.length() - 2) : at.isEmpty() ? "recipe" : at;
        return RecipeJson.parse(json.toString(), source);
    }

    /**
     * The compression families of the recipe's techniques, distinct, in stage order: {@code prune}, {@code distill},
     * {@code lowrank}, {@code quantize}, {@code encode}. A technique outside a family sub-package (the uncompressed
     * control) belongs to none.
     */
    public static List<String> families(Recipe recipe) {
        List<String> out = new ArrayList<>();
        for (Compression c : RecipeRunner.techniques(recipe)) {
            String pkg = c.getClass().getPackageName() + ".";
            if (pkg.startsWith(COMPRESS) && pkg.length() > COMPRESS.length()) {
                String family = pkg.substring(COMPRESS.length(), pkg.length() - 1);
                if (!out.contains(family)) {
                    out.add(family);
                }
            }
        }
        return out;
    }
}
