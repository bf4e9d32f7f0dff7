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

    /** The recipe, with every technique created (so every config validated); {@code at} prefixes every message. */
    public static Recipe parse(JsonNode json, String at) {
        Recipe recipe;
        try {
            recipe = JSON.treeToValue(json, Recipe.class);
        } catch (JsonProcessingException e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            String msg = cause instanceof GanCompressException ? cause.getMessage() : e.getOriginalMessage();
            throw new GanCompressException(at + msg, e);
        } catch (GanCompressException e) {
            throw new GanCompressException(at + e.getMessage(), e);
        }
        if (recipe == null) {
            throw new GanCompressException(at + "expected a recipe object");
        }
        try {
            RecipeRunner.techniques(recipe);
        } catch (GanCompressException e) {
            throw new GanCompressException(at + e.getMessage(), e);
        }
        return recipe;
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
