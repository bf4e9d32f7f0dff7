package dev.gancompress.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gancompress.GanCompressException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * What a sweep searches (docs/SWEEPS.md): a base recipe, the recipe fields to vary with the values or range of each,
 * and how to pick trials from them: every combination ({@code grid}) or {@code trials} seeded random draws
 * ({@code random}, Bergstra and Bengio 2012: with a few parameters that matter, random draws cover each of them more
 * densely than a grid of the same size). Every error names the file and the field.
 *
 * @param origin     the file name, for messages
 * @param recipe     the base recipe as JSON; each trial is a copy with the parameters set
 * @param parameters what to vary, in file order (the last one changes fastest in a grid)
 * @param search     {@code grid} or {@code random}
 * @param trials     random search: how many distinct trials to draw
 * @param seed       random search: the seed of the draws
 */
public record SweepSpace(String origin, JsonNode recipe, List<Parameter> parameters, String search, int trials,
                         long seed) {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String GRID = "grid";
    public static final String RANDOM = "random";
    private static final List<String> FIELDS = List.of("recipe", "search", "trials", "seed", "parameters");
    private static final List<String> PARAMETER_FIELDS = List.of("stage", "field", "values", "range");
    private static final List<String> RANGE_FIELDS = List.of("min", "max", "count", "integer", "log");
    /** A grid larger than this is almost certainly a mistake (each trial fine-tunes and evaluates a model). */
    public static final int MAX_TRIALS = 10_000;

    /**
     * One varied field.
     *
     * @param stage  index of the recipe stage whose field varies; null for a field of the recipe itself
     * @param field  dotted path inside the stage (e.g. {@code config.ratio}) or the recipe ({@code fineTuneSteps})
     * @param values the values to try (a grid tries each; random search draws one); null when {@code range} is given
     * @param range  a numeric interval instead of values; null when {@code values} is given
     */
    public record Parameter(Integer stage, String field, List<JsonNode> values, Range range) {
        /** The label of this parameter in trial names and tables: {@code field} or {@code stage.field}. */
        public String label() {
            return stage == null ? field : stage + "." + field;
        }

        List<JsonNode> gridValues() {
            return values != null ? values : range.grid();
        }

        JsonNode draw(Random rnd) {
            return values != null ? values.get(rnd.nextInt(values.size())) : range.draw(rnd);
        }
    }

    /**
     * A numeric interval: a grid takes {@code count} points from min to max (geometrically spaced when {@code log}),
     * random search draws uniformly (log-uniformly); {@code integer} rounds to whole numbers.
     */
    public record Range(double min, double max, int count, boolean integer, boolean log) {
        List<JsonNode> grid() {
            Set<JsonNode> out = new LinkedHashSet<>();
            for (int i = 0; i < count; i++) {
                double t = count == 1 ? 0 : (double) i / (count - 1);
                out.add(value(log ? min * Math.pow(max / min, t) : min + t * (max - min)));
            }
            return new ArrayList<>(out);
        }

        JsonNode draw(Random rnd) {
            double u = rnd.nextDouble();
            return value(log ? min * Math.pow(max / min, u) : min + u * (max - min));
        }

        private JsonNode value(double v) {
            return integer ? LongNode.valueOf(Math.round(v)) : DoubleNode.valueOf(v);
        }
    }

    /** One trial: the values set, in parameter order, and the resulting recipe (its name is set by the sweep). */
    public record Trial(Map<String, JsonNode> values, JsonNode recipe) {
        /** {@code ratio=0.5, bits=4}: the parameters as a table cell. */
        public String describe() {
            List<String> parts = new ArrayList<>();
            values.forEach((k, v) -> parts.add(k + "=" + (v.isTextual() ? v.asText() : v.toString())));
            return String.join(", ", parts);
        }
    }

    public SweepSpace {
        parameters = List.copyOf(parameters);
    }

    public static SweepSpace read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new GanCompressException("cannot read space file " + file + ": " + e.getMessage(), e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new GanCompressException("space file " + file + " is not JSON: " + e.getOriginalMessage(), e);
        }
        return parse(root, file.toString());
    }

    /** Validates the space; {@code origin} names it in every message. */
    public static SweepSpace parse(JsonNode root, String origin) {
        String at = "space file " + origin + ": ";
        if (root == null || !root.isObject()) {
            throw new GanCompressException(at + "expected a JSON object with " + String.join(", ", FIELDS));
        }
        unknownFields(root, FIELDS, at, "");
        JsonNode recipe = root.get("recipe");
        if (recipe == null || !recipe.isObject()) {
            throw new GanCompressException(at + "missing field 'recipe' (the base recipe every trial starts from, "
                    + "an object as in docs/RECIPES.md)");
        }
        Recipes.parse(recipe, at + "recipe: ");
        String search = root.has("search") ? text(root.get("search"), at + "'search'") : GRID;
        if (!search.equals(GRID) && !search.equals(RANDOM)) {
            throw new GanCompressException(at + "'search' must be '" + GRID + "' or '" + RANDOM + "', got '" + search + "'");
        }
        int trials = 0;
        if (search.equals(RANDOM)) {
            JsonNode t = root.get("trials");
            if (t == null || !t.canConvertToInt() || !t.isIntegralNumber() || t.asInt() < 1 || t.asInt() > MAX_TRIALS) {
                throw new GanCompressException(at + "'trials' must be an integer from 1 to " + MAX_TRIALS
                        + " for random search, got " + t);
            }
            trials = t.asInt();
        } else if (root.has("trials")) {
            throw new GanCompressException(at + "'trials' applies to random search only; a grid runs every combination");
        }
        long seed = 1;
        if (root.has("seed")) {
            if (!root.get("seed").isIntegralNumber()) {
                throw new GanCompressException(at + "'seed' must be an integer, got " + root.get("seed"));
            }
            seed = root.get("seed").asLong();
        }
        JsonNode params = root.get("parameters");
        if (params == null || !params.isArray() || params.isEmpty()) {
            throw new GanCompressException(at + "'parameters' must be a non-empty list of {stage, field, values | range}");
        }
        List<Parameter> list = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        int stages = stages(recipe).size();
        for (int i = 0; i < params.size(); i++) {
            Parameter p = parameter(params.get(i), at + "parameters[" + i + "]", stages, recipe);
            if (!seen.add(p.label())) {
                throw new GanCompressException(at + "parameters[" + i + "] varies " + p.label() + " a second time");
            }
            list.add(p);
        }
        SweepSpace space = new SweepSpace(origin, recipe.deepCopy(), list, search, trials, seed);
        long combinations = 1;
        for (Parameter p : list) {
            combinations = Math.min((long) MAX_TRIALS + 1, combinations * p.gridValues().size());
        }
        if (search.equals(GRID) && combinations > MAX_TRIALS) {
            throw new GanCompressException(at + "the grid has more than " + MAX_TRIALS + " combinations; use fewer "
                    + "values or \"search\": \"random\"");
        }
        return space;
    }

    private static Parameter parameter(JsonNode p, String at, int stages, JsonNode recipe) {
        if (p == null || !p.isObject()) {
            throw new GanCompressException(at + ": expected an object {stage, field, values | range}, got " + p);
        }
        unknownFields(p, PARAMETER_FIELDS, at, ".");
        Integer stage = null;
        if (p.has("stage")) {
            JsonNode s = p.get("stage");
            if (!s.isIntegralNumber() || s.asInt() < 0 || s.asInt() >= stages) {
                throw new GanCompressException(at + ".stage must be a stage index from 0 to " + (stages - 1)
                        + " (the recipe has " + stages + " stage" + (stages == 1 ? "" : "s") + "), got " + s);
            }
            stage = s.asInt();
        }
        String field = text(p.get("field"), at + ".field");
        if (field.isBlank() || field.startsWith(".") || field.endsWith(".") || field.contains("..")) {
            throw new GanCompressException(at + ".field must be a dotted path such as config.ratio, got '" + field + "'");
        }
        JsonNode target = stage == null ? recipe : stages(recipe).get(stage);
        String[] path = field.split("\\.");
        JsonNode parent = target;
        for (int i = 0; i < path.length - 1; i++) {
            parent = parent.get(path[i]);
            if (parent == null || !parent.isObject()) {
                throw new GanCompressException(at + ".field '" + field + "': " + (stage == null ? "the recipe"
                        : "stage " + stage) + " has no object '" + String.join(".", List.of(path).subList(0, i + 1))
                        + "'");
            }
        }
        if (stage == null && !parent.has(path[path.length - 1])) {
            throw new GanCompressException(at + ".field '" + field + "': the recipe has no such field; recipe fields: "
                    + String.join(", ", iterable(recipe.fieldNames())));
        }
        boolean hasValues = p.has("values");
        boolean hasRange = p.has("range");
        if (hasValues == hasRange) {
            throw new GanCompressException(at + " (" + field + ") needs exactly one of 'values' (a non-empty list) or "
                    + "'range' ({min, max, count})");
        }
        if (hasValues) {
            JsonNode v = p.get("values");
            if (!v.isArray() || v.isEmpty()) {
                throw new GanCompressException(at + ".values (" + field + ") must be a non-empty list, got " + v);
            }
            List<JsonNode> values = new ArrayList<>();
            v.forEach(values::add);
            if (new LinkedHashSet<>(values).size() != values.size()) {
                throw new GanCompressException(at + ".values (" + field + ") lists a value twice: " + v);
            }
            return new Parameter(stage, field, values, null);
        }
        return new Parameter(stage, field, null, range(p.get("range"), at + ".range (" + field + ")"));
    }

    private static Range range(JsonNode r, String at) {
        if (r == null || !r.isObject()) {
            throw new GanCompressException(at + " must be an object {min, max, count, integer, log}, got " + r);
        }
        unknownFields(r, RANGE_FIELDS, at, ".");
        for (String f : List.of("min", "max")) {
            if (r.get(f) == null || !r.get(f).isNumber() || !Double.isFinite(r.get(f).asDouble())) {
                throw new GanCompressException(at + "." + f + " must be a finite number, got " + r.get(f));
            }
        }
        double min = r.get("min").asDouble();
        double max = r.get("max").asDouble();
        if (min > max) {
            throw new GanCompressException(at + ": min " + min + " is larger than max " + max);
        }
        JsonNode c = r.get("count");
        if (c == null || !c.isIntegralNumber() || c.asInt() < 1 || c.asInt() > MAX_TRIALS) {
            throw new GanCompressException(at + ".count (grid points) must be an integer from 1 to " + MAX_TRIALS
                    + ", got " + c);
        }
        boolean integer = bool(r, "integer", at);
        boolean log = bool(r, "log", at);
        if (log && min <= 0) {
            throw new GanCompressException(at + ": a log range needs min > 0, got " + min);
        }
        return new Range(min, max, c.asInt(), integer, log);
    }

    /**
     * The trials, in a fixed order: a grid in row-major order of the parameters (the last changes fastest), random
     * search in draw order. Random draws that repeat an earlier trial are drawn again (at most 100 tries per trial),
     * so a small space gives fewer trials than asked rather than duplicates.
     */
    public List<Trial> enumerate() {
        List<Trial> out = new ArrayList<>();
        if (search.equals(GRID)) {
            List<List<JsonNode>> axes = parameters.stream().map(Parameter::gridValues).toList();
            int[] idx = new int[axes.size()];
            while (true) {
                List<JsonNode> pick = new ArrayList<>();
                for (int i = 0; i < idx.length; i++) {
                    pick.add(axes.get(i).get(idx[i]));
                }
                out.add(trial(pick));
                int d = idx.length - 1;
                while (d >= 0 && ++idx[d] == axes.get(d).size()) {
                    idx[d--] = 0;
                }
                if (d < 0) {
                    break;
                }
            }
            return out;
        }
        Random rnd = new Random(seed);
        Set<Map<String, JsonNode>> seen = new LinkedHashSet<>();
        for (int attempts = 0; out.size() < trials && attempts < 100 * trials; attempts++) {
            List<JsonNode> pick = new ArrayList<>();
            for (Parameter p : parameters) {
                pick.add(p.draw(rnd));
            }
            Trial t = trial(pick);
            if (seen.add(t.values())) {
                out.add(t);
            }
        }
        return out;
    }

    private Trial trial(List<JsonNode> pick) {
        ObjectNode recipe = this.recipe.deepCopy();
        Map<String, JsonNode> values = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            JsonNode target = p.stage() == null ? recipe : stages(recipe).get(p.stage());
            String[] path = p.field().split("\\.");
            for (int k = 0; k < path.length - 1; k++) {
                target = target.get(path[k]);
            }
            ((ObjectNode) target).set(path[path.length - 1], pick.get(i));
            values.put(p.label(), pick.get(i));
        }
        return new Trial(values, recipe);
    }

    /** The recipe's stage list ({@code stages}, or {@code steps} in the single fine-tune format). */
    static ArrayNode stages(JsonNode recipe) {
        for (String name : List.of("stages", "steps")) {
            if (recipe.get(name) instanceof ArrayNode a) {
                return a;
            }
        }
        throw new GanCompressException("the recipe has no list of stages ('stages' or 'steps')");
    }

    private static void unknownFields(JsonNode node, List<String> known, String at, String sep) {
        for (String f : iterable(node.fieldNames())) {
            if (!known.contains(f)) {
                throw new GanCompressException(at + sep + f + " is not a known field; expected "
                        + String.join(", ", known));
            }
        }
    }

    private static String text(JsonNode n, String what) {
        if (n == null || !n.isTextual()) {
            throw new GanCompressException(what + " must be a string, got " + n);
        }
        return n.asText();
    }

    private static boolean bool(JsonNode r, String f, String at) {
        JsonNode b = r.get(f);
        if (b == null) {
            return false;
        }
        if (!b.isBoolean()) {
            throw new GanCompressException(at + "." + f + " must be true or false, got " + b);
        }
        return b.asBoolean();
    }

    private static List<String> iterable(Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s search over %d parameter(s) of %s", search, parameters.size(), origin);
    }
}
