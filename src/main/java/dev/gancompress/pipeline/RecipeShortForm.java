package dev.gancompress.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gancompress.GanCompressException;
import dev.gancompress.compress.CompressionRegistry;
import dev.gancompress.compress.ShortForm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The command line's short form of a recipe: stages separated by ',', each {@code prefix:key[=value]} (an
 * abbreviation a family registers, see {@link ShortForm}) or {@code technique}, then optional
 * {@code :field=value} pairs for more config fields and an optional {@code @steps} budget. Example:
 * {@code prune:channel=0.5,distill:width=0.5,quantize:int8,encode:huffman}. Values are JSON where they parse as
 * JSON (numbers, true/false) and strings otherwise.
 */
public final class RecipeShortForm {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RecipeShortForm() {
    }

    /** Whether {@code text} looks like a short form rather than a file or a built-in name. */
    public static boolean looksLike(String text) {
        return text.contains(":") || text.contains(",") || CompressionRegistry.names().contains(text.split("@")[0]);
    }

    public static Recipe parse(String text) {
        String[] parts = text.split(",", -1);
        List<Stage> stages = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            String where = "--recipe '" + text + "': stage " + (i + 1) + " '" + parts[i] + "'";
            stages.add(stage(parts[i].trim(), where));
        }
        // a technique used twice gets its position as a suffix: stage names name work directories
        Map<String, Long> counts = stages.stream().collect(Collectors.groupingBy(Stage::name, Collectors.counting()));
        for (int i = 0; i < stages.size(); i++) {
            if (counts.get(stages.get(i).name()) > 1) {
                stages.set(i, stages.get(i).named(stages.get(i).name() + "-" + (i + 1)));
            }
        }
        String name = text.replaceAll("[^A-Za-z0-9._+-]", "-").replace(",", "+");
        Recipe recipe = new Recipe(name.length() > 80 ? name.substring(0, 80) : name, "short form: " + text, stages);
        RecipeRules.check(recipe, "--recipe '" + text + "'");
        return recipe;
    }

    private static Stage stage(String text, String where) {
        if (text.isEmpty()) {
            throw new GanCompressException(where + ": empty stage (two commas, or a comma at an end)");
        }
        Long steps = null;
        int at = text.lastIndexOf('@');
        if (at >= 0) {
            try {
                steps = Long.parseLong(text.substring(at + 1));
            } catch (NumberFormatException e) {
                steps = -1L;
            }
            if (steps < 0) {
                throw new GanCompressException(where + ": '@" + text.substring(at + 1)
                        + "' must be a number of fine-tuning steps >= 0");
            }
            text = text.substring(0, at);
        }
        String[] tokens = text.split(":", -1);
        ObjectNode config = JSON.createObjectNode();
        String technique;
        int firstField;
        String key = tokens.length > 1 ? tokens[1].split("=", 2)[0] : "";
        ShortForm form = CompressionRegistry.shortForms().stream()
                .filter(f -> f.prefix().equals(tokens[0]) && f.key().equals(key)).findFirst().orElse(null);
        if (form == null && CompressionRegistry.names().contains(tokens[0])) {
            technique = tokens[0];
            firstField = 1;
        } else {
            if (form == null) {
                throw new GanCompressException(where + ": unknown stage; short forms: "
                        + CompressionRegistry.shortForms().stream().map(ShortForm::usage)
                        .collect(Collectors.joining(", ")) + "; or a technique with :field=value pairs: "
                        + String.join(", ", CompressionRegistry.names()));
            }
            technique = form.technique();
            form.fixed().forEach((k, v) -> config.set(k, JSON.valueToTree(v)));
            String[] kv = tokens[1].split("=", 2);
            if (form.valueField() != null) {
                if (kv.length < 2 || kv[1].isEmpty()) {
                    throw new GanCompressException(where + ": " + form.usage() + " needs a value (" + form.meaning()
                            + ")");
                }
                config.set(form.valueField(), value(kv[1]));
            } else if (kv.length > 1) {
                throw new GanCompressException(where + ": " + form.usage() + " takes no value");
            }
            firstField = 2;
        }
        for (int t = firstField; t < tokens.length; t++) {
            String[] kv = tokens[t].split("=", 2);
            if (kv.length < 2 || kv[0].isEmpty()) {
                throw new GanCompressException(where + ": '" + tokens[t] + "' must be field=value");
            }
            config.set(kv[0], value(kv[1]));
        }
        return new Stage(technique, technique, config, steps == null ? StageTuning.INHERIT : StageTuning.steps(steps));
    }

    private static JsonNode value(String text) {
        try {
            JsonNode v = JSON.readTree(text);
            if (v != null && (v.isNumber() || v.isBoolean() || v.isArray())) {
                return v;
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // not JSON: a string such as an enum constant
        }
        return JSON.getNodeFactory().textNode(text);
    }
}
