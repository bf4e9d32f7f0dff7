package dev.gancompress.cli;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.FineTuning;
import dev.gancompress.data.Datasets;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.metrics.DomainEvaluator;
import dev.gancompress.metrics.QualityEvaluation;
import dev.gancompress.model.Model;
import dev.gancompress.pipeline.ComparisonEntry;
import dev.gancompress.pipeline.ComparisonThroughput;
import dev.gancompress.pipeline.LowRankQuantComparison;
import dev.gancompress.pipeline.RecipeComparison;
import dev.gancompress.pipeline.RecipeRunner;
import dev.gancompress.report.ComparisonReport;
import dev.gancompress.report.DeploymentReport;
import dev.gancompress.report.ResultRow;
import dev.gancompress.train.ProgressBarHook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * What the comparison commands share: the teacher, its discriminator and the evaluator read and checked, the
 * fine-tuning and reference data opened, recipes run in a work directory, and the report written.
 */
final class ComparisonRun {
    private final Path teacherFile;
    private final Path evaluatorFile;
    private final Model teacher;
    private final Model discriminator;
    private final ImageDataset train;
    private final ImageDataset reference;
    /** The paired test set of an image-to-image teacher (FID on its outputs, PSNR to its targets); else null. */
    private final dev.gancompress.data.PairedDataset pairedReference;
    private final Path work;
    private final long seed;
    private final boolean verify;

    ComparisonRun(Path teacherFile, Path discriminatorFile, Path evaluatorFile, String trainData, String referenceData,
                  Path dataDir, Path work, long seed, boolean verify) throws IOException {
        this.verify = verify;
        this.teacherFile = teacherFile;
        this.evaluatorFile = evaluatorFile;
        this.teacher = ModelFiles.read(teacherFile);
        this.discriminator = discriminatorFile == null ? null : ModelFiles.read(discriminatorFile);
        if (discriminatorFile == null) {
            System.out.println("no discriminator (--teacher-d) for " + teacherFile + ": every student fine-tunes "
                    + "discriminator-free, toward the teacher's outputs");
        }
        DomainEvaluator evaluator = DomainEvaluator.load(evaluatorFile);
        int[] image = teacher.outputShape().dims();
        if (image.length != 3) {
            throw new GanCompressException("teacher " + teacherFile + " outputs " + teacher.outputShape()
                    + ", not an image [C, H, W]");
        }
        this.train = TrainingData.open(trainData, dataDir, teacher);
        if (ModelFiles.isImageToImage(teacher)) {
            this.pairedReference = Datasets.openPaired(referenceData, dataDir,
                    teacher.input(dev.gancompress.model.Input.Kind.IMAGE).shape().channels(), image[0], image[1]);
            this.reference = null;
        } else {
            this.pairedReference = null;
            this.reference = Datasets.open(referenceData, dataDir, image[0], image[1], image[2], Datasets.Fit.PAD);
            evaluator.requireShape(reference);
        }
        this.work = work;
        this.seed = seed;
        Files.createDirectories(work);
    }

    Model teacher() {
        return teacher;
    }

    Path teacherFile() {
        return teacherFile;
    }

    /**
     * Runs the entries with {@code steps} fine-tuning steps each and evaluates every model; the evaluator is read
     * again once every student exists, so the numbers name the file as it is then.
     */
    List<ResultRow> run(Function<Model, List<ComparisonEntry>> entries, long steps, int samples) {
        return run(entries, steps, samples, seed, work);
    }

    /**
     * The same with the students fine-tuned from {@code trainingSeed} in {@code dir}; the evaluation keeps the run's
     * seed, so the seeds' tables differ by training noise only and share their latent codes.
     */
    List<ResultRow> run(Function<Model, List<ComparisonEntry>> entries, long steps, int samples, long trainingSeed,
                        Path dir) {
        RecipeRunner runner = new RecipeRunner(teacher, discriminator, train, DomainEvaluator.load(evaluatorFile).model(),
                FineTuning.Settings.defaults(steps, trainingSeed), dir,
                dev.gancompress.Provenance.of(Main.invocation()).withInput("teacher", teacherFile),
                name -> List.of(new ProgressBarHook("fine-tune " + name)), verify);
        return RecipeComparison.run(teacher, teacherFile.toString(), runner,
                () -> evaluation(samples),
                entries.apply(teacher), new EvaluationProgressBar());
    }

    /** Latent teachers: samples vs the reference images; image-to-image teachers: outputs on the paired test set. */
    private QualityEvaluation evaluation(int samples) {
        QualityEvaluation.Settings settings = QualityEvaluation.Settings.defaults().withSamples(samples).withSeed(seed);
        DomainEvaluator evaluator = DomainEvaluator.load(evaluatorFile);
        return pairedReference == null ? new QualityEvaluation(evaluator, reference, settings)
                : QualityEvaluation.paired(evaluator, pairedReference, settings,
                dev.gancompress.metrics.CostModel.Options.defaults());
    }

    /** Writes {@code <work>/<stem>.md/.json}, the plots and the sample grid, and prints the table. */
    void report(String stem, String title, String preamble, List<ResultRow> rows) {
        report(work, stem, title, preamble, rows);
    }

    void report(Path dir, String stem, String title, String preamble, List<ResultRow> rows) {
        report(dir, stem, title, preamble, rows, rows.stream().anyMatch(r -> r.ort() != null));
    }

    /** The same; {@code ortColumns} keeps the ORT columns in the table even when nothing was timed. */
    void report(Path dir, String stem, String title, String preamble, List<ResultRow> rows, boolean ortColumns) {
        List<Model> models = new ArrayList<>();
        models.add(teacher);
        for (ResultRow r : rows.subList(1, rows.size())) {
            models.add(ModelFiles.read(dir.resolve(r.name()).resolve(RecipeRunner.OUTPUT)));
        }
        ComparisonReport.writeAll(dir, stem, title, preamble, rows, models, seed,
                pairedReference == null ? null : pairedReference.inputs(), ortColumns);
        System.out.println(ComparisonReport.markdown(rows, ortColumns));
        System.out.printf(Locale.ROOT, "wrote %s%n", dir.resolve(stem + ".md"));
    }

    /**
     * The rows with the ONNX Runtime images/s of the teacher file and of every student written in {@code dir}, all
     * timed in one process run with interleaved rounds ({@link ComparisonThroughput}, cached in
     * {@code <dir>/throughput.json}), and the ratio to the teacher's.
     */
    List<ResultRow> timed(Path dir, List<ResultRow> rows, int batch, int rounds) {
        return ComparisonThroughput.withSpeeds(rows, files(dir, rows), teacher, dir, batch, rounds, seed);
    }

    /** The ONNX file of each row: the teacher's file, then {@code <dir>/<row>/generator.onnx}. */
    private Map<String, Path> files(Path dir, List<ResultRow> rows) {
        Map<String, Path> files = new LinkedHashMap<>();
        files.put(rows.get(0).name(), teacherFile);
        for (ResultRow r : rows.subList(1, rows.size())) {
            files.put(r.name(), dir.resolve(r.name()).resolve(RecipeRunner.OUTPUT));
        }
        return files;
    }

    /**
     * Bytes on disk and ONNX Runtime images/s of the teacher file and every written student (all timed in one run,
     * {@link LowRankQuantComparison#deployment}), then {@code <dir>/<stem>.md/.json}, the FID-vs-bytes and
     * FID-vs-MACs plots and the sample grid; prints the table.
     */
    LowRankQuantComparison.Deployment reportDeployment(Path dir, String stem, String title,
            Function<LowRankQuantComparison.Deployment, String> preamble, List<ResultRow> rows, int batch, int rounds) {
        Map<String, Path> files = files(dir, rows);
        List<Model> models = new ArrayList<>();
        models.add(teacher);
        for (ResultRow r : rows.subList(1, rows.size())) {
            models.add(ModelFiles.read(files.get(r.name())));
        }
        LowRankQuantComparison.Deployment deployed = LowRankQuantComparison.deployment(rows, files, teacher, dir,
                batch, rounds, seed);
        DeploymentReport.writeAll(dir, stem, title, preamble.apply(deployed), deployed.rows(), models, seed);
        System.out.println(DeploymentReport.markdown(deployed.rows()));
        System.out.printf(Locale.ROOT, "wrote %s%n", dir.resolve(stem + ".md"));
        return deployed;
    }

    Path work() {
        return work;
    }

    /** The evaluation settings as a sentence for report preambles. */
    static String evaluationSentence(List<ResultRow> rows, int samples) {
        var q = rows.get(0).quality();
        return String.format(Locale.ROOT, "Quality: %d generated samples vs %d real test images on evaluator %s "
                        + "(sha256 %s, layer %s, test accuracy %.4f); fidelity: PSNR/SSIM to the teacher on the same "
                        + "latent codes.", samples, q.reference().count(), q.evaluator().file(),
                q.evaluator().sha256().substring(0, 12), q.evaluator().layer(), q.evaluator().testAccuracy());
    }
}
