package dev.gancompress.pipeline;

import dev.gancompress.metrics.QualityEvaluation;
import dev.gancompress.metrics.QualityReport;
import dev.gancompress.model.Model;
import dev.gancompress.report.ResultRow;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs (or reuses) a list of recipes, then evaluates the teacher and every result with the same evaluation, the
 * teacher as the fidelity reference. Every recipe is validated before the first one trains, and all training
 * happens before any evaluation, so a failing recipe stops the run early and the evaluation is made (and its
 * evaluator loaded) only once every model exists.
 */
public final class RecipeComparison {
    private RecipeComparison() {
    }

    public static List<ResultRow> run(Model teacher, String teacherFile, RecipeRunner runner,
                                      Supplier<QualityEvaluation> evaluationFactory,
                                      List<ComparisonEntry> entries, QualityEvaluation.Progress progress) {
        for (ComparisonEntry e : entries) {
            RecipeRunner.techniques(e.recipe());
        }
        List<RecipeRunner.Result> results = new ArrayList<>();
        for (ComparisonEntry e : entries) {
            results.add(runner.run(e.recipe()));
        }
        QualityEvaluation evaluation = evaluationFactory.get();
        QualityEvaluation.Source teacherSource = QualityEvaluation.Source.of(teacher, teacherFile);
        List<ResultRow> rows = new ArrayList<>();
        rows.add(ResultRow.of("teacher", "teacher", "1", teacher,
                evaluation.evaluate(teacherSource, teacherSource, progress), 0));
        for (int i = 0; i < entries.size(); i++) {
            ComparisonEntry e = entries.get(i);
            RecipeRunner.Result r = results.get(i);
            QualityReport q = evaluation.evaluate(QualityEvaluation.Source.read(r.file()), teacherSource, progress);
            rows.add(ResultRow.of(e.recipe().name(), e.method(), e.target(), r.model(), q, r.fineTuneSeconds()));
        }
        return rows;
    }
}
