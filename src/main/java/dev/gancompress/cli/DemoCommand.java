package dev.gancompress.cli;

import dev.gancompress.GanCompressException;
import dev.gancompress.data.Datasets;
import dev.gancompress.model.Model;
import dev.gancompress.pipeline.ComparisonEntry;
import dev.gancompress.pipeline.DemoRecipes;
import dev.gancompress.pipeline.LowRankQuantComparison;
import dev.gancompress.pipeline.Recipe;
import dev.gancompress.pipeline.RecipeRunner;
import dev.gancompress.pipeline.ReportEntries;
import dev.gancompress.report.CombinedRecipes;
import dev.gancompress.report.HtmlReport;
import dev.gancompress.report.ReportEntry;
import dev.gancompress.report.ImageGrid;
import dev.gancompress.report.ResultRow;
import dev.gancompress.runtime.GeneratorSampler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The main job: sample the bundled teachers, compress the unconditional teacher with the "
                + "built-in recipe of every family and the built-in combinations (recipes/), evaluate each, time "
                + "every model in ONNX Runtime in one run, and write out/demo/report.html (+ report.md). A second "
                + "run reuses finished work.")
final class DemoCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    VerifyOption verifyOption = new VerifyOption();

    @Option(names = "--models", defaultValue = "models", description = "Folder of bundled models (default ${DEFAULT-VALUE}).")
    Path models;

    @Option(names = "--out", defaultValue = "out/demo", description = "Output and work folder (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--steps", defaultValue = "100",
            description = "Fine-tuning steps per recipe stage (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--samples", defaultValue = "2000",
            description = "Generated samples per model for FID etc. (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--rounds", defaultValue = "5",
            description = "ONNX Runtime timing rounds per model, batch 64 (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--data-dir",
            description = "Where the Fashion-MNIST IDX files are (default: the Debian package's).")
    Path dataDir;

    @Option(names = "--seed", defaultValue = "1",
            description = "Seed of training, latent codes and metrics (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        Path teacherFile = require("dcgan-fashion.onnx", "the unconditional teacher generator");
        Path discriminatorFile = require("dcgan-fashion-d.onnx", "its discriminator");
        Path evaluatorFile = require("evaluator-fashion.onnx", "the Fashion-MNIST evaluator");
        Files.createDirectories(out);
        for (String name : new String[] {"dcgan-fashion", "cdcgan-fashion"}) {
            Path file = models.resolve(name + ".onnx");
            if (Files.exists(file)) {
                Model teacher = ModelFiles.read(file);
                GeneratorSampler sampler = new GeneratorSampler(teacher);
                int[] s = sampler.imageShape();
                Path grid = out.resolve(name + "-samples.png");
                ImageGrid.write(sampler.generate(seed, 100, 100), 100, s[0], s[1], s[2], 10, 2, grid);
                System.out.printf(Locale.ROOT, "%s: %,d parameters, %,d MACs/image -> %s%n", name,
                        teacher.parameterCount(), teacher.macs(), grid);
            }
        }
        ComparisonRun run = new ComparisonRun(teacherFile, discriminatorFile, evaluatorFile, Datasets.FASHION_MNIST,
                Datasets.FASHION_MNIST_TEST, dataDir, out, seed, verifyOption.verify());
        Model teacher = run.teacher();
        long started = System.nanoTime();
        List<ComparisonEntry> entries = DemoRecipes.entries(steps);
        List<ResultRow> rows = run.run(t -> entries, steps, samples);
        LowRankQuantComparison.Deployment deployed = run.reportDeployment(out, "results", "gancompress demo",
                d -> "", rows, 64, rounds);
        List<ReportEntry> reportEntries = new ArrayList<>();
        List<Model> models = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            ResultRow row = rows.get(i);
            Recipe recipe = i == 0 ? null : entries.get(i - 1).recipe();
            Path file = i == 0 ? teacherFile : out.resolve(row.name()).resolve(RecipeRunner.OUTPUT);
            Model model = i == 0 ? teacher : ModelFiles.read(file);
            String budget = i == 0 ? "" : String.format(Locale.ROOT, "%d stage(s) x %d steps",
                    recipe.stages().size(), steps);
            // a recipe that ends in entropy coding ships its .gcz: that is its size on disk
            Path gcz = RecipeRunner.codedFile(file);
            Path stored = i > 0 && Files.exists(gcz) ? gcz : file;
            reportEntries.add(ReportEntries.of(row.name(), budget, recipe, model, stored, row.quality(),
                    deployed.rows().get(i).imagesPerSecond()));
            models.add(model);
        }
        double minutes = (System.nanoTime() - started) / 60e9;
        String notes = String.format(Locale.ROOT, "Teacher %s (%,d parameters, %,d MACs/image). Every recipe stage "
                        + "is fine-tuned %d steps of batch 64 against a copy of the teacher's discriminator, so a "
                        + "combined recipe of k stages trains k times as long as one stage. %s These budgets and "
                        + "sample counts are chosen to fit the demo in minutes on 2 cores: FIDs are far above what "
                        + "longer fine-tunes reach (README: Results a reviewer can trust). Speed: ONNX Runtime, batch "
                        + "64, every model timed in one run, %d rounds. Wall time of this run: %.1f min.",
                teacherFile, teacher.parameterCount(), teacher.macs(), steps,
                ComparisonRun.evaluationSentence(rows, samples), rounds, minutes);
        HtmlReport.write(out, "report", new HtmlReport.Document("gancompress demo", notes, reportEntries, models,
                seed));
        System.out.println(CombinedRecipes.sentence(reportEntries));
        System.out.printf(Locale.ROOT, "wall time %.1f min; report: %s%n", minutes, out.resolve("report.html"));
        return ExitCode.OK.code();
    }

    private Path require(String name, String what) {
        Path file = models.resolve(name);
        if (!Files.exists(file)) {
            throw new GanCompressException("missing " + what + " " + file + " (the README says which command makes it)");
        }
        return file;
    }
}
