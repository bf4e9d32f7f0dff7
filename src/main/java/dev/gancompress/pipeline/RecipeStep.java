package dev.gancompress.pipeline;

import com.fasterxml.jackson.databind.JsonNode;

/** One technique of a recipe: its registry name and its configuration as JSON. */
public record RecipeStep(String technique, JsonNode config) {
}
