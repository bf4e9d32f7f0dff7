package dev.gancompress.pipeline;

import dev.gancompress.GanCompressException;
import dev.gancompress.metrics.CostModel;
import dev.gancompress.metrics.QualityReport;
import dev.gancompress.model.Model;
import dev.gancompress.report.ReportEntry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Report entries from what the pipeline made: a written model file, its evaluation and the recipe behind it. The
 * per-layer cost is computed from the model as stored (its weight formats), the provenance is the file's metadata,
 * and the families come from the recipe ({@link Recipes#families}).
 */
public final class ReportEntries {
    private ReportEntries() {
    }

    /**
     * @param recipe          null for the teacher
     * @param model           the model as read from {@code file}
     * @param imagesPerSecond measured ONNX Runtime images/s, NaN when not measured
     */
    public static ReportEntry of(String name, String parameters, Recipe recipe, Model model, Path file,
                                 QualityReport quality, double imagesPerSecond) {
        List<String> families = recipe == null ? List.of() : Recipes.families(recipe);
        String method = recipe == null ? "teacher" : families.isEmpty() ? "control" : String.join("+", families);
        long bytes;
        try {
            bytes = Files.size(file);
        } catch (IOException e) {
            throw new GanCompressException("cannot read the size of " + file + ": " + e.getMessage(), e);
        }
        return new ReportEntry(name, method, parameters, families, quality,
                CostModel.of(model, CostModel.Options.defaults()), bytes, imagesPerSecond, model.metadata());
    }
}
