package dev.gancompress.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gancompress.GanCompressException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SweepSpaceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String RECIPE = "{\"name\": \"mp\", \"stages\": ["
            + "{\"technique\": \"magnitude-pruning\", \"config\": {\"sparsity\": 0.5, \"scope\": \"GLOBAL\", "
            + "\"layers\": [], \"schedule\": \"ONE_SHOT\", \"initialSparsity\": 0.0, \"scheduleSteps\": 0, "
            + "\"updateEvery\": 10}, \"fineTune\": {\"steps\": 1}},"
            + "{\"technique\": \"ptq-weights\", \"config\": {\"bits\": 8, \"scheme\": \"symmetric\", "
            + "\"granularity\": \"per-channel\", \"layers\": []}}]}";

    static SweepSpace space(String json) {
        try {
            return SweepSpace.parse(JSON.readTree(json), "S.json");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aGridIsEveryCombinationWithTheLastParameterFastest() {
        SweepSpace s = space("{\"recipe\": " + RECIPE + ", \"parameters\": ["
                + "{\"stage\": 0, \"field\": \"config.sparsity\", \"values\": [0.3, 0.6]},"
                + "{\"stage\": 1, \"field\": \"config.bits\", \"range\": {\"min\": 4, \"max\": 8, \"count\": 3, "
                + "\"integer\": true}}]}");
        List<SweepSpace.Trial> trials = s.enumerate();
        assertThat(trials).extracting(SweepSpace.Trial::describe).containsExactly(
                "0.config.sparsity=0.3, 1.config.bits=4", "0.config.sparsity=0.3, 1.config.bits=6",
                "0.config.sparsity=0.3, 1.config.bits=8", "0.config.sparsity=0.6, 1.config.bits=4",
                "0.config.sparsity=0.6, 1.config.bits=6", "0.config.sparsity=0.6, 1.config.bits=8");
        JsonNode r = trials.get(4).recipe();
        assertThat(r.at("/stages/0/config/sparsity").asDouble()).isEqualTo(0.6);
        assertThat(r.at("/stages/1/config/bits").asInt()).isEqualTo(6);
        assertThat(r.at("/stages/1/config/bits").isIntegralNumber()).isTrue();
        // the base is untouched
        assertThat(s.recipe().at("/stages/0/config/sparsity").asDouble()).isEqualTo(0.5);
    }

    @Test
    void randomSearchIsSeededDistinctAndInsideTheRange() {
        String json = "{\"recipe\": " + RECIPE + ", \"search\": \"random\", \"trials\": 5, \"seed\": 7, "
                + "\"parameters\": [{\"stage\": 0, \"field\": \"config.sparsity\", \"range\": {\"min\": 0.1, "
                + "\"max\": 0.9, \"count\": 1}}, {\"stage\": 0, \"field\": \"fineTune.steps\", \"values\": [1, 2]}]}";
        List<SweepSpace.Trial> a = space(json).enumerate();
        List<SweepSpace.Trial> b = space(json).enumerate();
        assertThat(a).hasSize(5);
        assertThat(a).extracting(SweepSpace.Trial::describe).doesNotHaveDuplicates()
                .isEqualTo(b.stream().map(SweepSpace.Trial::describe).toList());
        for (SweepSpace.Trial t : a) {
            assertThat(t.recipe().at("/stages/0/config/sparsity").asDouble()).isBetween(0.1, 0.9);
            assertThat(t.recipe().at("/stages/0/fineTune/steps").asInt()).isIn(1, 2);
        }
        assertThat(space(json.replace("\"seed\": 7", "\"seed\": 8")).enumerate()).extracting(SweepSpace.Trial::describe)
                .isNotEqualTo(a.stream().map(SweepSpace.Trial::describe).toList());
        // a space with 2 distinct points gives 2 trials, not 5 with repeats
        String small = json.replace("\"range\": {\"min\": 0.1, \"max\": 0.9, \"count\": 1}", "\"values\": [0.5]");
        assertThat(space(small).enumerate()).hasSize(2);
    }

    @Test
    void theDocumentedExampleIsAValidSpace() {
        SweepSpace s = SweepSpace.read(java.nio.file.Path.of("docs/examples/sweep-prune-int.json"));
        assertThat(Sweep.validate(s)).isEqualTo(4);
        assertThat(s.enumerate()).extracting(SweepSpace.Trial::describe).contains("0.config.ratio=0.5, 1.config.bits=4");
    }

    @Test
    void badSpacesNameTheFieldAndWhatWasExpected() {
        String p = "{\"stage\": 0, \"field\": \"config.sparsity\", \"values\": [0.3]}";
        assertThatThrownBy(() -> space("{\"parameters\": [" + p + "]}")).isInstanceOf(GanCompressException.class)
                .hasMessage("space file S.json: missing field 'recipe' (the base recipe every trial starts from, an "
                        + "object as in docs/RECIPES.md)");
        assertThatThrownBy(() -> space("{\"recipe\": " + RECIPE + ", \"paramters\": [" + p + "]}"))
                .hasMessage("space file S.json: paramters is not a known field; expected recipe, search, trials, seed, "
                        + "parameters");
        assertThatThrownBy(() -> space("{\"recipe\": " + RECIPE + ", \"parameters\": [" + p.replace("\"stage\": 0",
                "\"stage\": 2") + "]}")).hasMessage("space file S.json: parameters[0].stage must be a stage index "
                + "from 0 to 1 (the recipe has 2 stages), got 2");
        assertThatThrownBy(() -> space("{\"recipe\": " + RECIPE + ", \"parameters\": [" + p.replace("\"values\": [0.3]",
                "\"value\": [0.3]") + "]}")).hasMessageContaining("parameters[0].value is not a known field");
        assertThatThrownBy(() -> space("{\"recipe\": " + RECIPE + ", \"parameters\": [" + p.replace("config.sparsity",
                "settings.sparsity") + "]}")).hasMessage("space file S.json: parameters[0].field 'settings.sparsity': "
                + "stage 0 has no object 'settings'");
        assertThatThrownBy(() -> space("{\"recipe\": " + RECIPE + ", \"parameters\": [{\"field\": \"fineTuneStep\", "
                + "\"values\": [1]}]}")).hasMessageContaining("parameters[0].field 'fineTuneStep': the recipe has no "
                + "such field; recipe fields: name, stages");
        assertThatThrownBy(() -> space("{\"recipe\": " + RECIPE + ", \"parameters\": [{\"stage\": 0, \"field\": "
                + "\"config.sparsity\", \"range\": {\"min\": 0.9, \"max\": 0.1, \"count\": 2}}]}"))
                .hasMessage("space file S.json: parameters[0].range (config.sparsity): min 0.9 is larger than max 0.1");
        assertThatThrownBy(() -> space("{\"recipe\": " + RECIPE + ", \"search\": \"random\", \"parameters\": [" + p
                + "]}")).hasMessageContaining("'trials' must be an integer from 1 to 10000 for random search, got null");
        assertThatThrownBy(() -> space("{\"recipe\": " + RECIPE + ", \"search\": \"bayes\", \"parameters\": [" + p
                + "]}")).hasMessage("space file S.json: 'search' must be 'grid' or 'random', got 'bayes'");
        // the base recipe is validated by the technique registry, its message kept
        assertThatThrownBy(() -> space("{\"recipe\": " + RECIPE.replace("magnitude-pruning", "magnitude-prunin")
                + ", \"parameters\": [" + p + "]}")).hasMessageStartingWith("space file S.json: recipe (recipe 'mp'): "
                + "stage 1 'magnitude-prunin': field 'technique': unknown compression 'magnitude-prunin'; known: ");
    }
}
