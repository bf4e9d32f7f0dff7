package dev.gancompress.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.GanCompressException;

import java.util.List;

/**
 * An ordered list of techniques applied to the teacher, then one fine-tune of {@code fineTuneSteps} steps that
 * carries every technique's loss terms and hooks. Names are file-system safe, since each recipe has a work
 * directory.
 */
public record Recipe(String name, List<RecipeStep> steps, long fineTuneSteps) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public Recipe {
        if (name == null || !name.matches("[A-Za-z0-9._+-]+")) {
            throw new GanCompressException("recipe name must be letters, digits, '.', '_', '+' or '-', got '" + name + "'");
        }
        if (steps == null || steps.isEmpty()) {
            throw new GanCompressException("recipe " + name + " has no technique");
        }
        if (fineTuneSteps < 0) {
            throw new GanCompressException("recipe " + name + ": fine-tune steps must be >= 0, got " + fineTuneSteps);
        }
        steps = List.copyOf(steps);
    }

    public static Recipe of(String name, long fineTuneSteps, String technique, Record config) {
        return new Recipe(name, List.of(new RecipeStep(technique, JSON.valueToTree(config))), fineTuneSteps);
    }

    public String toJson() {
        return JSON.valueToTree(this).toString();
    }
}
