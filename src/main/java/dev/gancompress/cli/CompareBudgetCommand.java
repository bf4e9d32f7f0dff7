package dev.gancompress.cli;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.distill.EvaluationNetworkGuard;
import dev.gancompress.data.Datasets;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.metrics.DomainEvaluator;
import dev.gancompress.metrics.QualityEvaluation;
import dev.gancompress.model.Model;
import dev.gancompress.pipeline.BudgetCurves;
import dev.gancompress.pipeline.BudgetMethod;
import dev.gancompress.report.BudgetReport;
import dev.gancompress.train.ProgressBarHook;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "compare-budget", mixinStandardHelpOptions = true,
        description = "Budget curves: every method x MACs fraction x training seed, FID (interval), recall and PSNR "
                + "to the teacher after each step budget; one plot per fraction and a table of each method's best "
                + "budget. Resumable: finished points (<work>/results.jsonl) are never redone.")
final class CompareBudgetCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    VerifyOption verifyOption = new VerifyOption();

    @picocli.CommandLine.Mixin
    ComparisonInputs inputs = new ComparisonInputs();

    @Option(names = "--fractions", split = ",", defaultValue = "0.5,0.25,0.125",
            description = "MACs fractions of the teacher (default ${DEFAULT-VALUE}).")
    List<Double> fractions;

    @Option(names = "--steps", split = ",", defaultValue = "300,1000,3000,10000",
            description = "Fine-tuning step budgets (default ${DEFAULT-VALUE}).")
    List<Long> steps;

    @Option(names = "--seeds", split = ",", defaultValue = "1,2,3", description = "Training seeds (default ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Option(names = "--methods", split = ",", defaultValue = "prune,kd,prune-kd,prune-kd-linear",
            description = "Methods: prune, prune-linear, kd, kd-linear, prune-kd, prune-kd-linear, prune-kd-cosine, "
                    + "prune-kd-dfree, prune-kd-mmd, iter-kd (default ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--samples", defaultValue = "10000",
            description = "Generated samples per evaluation (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the evaluation's latent codes (default ${DEFAULT-VALUE}).")
    long evaluationSeed;

    @Option(names = "--feature-network", defaultValue = "models/feature-net-fashion.onnx",
            description = "Classifier for feature-network losses (prune-kd-mmd); never the evaluator "
                    + "(default ${DEFAULT-VALUE}).")
    Path featureNetwork;

    @Option(names = "--stages", defaultValue = "3", description = "Stages of iter-kd (default ${DEFAULT-VALUE}).")
    int stages;

    @Option(names = "--work", defaultValue = "out/budget", description = "Work and output directory (default ${DEFAULT-VALUE}).")
    Path work;

    @Override
    public Integer call() throws Exception {
        List<BudgetMethod> parsed = BudgetMethod.parseAll(methods);
        boolean needsNet = parsed.stream().anyMatch(BudgetMethod::needsFeatureNetwork);
        if (needsNet && !Files.exists(featureNetwork)) {
            throw new GanCompressException("--feature-network " + featureNetwork + " does not exist; make it with "
                    + "`./gancompress train-evaluator --arch narrow-deep --seed 7 --epochs 3 --out " + featureNetwork + "`");
        }
        BudgetCurves.Settings settings = new BudgetCurves.Settings(fractions, steps, seeds, parsed, samples,
                needsNet ? featureNetwork.toString() : null, stages, verifyOption.verify());
        Model teacher = ModelFiles.read(inputs.teacher);
        Path discriminatorFile = inputs.discriminatorFile();
        if (discriminatorFile == null) {
            throw new GanCompressException("--teacher-d: compare-budget fine-tunes every student against the teacher's "
                    + "discriminator; pass the one that belongs to " + inputs.teacher + " (the bundled "
                    + ComparisonInputs.BUNDLED_DISCRIMINATOR + " belongs to " + ComparisonInputs.BUNDLED_TEACHER + ")");
        }
        Model discriminator = ModelFiles.read(discriminatorFile);
        DomainEvaluator evaluator = DomainEvaluator.load(inputs.evaluator);
        int[] image = teacher.outputShape().dims();
        if (image.length != 3) {
            throw new GanCompressException("teacher " + inputs.teacher + " outputs " + teacher.outputShape()
                    + ", not an image [C, H, W]");
        }
        ImageDataset train = Datasets.open(inputs.training.data, inputs.training.dataDir, image[0], image[1], image[2], Datasets.Fit.PAD);
        ImageDataset reference = Datasets.open(inputs.reference, inputs.training.dataDir, image[0], image[1], image[2],
                Datasets.Fit.PAD);
        evaluator.requireShape(reference);
        if (needsNet) {
            // before any training: a feature network that is, or derives from, the evaluator is refused
            EvaluationNetworkGuard.refuseEvaluationNetwork(ModelFiles.read(featureNetwork), featureNetwork.toString(),
                    dev.gancompress.Digests.sha256(featureNetwork), evaluator.model(), evaluator.sha256());
        }
        Files.createDirectories(work);
        BudgetCurves curves = new BudgetCurves(new BudgetCurves.Inputs(teacher, inputs.teacher.toString(),
                discriminator, train, evaluator.model(),
                () -> new QualityEvaluation(DomainEvaluator.load(inputs.evaluator), reference,
                        QualityEvaluation.Settings.defaults().withSamples(samples).withSeed(evaluationSeed)),
                work, name -> List.of(new ProgressBarHook("fine-tune " + name)), new EvaluationProgressBar()),
                settings);
        List<BudgetCurves.Point> points = curves.run();
        String preamble = String.format(Locale.ROOT, "Teacher %s; methods %s; budgets %s steps of batch 64; training "
                        + "seeds %s; %d generated samples per evaluation vs %s on evaluator %s. Constant-rate methods "
                        + "are snapshotted along one run to the largest budget; decaying schedules and iter-kd train "
                        + "every budget separately.", inputs.teacher, methods, steps, seeds, samples, inputs.reference,
                inputs.evaluator);
        System.out.println(BudgetReport.writeAll(work, points, fractions, preamble));
        System.out.println("wrote " + work.resolve("budget-curves.md") + " and " + work.resolve("budget-1ofN.png"));
        return ExitCode.OK.code();
    }
}
