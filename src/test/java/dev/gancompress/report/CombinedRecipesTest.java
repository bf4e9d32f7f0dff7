package dev.gancompress.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.gancompress.report.ReportFixtures.entry;
import static org.assertj.core.api.Assertions.assertThat;

class CombinedRecipesTest {
    private static final ReportEntry TEACHER = entry("teacher", List.of(), 1000, 1.0);
    private static final ReportEntry PRUNE = entry("prune", List.of("prune"), 100, 5);
    private static final ReportEntry INT8 = entry("int8", List.of("quantize"), 50, 8);
    private static final ReportEntry TUCKER = entry("tucker", List.of("lowrank"), 200, 3);

    @Test
    void aCombinedRecipeSmallerAndBetterThanAFrontierSingleWins() {
        ReportEntry both = entry("prune+int8", List.of("prune", "quantize"), 40, 6);      // beats int8 (50, 8)
        ReportEntry big = entry("big-combo", List.of("distill", "quantize"), 300, 10);   // beaten by all
        ReportEntry tiny = entry("tiny-combo", List.of("prune", "encode"), 10, 50);      // smallest, beats nobody
        List<ReportEntry> entries = List.of(TEACHER, PRUNE, INT8, TUCKER, both, big, tiny);
        List<CombinedRecipes.Winner> winners = CombinedRecipes.winners(entries);
        assertThat(winners).extracting(w -> w.entry().name()).containsExactly("prune+int8");
        assertThat(winners.get(0).dominated()).extracting(ReportEntry::name).containsExactly("int8");
        assertThat(CombinedRecipes.sentence(entries)).startsWith("Combined recipe prune+int8 (prune + quantize; 40 "
                + "bytes, FID 6.000) beats every single-family recipe").contains("int8 (50 bytes, FID 8.000)")
                .doesNotContain("tiny-combo").doesNotContain("big-combo");
    }

    @Test
    void aCombinedRecipeTiedBySingleFamilyDoesNotWin() {
        // as small as int8 and as good: not a win, even though it dominates nothing by less
        ReportEntry tie = entry("tie", List.of("prune", "quantize"), 50, 8);
        List<ReportEntry> entries = List.of(TEACHER, PRUNE, INT8, TUCKER, tie);
        assertThat(CombinedRecipes.winners(entries)).isEmpty();
        assertThat(CombinedRecipes.sentence(entries)).startsWith("No combined recipe beats the single-family recipes");
    }

    @Test
    void withoutBothKindsThereIsNoComparison() {
        assertThat(CombinedRecipes.sentence(List.of(TEACHER, PRUNE, INT8)))
                .isEqualTo("No comparison of combined and single-family recipes: this report has 0 combined and 2 "
                        + "single-family recipes.");
    }
}
