package dev.gancompress.pipeline;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.Compression;
import dev.gancompress.compress.Compression.Phase;
import dev.gancompress.compress.CompressionRegistry;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What makes a recipe runnable, checked before anything runs: every technique registered and its configuration
 * valid; stage names unique; stages in {@link Phase} order (a rewrite after quantisation, or anything but entropy
 * coding after weight sharing, would silently drop the stored format); weight sharing and entropy coding at most once
 * each; entropy coding never fine-tunes.
 */
public final class RecipeRules {
    private RecipeRules() {
    }

    /** The techniques of the recipe's stages, created (and so validated) in order. */
    public static List<Compression> check(Recipe recipe, String source) {
        List<Compression> techniques = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Phase latest = Phase.REWRITE;
        String latestStage = null;
        for (int i = 0; i < recipe.stages().size(); i++) {
            Stage s = recipe.stages().get(i);
            String where = source + " (recipe '" + recipe.name() + "'): stage " + (i + 1) + " '" + s.name() + "'";
            if (!names.add(s.name())) {
                throw new GanCompressException(where + ": field 'name': another stage is named '" + s.name()
                        + "' (give each stage of a repeated technique its own name)");
            }
            Compression c;
            try {
                c = CompressionRegistry.create(s.technique(), s.config());
            } catch (GanCompressException e) {
                throw new GanCompressException(where + ": " + (e.getMessage().startsWith("unknown compression")
                        ? "field 'technique': " : "field 'config': ") + e.getMessage(), e);
            }
            Phase p = c.phase();
            if (p.compareTo(latest) < 0 || (p == latest && (p == Phase.SHARE || p == Phase.ENTROPY))) {
                throw new GanCompressException(where + ": " + s.technique() + " (" + describe(p)
                        + ") cannot follow stage '" + latestStage + "' (" + describe(latest) + "); stages run "
                        + "rewrites (pruning, distillation, low-rank, BN folding), then quantisation, then weight "
                        + "sharing (once), then entropy coding (once, last): see docs/RECIPES.md");
            }
            if (p == Phase.ENTROPY && s.fineTune().steps() != null && s.fineTune().steps() > 0) {
                throw new GanCompressException(where + ": field 'fineTune.steps' must be 0 or absent for "
                        + s.technique() + ", which is lossless and trains nothing, got " + s.fineTune().steps());
            }
            if (p.compareTo(latest) >= 0) {
                latest = p;
                latestStage = s.name();
            }
            techniques.add(c);
        }
        return techniques;
    }

    private static String describe(Phase p) {
        return switch (p) {
            case REWRITE -> "a rewrite of float weights or structure";
            case QUANTIZE -> "quantisation";
            case SHARE -> "weight sharing";
            case ENTROPY -> "entropy coding";
        };
    }
}
