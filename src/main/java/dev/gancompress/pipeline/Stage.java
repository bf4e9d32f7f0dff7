package dev.gancompress.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One stage of a recipe: a registered technique applied to the model the previous stage left, then a fine-tune of
 * the stage's own budget with the technique's loss terms and hooks bound to that model.
 *
 * @param name      file-system safe and unique within the recipe (it names the stage's work directory); defaults
 *                  to the technique's name
 * @param technique a registry name (see `gancompress compress --help`)
 * @param config    the technique's configuration record as a JSON object
 * @param fineTune  the stage's budget; absent fields inherit the runner's
 */
public record Stage(String name, String technique, JsonNode config, StageTuning fineTune) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public Stage {
        name = name == null ? technique : name;
        config = config == null ? JSON.createObjectNode() : config;
        fineTune = fineTune == null ? StageTuning.INHERIT : fineTune;
    }

    public static Stage of(String technique, Record config, StageTuning fineTune) {
        return new Stage(technique, technique, JSON.valueToTree(config), fineTune);
    }

    public Stage named(String newName) {
        return new Stage(newName, technique, config, fineTune);
    }
}
