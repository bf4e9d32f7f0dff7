package dev.gancompress.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ParetoFrontTest {
    @Test
    void twoObjectivesByHand() {
        // (bytes, FID): a and c and e trade off; b is beaten by a in both, d by c in FID at equal bytes
        List<double[]> points = List.of(
                new double[] {1, 5},   // 0 a: smallest
                new double[] {2, 6},   // 1 b: larger and worse than a
                new double[] {3, 2},   // 2 c
                new double[] {3, 4},   // 3 d: same bytes as c, worse FID
                new double[] {6, 1},   // 4 e: best FID
                new double[] {7, 1});  // 5 f: same FID as e, larger
        assertThat(ParetoFront.indices(points)).containsExactly(0, 2, 4);
    }

    @Test
    void threeObjectivesKeepAPointThatWinsInOnlyOne() {
        List<double[]> points = List.of(
                new double[] {1, 1, 9},  // 0: best in two, worst latency
                new double[] {2, 2, 1},  // 1: best latency only
                new double[] {2, 2, 2},  // 2: dominated by 1
                new double[] {1, 1, 9}); // 3: a tie of 0 is not dominated by it
        assertThat(ParetoFront.indices(points)).containsExactly(0, 1, 3);
    }

    @Test
    void dominanceNeedsOneStrictImprovementAndNaNNeverWins() {
        assertThat(ParetoFront.dominates(new double[] {1, 2}, new double[] {1, 2})).isFalse();
        assertThat(ParetoFront.dominates(new double[] {1, 2}, new double[] {1, 3})).isTrue();
        assertThat(ParetoFront.dominates(new double[] {0, 4}, new double[] {1, 3})).isFalse();
        List<double[]> points = List.of(new double[] {Double.NaN, 0}, new double[] {5, 5});
        assertThat(ParetoFront.indices(points)).containsExactly(1);
    }
}
