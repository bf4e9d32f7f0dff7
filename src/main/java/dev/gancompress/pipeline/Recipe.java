package dev.gancompress.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.GanCompressException;

import java.util.List;

/**
 * An ordered list of stages applied to the teacher, each one's technique to the model the stage before left (schema
 * and rules: docs/RECIPES.md). Names are file-system safe, since each recipe has a work directory. Read from JSON by
 * {@link RecipeJson}, from the command line's short form by {@link RecipeShortForm}; checked by {@link RecipeRules}.
 *
 * @param description one line for reports (optional)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Recipe(String name, String description, List<Stage> stages) {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String NAME_PATTERN = "[A-Za-z0-9._+-]+";

    public Recipe {
        if (name == null || !name.matches(NAME_PATTERN)) {
            throw new GanCompressException("recipe name must be letters, digits, '.', '_', '+' or '-', got '" + name + "'");
        }
        if (stages == null || stages.isEmpty()) {
            throw new GanCompressException("recipe " + name + " has no stage");
        }
        stages = List.copyOf(stages);
    }

    public Recipe(String name, List<Stage> stages) {
        this(name, null, stages);
    }

    /** One technique and one fine-tune of {@code fineTuneSteps}: what `compress --technique` runs. */
    public static Recipe of(String name, long fineTuneSteps, String technique, Record config) {
        return new Recipe(name, List.of(Stage.of(technique, config, StageTuning.steps(fineTuneSteps))));
    }

    public String toJson() {
        return JSON.valueToTree(this).toString();
    }
}
