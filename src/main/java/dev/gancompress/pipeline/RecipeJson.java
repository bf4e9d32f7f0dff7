package dev.gancompress.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.GanCompressException;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Reads a recipe from JSON, field by field, so that every error names where it is: the source, the stage (index
 * from 1 and name) and the field, with what was expected ("recipe.json: stage 2 'prune': field 'technique' must be
 * a string, got 5"). The techniques' own configurations and the order rules are checked by {@link RecipeRules}.
 */
public final class RecipeJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> RECIPE_FIELDS = List.of("name", "description", "stages");
    private static final List<String> STAGE_FIELDS = List.of("name", "technique", "config", "fineTune");

    private RecipeJson() {
    }

    /** Parses and validates ({@link RecipeRules#check}) a recipe; {@code source} names it in errors. */
    public static Recipe parse(String text, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new GanCompressException(source + " is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new GanCompressException(source + " must be a JSON object with fields " + RECIPE_FIELDS);
        }
        onlyFields(root, RECIPE_FIELDS, source);
        String name = string(root, "name", true, source);
        if (!name.matches(Recipe.NAME_PATTERN)) {
            throw new GanCompressException(source + ": field 'name' must be letters, digits, '.', '_', '+' or '-', "
                    + "got '" + name + "'");
        }
        String where = source + " (recipe '" + name + "')";
        String description = string(root, "description", false, where);
        JsonNode stages = root.get("stages");
        if (stages == null) {
            throw new GanCompressException(where + ": missing field 'stages' (a non-empty array of stages)");
        }
        if (!stages.isArray() || stages.isEmpty()) {
            throw new GanCompressException(where + ": field 'stages' must be a non-empty array of stages, got "
                    + stages);
        }
        List<Stage> list = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            list.add(stage(stages.get(i), where + ": stage " + (i + 1)));
        }
        Recipe recipe = new Recipe(name, description, list);
        RecipeRules.check(recipe, source);
        return recipe;
    }

    private static Stage stage(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new GanCompressException(where + " must be a JSON object with fields " + STAGE_FIELDS + ", got "
                    + node);
        }
        String named = node.path("name").isTextual() ? where + " '" + node.get("name").asText() + "'"
                : node.path("technique").isTextual() ? where + " '" + node.get("technique").asText() + "'" : where;
        onlyFields(node, STAGE_FIELDS, named);
        String technique = string(node, "technique", true, named);
        String name = string(node, "name", false, named);
        if (name != null && !name.matches(Recipe.NAME_PATTERN)) {
            throw new GanCompressException(named + ": field 'name' must be letters, digits, '.', '_', '+' or '-', "
                    + "got '" + name + "'");
        }
        JsonNode config = node.get("config");
        if (config != null && !config.isObject()) {
            throw new GanCompressException(named + ": field 'config' must be a JSON object of " + technique
                    + "'s configuration fields, got " + config);
        }
        return new Stage(name, technique, config, tuning(node.get("fineTune"), named));
    }

    private static StageTuning tuning(JsonNode node, String where) {
        if (node == null) {
            return StageTuning.INHERIT;
        }
        if (!node.isObject()) {
            throw new GanCompressException(where + ": field 'fineTune' must be a JSON object with fields "
                    + StageTuning.FIELDS + ", got " + node);
        }
        onlyFields(node, StageTuning.FIELDS, where + ": fineTune");
        Long steps = node.has("steps") ? integer(node, "steps", 0, where) : null;
        Integer batch = node.has("batchSize") ? Math.toIntExact(integer(node, "batchSize", 2, where)) : null;
        Double lrG = positive(node, "generatorLearningRate", where, false);
        Double lrD = positive(node, "discriminatorLearningRate", where, false);
        Double kd = positive(node, "kdOutputWeight", where, true);
        return new StageTuning(steps, batch, lrG, lrD, kd);
    }

    private static long integer(JsonNode node, String field, long min, String where) {
        JsonNode v = node.get(field);
        if (!v.isIntegralNumber() || v.asLong() < min || (field.equals("batchSize") && v.asLong() > 1 << 20)) {
            throw new GanCompressException(where + ": field 'fineTune." + field + "' must be an integer >= " + min
                    + ", got " + v);
        }
        return v.asLong();
    }

    private static Double positive(JsonNode node, String field, String where, boolean zeroAllowed) {
        JsonNode v = node.get(field);
        if (v == null) {
            return null;
        }
        double d = v.asDouble();
        if (!v.isNumber() || !Double.isFinite(d) || d < 0 || (!zeroAllowed && d == 0)) {
            throw new GanCompressException(where + ": field 'fineTune." + field + "' must be a number "
                    + (zeroAllowed ? ">= 0" : "> 0") + ", got " + v);
        }
        return d;
    }

    private static String string(JsonNode node, String field, boolean required, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new GanCompressException(where + ": missing field '" + field + "' (a string)");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new GanCompressException(where + ": field '" + field + "' must be a string, got " + v);
        }
        return v.asText();
    }

    private static void onlyFields(JsonNode node, List<String> accepted, String where) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!accepted.contains(f)) {
                throw new GanCompressException(where + ": unknown field '" + f + "'; accepted fields: "
                        + String.join(", ", accepted));
            }
        }
    }
}
