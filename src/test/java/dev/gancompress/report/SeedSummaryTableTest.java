package dev.gancompress.report;

import dev.gancompress.metrics.Interval;
import dev.gancompress.metrics.QualityIntervals;
import dev.gancompress.metrics.QualityReport;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Bold marks only differences that neither training seeds nor evaluation intervals can explain. */
class SeedSummaryTableTest {
    private static QualityReport report(double fid, double halfWidth, double psnr) {
        Interval fidIv = new Interval(fid - halfWidth, fid + halfWidth);
        Interval narrow = new Interval(0.49, 0.51);
        QualityIntervals iv = new QualityIntervals("test", 20, 0.95, fidIv, 0.001, new Interval(0, 0.002), narrow,
                narrow);
        QualityReport.Cost cost = new QualityReport.Cost(100, 400, 400, 1000, 10, 10, 1, 0.5, "test");
        return new QualityReport("m", "m.onnx", "0", null, null, new QualityReport.Evaluator("e", "0", "f", 2, 0.9),
                new QualityReport.Reference("r", "0", 10), 10, 1, fid, 0.001, 0, 1, 10, 0.5, 0.5, 3, iv,
                new QualityReport.Fidelity(psnr, 0.5, 1), null, cost, null);
    }

    private static List<ResultRow> rows(double fidA, double fidB, double halfWidth) {
        return List.of(new ResultRow("teacher", "teacher", "1", report(0.5, 0.01, Double.POSITIVE_INFINITY), 100, 0),
                new ResultRow("a", "method a", "1/2", report(fidA, halfWidth, 20), 100, 1),
                new ResultRow("b", "method b", "1/2", report(fidB, halfWidth, 18), 100, 1));
    }

    @Test
    void aClearWinnerIsBoldAndAnOverlapIsNot() {
        String clear = SeedSummaryTable.markdown(List.of(1L, 2L), List.of(rows(1.0, 2.0, 0.1), rows(1.1, 2.1, 0.1)));
        assertThat(clear).contains("**1.05 [1.00, 1.10]**").contains("| 2.05 [2.00, 2.10] |");
        // the same means, but one seed's interval of a reaches b's: no bold
        String noisy = SeedSummaryTable.markdown(List.of(1L, 2L), List.of(rows(1.0, 2.0, 0.1), rows(1.1, 2.1, 0.95)));
        assertThat(noisy).doesNotContain("**1.05").doesNotContain("**2.05");
        // seeds that disagree on the order: no bold either
        String flipped = SeedSummaryTable.markdown(List.of(1L, 2L), List.of(rows(1.0, 2.0, 0.01), rows(2.2, 1.0, 0.01)));
        assertThat(flipped).doesNotContain("**1.60").doesNotContain("**1.50");
    }

    @Test
    void higherIsBetterForFidelityAndTheTeacherIsNeverBold() {
        String md = SeedSummaryTable.markdown(List.of(1L), List.of(rows(1.0, 2.0, 0.1)));
        assertThat(md).contains("**20.00**").contains("| 18.00 |").contains("| inf |");
        assertThat(md.lines().filter(l -> l.startsWith("| teacher")).findFirst().orElseThrow()).doesNotContain("**");
    }
}
