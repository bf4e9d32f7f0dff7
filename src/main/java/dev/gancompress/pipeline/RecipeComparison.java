package dev.gancompress.pipeline;

import dev.gancompress.metrics.QualityEvaluation;
import dev.gancompress.metrics.QualityReport;
import dev.gancompress.model.Model;
import dev.gancompress.report.ResultRow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        rows.add(ResultRow.of("teacher", "teacher", "1", teacher, evaluated(evaluation, teacherSource, teacherSource,
                runner.workRoot().resolve("teacher-quality.json"), progress), 0));
        for (int i = 0; i < entries.size(); i++) {
            ComparisonEntry e = entries.get(i);
            RecipeRunner.Result r = results.get(i);
            QualityReport q = evaluated(evaluation, QualityEvaluation.Source.read(r.file()), teacherSource,
                    r.file().resolveSibling("quality.json"), progress);
            rows.add(ResultRow.of(e.recipe().name(), e.method(), e.target(), r.model(), q, r.fineTuneSeconds()));
        }
        return rows;
    }

    /** The evaluation of {@code student}, reused from {@code file} when it still holds exactly that evaluation. */
    static QualityReport evaluated(QualityEvaluation evaluation, QualityEvaluation.Source student,
                                           QualityEvaluation.Source teacher, Path file,
                                           QualityEvaluation.Progress progress) {
        if (Files.exists(file)) {
            try {
                QualityReport old = QualityReport.fromJson(Files.readString(file), file.toString());
                if (evaluation.reproduces(old, student, teacher)) {
                    return old;
                }
            } catch (IOException | RuntimeException stale) {
                // an unreadable or outdated evaluation is simply made again
            }
        }
        QualityReport q = evaluation.evaluate(student, teacher, progress);
        q.writeJson(file);
        return q;
    }
}
