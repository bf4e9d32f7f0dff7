package dev.gancompress.pipeline;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.CompressionRegistry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecipeJsonTest {
    private static Recipe parse(String json) {
        return RecipeJson.parse(json.replace('\'', '"'), "r.json");
    }

    private static void fails(String json, String... parts) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(GanCompressException.class).satisfies(e -> {
            for (String p : parts) {
                assertThat(e.getMessage()).contains(p);
            }
        });
    }

    @Test
    void aValidRecipeRoundTripsThroughItsJson() {
        Recipe r = parse("{'name':'x','stages':[{'technique':'channel-pruning','config':{'ratio':0.5},"
                + "'fineTune':{'steps':10,'kdOutputWeight':1.5}},{'name':'q','technique':'qat','config':{'bits':8}}]}");
        assertThat(r.stages()).extracting(Stage::name).containsExactly("channel-pruning", "q");
        assertThat(r.stages().get(0).fineTune()).isEqualTo(new StageTuning(10L, null, null, null, 1.5));
        assertThat(RecipeJson.parse(r.toJson(), "again")).isEqualTo(r);
    }

    @Test
    void unknownTechniqueNamesTheStageAndListsTheKnownOnes() {
        fails("{'name':'x','stages':[{'technique':'qat','config':{'bits':8}},{'name':'p','technique':'chanel-pruning'}]}",
                "r.json (recipe 'x'): stage 2 'p': field 'technique': unknown compression 'chanel-pruning'; known: ",
                "channel-pruning", "magnitude-pruning", "entropy-coding", "qat");
    }

    @Test
    void wrongTypesNameStageAndField() {
        fails("{'name':'x','stages':[{'technique':5}]}", "stage 1: field 'technique' must be a string, got 5");
        fails("{'name':'x','stages':[{'technique':'channel-pruning','config':{'ratio':'half'}}]}",
                "stage 1 'channel-pruning': field 'config': compression 'channel-pruning': field 'ratio' must be a number");
        fails("{'name':'x','stages':[{'technique':'qat','fineTune':{'steps':'ten'}}]}",
                "stage 1 'qat': field 'fineTune.steps' must be an integer >= 0, got \"ten\"");
        fails("{'name':'x','stages':[{'technique':'qat','fineTune':{'generatorLearningRate':0}}]}",
                "field 'fineTune.generatorLearningRate' must be a number > 0, got 0");
        fails("{'name':'x','stages':[{'technique':'qat','config':[8]}]}",
                "stage 1 'qat': field 'config' must be a JSON object");
        fails("{'name':'x','stages':{}}", "field 'stages' must be a non-empty array");
        fails("{'name':'x y','stages':[]}", "field 'name' must be letters, digits");
    }

    @Test
    void missingAndUnknownFields() {
        fails("{'stages':[{'technique':'qat'}]}", "r.json: missing field 'name'");
        fails("{'name':'x'}", "missing field 'stages'");
        fails("{'name':'x','stages':[{'config':{}}]}", "stage 1: missing field 'technique'");
        // a required config field left out: the technique's record says which (a number left out reads as 0)
        fails("{'name':'x','stages':[{'technique':'network-slimming','config':{}}]}",
                "stage 1 'network-slimming': field 'config': compression 'network-slimming': invalid configuration: "
                        + "network-slimming lambda must be a finite number > 0, got 0.0");
        fails("{'name':'x','stages':[{'technique':'qat','finetune':{}}]}",
                "stage 1 'qat': unknown field 'finetune'; accepted fields: name, technique, config, fineTune");
        fails("{'name':'x','stages':[{'technique':'qat','fineTune':{'step':3}}]}",
                "stage 1 'qat': fineTune: unknown field 'step'; accepted fields: steps, batchSize");
        fails("not json", "r.json is not valid JSON");
    }

    @Test
    void impossibleOrdersAreRefusedWithTheRule() {
        fails("{'name':'x','stages':[{'technique':'entropy-coding'},{'technique':'magnitude-pruning','config':{'sparsity':0.5}}]}",
                "stage 2 'magnitude-pruning': magnitude-pruning (a rewrite of float weights or structure) cannot "
                        + "follow stage 'entropy-coding' (entropy coding)", "docs/RECIPES.md");
        fails("{'name':'x','stages':[{'technique':'qat'},{'technique':'channel-pruning','config':{'ratio':0.5}}]}",
                "stage 2 'channel-pruning'", "cannot follow stage 'qat' (quantisation)");
        fails("{'name':'x','stages':[{'technique':'weight-sharing'},{'technique':'ptq-weights'}]}",
                "stage 2 'ptq-weights': ptq-weights (quantisation) cannot follow stage 'weight-sharing'");
        fails("{'name':'x','stages':[{'name':'a','technique':'weight-sharing'},{'name':'b','technique':'weight-sharing'}]}",
                "stage 2 'b'", "cannot follow stage 'a' (weight sharing)");
        fails("{'name':'x','stages':[{'technique':'entropy-coding','fineTune':{'steps':5}}]}",
                "field 'fineTune.steps' must be 0 or absent for entropy-coding");
        fails("{'name':'x','stages':[{'technique':'qat'},{'technique':'qat'}]}",
                "stage 2 'qat': field 'name': another stage is named 'qat'");
        // allowed: rewrites, then quantisation (twice), then sharing, then coding
        parse("{'name':'x','stages':[{'technique':'magnitude-pruning','config':{'sparsity':0.5}},"
                + "{'technique':'channel-pruning','config':{'ratio':0.5}},{'technique':'ptq-weights'},"
                + "{'technique':'ptq-activations'},{'technique':'weight-sharing'},{'technique':'entropy-coding'}]}");
    }

    @Test
    void theShortFormMapsAbbreviationsToTechniquesAndFields() {
        Recipe r = RecipeShortForm.parse("prune:channel=0.5,distill:width=0.5,quantize:int8,encode:huffman");
        assertThat(r.stages()).extracting(Stage::technique)
                .containsExactly("channel-pruning", "distillation", "ptq-weights", "entropy-coding");
        assertThat(r.stages().get(0).config().get("ratio").asDouble()).isEqualTo(0.5);
        assertThat(r.stages().get(1).config().get("widthMultiplier").asDouble()).isEqualTo(0.5);
        assertThat(r.stages().get(1).config().get("init").asText()).isEqualTo("TEACHER_SELECTION");
        assertThat(r.stages().get(2).config().get("bits").asInt()).isEqualTo(8);
        assertThat(r.stages().get(3).config().get("codecs").get(0).asText()).isEqualTo("huffman");
        assertThat(r.name()).matches(Recipe.NAME_PATTERN);

        Recipe extra = RecipeShortForm.parse("prune:bn=0.25:minChannels=2@50,channel-pruning:ratio=0.1@0,qat:int8");
        assertThat(extra.stages().get(0).config().get("criterion").asText()).isEqualTo("BN_SCALE");
        assertThat(extra.stages().get(0).config().get("minChannels").asInt()).isEqualTo(2);
        assertThat(extra.stages().get(0).fineTune().steps()).isEqualTo(50);
        assertThat(extra.stages()).extracting(Stage::name)
                .containsExactly("channel-pruning-1", "channel-pruning-2", "qat");
        assertThat(extra.stages().get(2).fineTune().steps()).isNull();

        assertThatThrownBy(() -> RecipeShortForm.parse("prune:chanel=0.5")).hasMessageContaining(
                "stage 1 'prune:chanel=0.5': unknown stage; short forms: ").hasMessageContaining("prune:channel=<ratio>");
        assertThatThrownBy(() -> RecipeShortForm.parse("prune:channel")).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> RecipeShortForm.parse("quantize:int8,prune:channel=0.5"))
                .hasMessageContaining("stage 2 'channel-pruning'").hasMessageContaining("cannot follow");
        assertThatThrownBy(() -> RecipeShortForm.parse("quantize:int8@x")).hasMessageContaining(
                "'@x' must be a number of fine-tuning steps");
        assertThatThrownBy(() -> RecipeShortForm.parse("prune:channel=0.5,,quantize:int8"))
                .hasMessageContaining("stage 2 '': empty stage");
    }

    @Test
    void everyBuiltInRecipeParsesValidatesAndIsListed() throws IOException {
        List<String> files;
        try (Stream<Path> s = Files.list(Path.of("recipes"))) {
            files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - 5)).sorted().toList();
        }
        assertThat(files).containsExactlyInAnyOrderElementsOf(RecipeLibrary.BUILT_IN);
        for (String name : RecipeLibrary.BUILT_IN) {
            Recipe r = RecipeLibrary.builtIn(name);
            assertThat(r.name()).isEqualTo(name);
            assertThat(RecipeRunner.techniques(r)).hasSameSizeAs(r.stages());
            assertThat(RecipeLibrary.resolve("recipes/" + name + ".json")).isEqualTo(r);
            assertThat(RecipeLibrary.resolve(name)).isEqualTo(r);
        }
        // one per family, plus the combinations the issue names
        java.util.Set<String> families = new java.util.TreeSet<>();
        for (String name : RecipeLibrary.BUILT_IN) {
            Recipe r = RecipeLibrary.builtIn(name);
            if (r.stages().size() == 1 || name.equals("share-encode")) {
                families.add(CompressionRegistry.families().get(r.stages().get(0).technique()));
            }
        }
        assertThat(families).containsExactly("distill", "encode", "lowrank", "prune", "quantize");
        assertThatThrownBy(() -> RecipeLibrary.resolve("deep-compresion")).hasMessageContaining(
                "neither a file, a built-in recipe (deep-compression, slimming");
    }
}
