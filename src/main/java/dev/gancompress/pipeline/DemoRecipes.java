package dev.gancompress.pipeline;

import dev.gancompress.compress.UncompressedControl;

import java.util.ArrayList;
import java.util.List;

/**
 * The demo's recipe set: the same-budget control, the built-in recipe of each single family, and the built-in
 * combinations ({@code recipes/}, docs/RECIPES.md). Every stage fine-tunes with the runner's step budget, so a
 * combination of k stages trains k times as long as a single family: the report states the budgets.
 */
public final class DemoRecipes {
    /** One per family, in the order of the seed survey's list. */
    public static final List<String> SINGLE_FAMILY = List.of("prune-channels", "distill-half", "lowrank-tucker2",
            "quantize-int8", "share-encode");
    public static final List<String> COMBINED = List.of("deep-compression", "slimming", "distill-int8",
            "lowrank-int8");

    private DemoRecipes() {
    }

    public static List<ComparisonEntry> entries(long steps) {
        List<ComparisonEntry> list = new ArrayList<>();
        list.add(new ComparisonEntry(Recipe.of("control", steps, UncompressedControl.NAME,
                new UncompressedControl.Config()), "control: teacher + fine-tune", "1 (control)"));
        for (String name : SINGLE_FAMILY) {
            Recipe r = RecipeLibrary.builtIn(name);
            list.add(new ComparisonEntry(r, describe(r), "single family"));
        }
        for (String name : COMBINED) {
            Recipe r = RecipeLibrary.builtIn(name);
            list.add(new ComparisonEntry(r, describe(r), "combined"));
        }
        return list;
    }

    private static String describe(Recipe r) {
        return r.description() == null || r.description().isBlank() ? r.name() : r.description();
    }
}
