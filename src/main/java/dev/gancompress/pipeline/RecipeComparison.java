package dev.gancompress.pipeline;

import dev.gancompress.metrics.QualityEvaluation;
import dev.gancompress.metrics.QualityReport;
import dev.gancompress.model.Model;
import dev.gancompress.report.ResultRow;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs (or reuses) a list of recipes and evaluates the teacher and every result with the same evaluation, the
 * teacher as the fidelity reference. Every recipe is validated before the first one trains.
 */
public final class RecipeComparison {
    private RecipeComparison() {
    }

    public static List<ResultRow> run(Model teacher, String teacherFile, RecipeRunner runner,
                                      QualityEvaluation evaluation, List<ComparisonEntry> entries,
                                      QualityEvaluation.Progress progress) {
        for (ComparisonEntry e : entries) {
            RecipeRunner.techniques(e.recipe());
        }
        QualityEvaluation.Source teacherSource = QualityEvaluation.Source.of(teacher, teacherFile);
        List<ResultRow> rows = new ArrayList<>();
        rows.add(ResultRow.of("teacher", "teacher", "1", teacher,
                evaluation.evaluate(teacherSource, teacherSource, progress), 0));
        for (ComparisonEntry e : entries) {
            RecipeRunner.Result r = runner.run(e.recipe());
            QualityReport q = evaluation.evaluate(QualityEvaluation.Source.read(r.file()), teacherSource, progress);
            rows.add(ResultRow.of(e.recipe().name(), e.method(), e.target(), r.model(), q, r.fineTuneSeconds()));
        }
        return rows;
    }
}
