package dev.gancompress.cli;

import dev.gancompress.GanCompressException;
import dev.gancompress.data.Datasets;
import dev.gancompress.data.EdgeMaps;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.data.PairedDataset;
import dev.gancompress.runtime.PairedSampler;
import dev.gancompress.model.Architectures;
import dev.gancompress.runtime.GeneratorSampler;
import dev.gancompress.report.ImageGrid;
import dev.gancompress.train.GanLoss;
import dev.gancompress.train.GanTrainer;
import dev.gancompress.train.LossCurveCsv;
import dev.gancompress.train.ProgressBarHook;
import dev.gancompress.train.TrainingConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import dev.gancompress.metrics.ConvergenceMonitor;
import dev.gancompress.metrics.DomainEvaluator;
import dev.gancompress.metrics.QualityEvaluation;
import dev.gancompress.model.Shape;
import dev.gancompress.report.ConvergencePlot;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a GAN (generator + discriminator) on the engine; checkpoints every epoch, --resume "
                + "continues a killed run. Writes generator.onnx, discriminator.onnx, losses.csv and samples.png. "
                + "pix2pix-unet and pix2pix-resnet train image-to-image models on paired --data (L1 + conditional "
                + "PatchGAN); their samples show input | output | target.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--arch", defaultValue = "dcgan", description = "Architecture: dcgan, cdcgan, pix2pix-unet or "
            + "pix2pix-resnet (default ${DEFAULT-VALUE}).")
    String architecture;

    @Option(names = "--data", defaultValue = "fashion-mnist",
            description = "fashion-mnist, an IDX images file, or a folder of PNG/JPEG images (default ${DEFAULT-VALUE}); "
                    + "for pix2pix-*: edges-fashion-mnist, a folder of A|B images or a folder with A/ and B/.")
    String data;

    @Option(names = "--data-dir", description = "Where the Fashion-MNIST IDX files are (default: the Debian package's).")
    Path dataDir;

    @Option(names = "--image-size", description = "28 or 32 for dcgan/cdcgan (default 28); a power of two for "
            + "pix2pix-* (default 32).")
    Integer imageSize;

    @Option(names = "--width", description = "Generator base width (default 48; pix2pix-*: 16).")
    Integer width;

    @Option(names = "--d-width", description = "Discriminator base width (default 48; pix2pix-*: 16).")
    Integer discriminatorWidth;

    @Option(names = "--residual-blocks", defaultValue = "6",
            description = "Residual blocks of pix2pix-resnet (default ${DEFAULT-VALUE}).")
    int residualBlocks;

    @Option(names = "--channels", defaultValue = "1",
            description = "pix2pix-*: channels of the input and the target images, 1 or 3 (default ${DEFAULT-VALUE}).")
    int pairChannels;

    @Option(names = "--l1-weight", defaultValue = "100",
            description = "pix2pix-*: weight of the L1 distance to the target in the generator's loss "
                    + "(pix2pix's lambda; default ${DEFAULT-VALUE}).")
    float l1Weight;

    @Option(names = "--latent", defaultValue = "100", description = "Latent dimension (default ${DEFAULT-VALUE}).")
    int latentDim;

    @Option(names = "--epochs", defaultValue = "10", description = "Epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "64", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr-g", defaultValue = "2e-4", description = "Generator Adam learning rate (default ${DEFAULT-VALUE}).")
    double lrG;

    @Option(names = "--lr-d", defaultValue = "2e-4",
            description = "Discriminator Adam learning rate (default ${DEFAULT-VALUE}).")
    double lrD;

    @Option(names = "--beta1", defaultValue = "0.5", description = "Adam beta1 of both players (default ${DEFAULT-VALUE}).")
    double beta1;

    @Option(names = "--loss", defaultValue = "NON_SATURATING",
            description = "NON_SATURATING or HINGE (default ${DEFAULT-VALUE}).")
    GanLoss loss;

    @Option(names = "--seed", defaultValue = "1",
            description = "Seed of initialisation, batch order and latent codes (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--eval-every-epoch", description = "Measure FID (with a 95% jackknife interval), KID and recall "
            + "at every epoch end on the evaluator; log quality.csv and quality.png; keep the lowest-FID epoch as "
            + "generator-best.onnx / discriminator-best.onnx; stop when FID has not improved by more than its own "
            + "interval for --patience epochs.")
    boolean evalEveryEpoch;

    @Option(names = "--evaluator", defaultValue = "models/evaluator-fashion.onnx",
            description = "Evaluator ONNX file for --eval-every-epoch (default ${DEFAULT-VALUE}).")
    Path evaluator;

    @Option(names = "--eval-data", description = "Real reference set for --eval-every-epoch (default fashion-mnist-test;"
            + " pix2pix-*: edges-fashion-mnist-test, paired test data whose outputs are compared with their targets).")
    String evalData;

    @Option(names = "--eval-samples", defaultValue = "2000",
            description = "Generated samples per epoch evaluation (default ${DEFAULT-VALUE}).")
    int evalSamples;

    @Option(names = "--patience", defaultValue = "3",
            description = "Epochs without a significant FID improvement before stopping (default ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--cool-down-epochs", defaultValue = "0",
            description = "With --eval-every-epoch: once FID is flat for --patience epochs, anneal both learning rates "
                    + "linearly to zero over this many more epochs instead of stopping at once; 0 stops at the plateau "
                    + "(default ${DEFAULT-VALUE}). May be added when resuming a run.")
    int coolDownEpochs;

    @Option(names = "--min-epochs", defaultValue = "5",
            description = "Never stop early before this many epochs (default ${DEFAULT-VALUE}).")
    int minEpochs;

    @Option(names = "--cache-dir", defaultValue = ".cache/gancompress",
            description = "Where reference features are cached (default ${DEFAULT-VALUE}).")
    Path cacheDir;

    @Option(names = "--checkpoint-every", defaultValue = "200",
            description = "Also checkpoint every N steps inside an epoch, 0 for epoch ends only (default ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--max-steps", defaultValue = "0", description = "Stop after this many steps (0: no limit).")
    long maxSteps;

    @Option(names = "--out", required = true, description = "Run directory (checkpoints, logs, models).")
    Path out;

    @Option(names = "--resume", description = "Continue from the run directory's last checkpoint.")
    boolean resume;

    @picocli.CommandLine.Mixin
    VerifyOption verifyOption = new VerifyOption();

    /** The paired data of an image-to-image run, null otherwise. */
    private PairedDataset pairs;

    @Override
    public Integer call() throws Exception {
        TrainingConfig config = new TrainingConfig(epochs, batchSize, lrG, lrD, beta1, 0.999, loss, seed,
                checkpointEvery, maxSteps);
        Architectures.requireKnown(architecture);
        boolean paired = Architectures.isImageToImage(architecture);
        if (imageSize == null) {
            imageSize = paired ? 32 : 28;
        }
        if (width == null) {
            width = paired ? 16 : 48;
        }
        if (discriminatorWidth == null) {
            discriminatorWidth = paired ? 16 : 48;
        }
        if (evalData == null) {
            evalData = paired ? EdgeMaps.EDGES_FASHION_MNIST_TEST : Datasets.FASHION_MNIST_TEST;
        }
        if (paired) {
            if (data.equals(Datasets.FASHION_MNIST)) {
                data = EdgeMaps.EDGES_FASHION_MNIST;
            }
            if (pairChannels != 1 && pairChannels != 3) {
                throw new GanCompressException("--channels must be 1 or 3, got " + pairChannels);
            }
            pairs = Datasets.openPaired(data, dataDir, pairChannels, pairChannels, imageSize);
        }
        ImageDataset dataset = paired ? pairs.targets()
                : Datasets.open(data, dataDir, 1, imageSize, imageSize, Datasets.Fit.PAD);
        if (dataset.channels() != 1 && dataset.channels() != 3) {
            throw new GanCompressException("dataset " + data + " has " + dataset.channels() + " channels");
        }
        int classes = dataset.numClasses();
        if (architecture.startsWith("cdcgan") && classes < 2) {
            throw new GanCompressException("architecture " + architecture + " needs a labelled dataset; "
                    + dataset.description() + " has no labels");
        }
        Architectures.Pair pair = Architectures.create(architecture, new Architectures.Options(imageSize,
                dataset.channels(), width, discriminatorWidth, latentDim, classes,
                paired ? pairs.inputs().channels() : dataset.channels(), residualBlocks));
        ImageDataset trained = paired ? pairs.stacked() : dataset;
        if (resume && !Files.exists(out.resolve(GanTrainer.CHECKPOINT_FILE))) {
            System.out.println("no checkpoint in " + out + ": starting a new run");
        }
        Files.createDirectories(out);
        GanTrainer trainer = new GanTrainer(config)
                .addHook(new ProgressBarHook("train " + architecture))
                .addHook(new LossCurveCsv(out.resolve("losses.csv")))
                .addHook(new dev.gancompress.train.TrainingHook() {
                    @Override
                    public void onEpochEnd(int epoch, long step) {
                        // a grid per epoch shows how the samples evolve, and whether training collapsed
                        writeSamples(pair.generator(), dataset.channels(),
                                out.resolve(String.format(Locale.ROOT, "samples-epoch%03d.png", epoch + 1)));
                    }
                });
        ConvergenceMonitor monitor = null;
        if (evalEveryEpoch) {
            monitor = convergenceMonitor(pair, trained.contentHash());
            trainer.addHook(monitor);
        }
        trainer.initialise(pair.generator(), pair.discriminator());
        trainer.reconstructionWeight(l1Weight);
        System.out.printf(Locale.ROOT, "training %s on %s: G %,d params %,d MACs/image, D %,d params %,d MACs/image%n",
                architecture, trained.description(), pair.generator().parameterCount(), pair.generator().macs(),
                pair.discriminator().parameterCount(), pair.discriminator().macs());
        GanTrainer.Result result = trainer.run(pair.generator(), pair.discriminator(), trained, out, resume);
        double macsPerImage = 3.0 * (pair.generator().macs() + 2.0 * pair.discriminator().macs())
                + 2.0 * pair.discriminator().macs();
        System.out.printf(Locale.ROOT, "%d steps this run in %.1f s: %.1f images/s, ~%.1f GFLOP/s in the training step%n",
                result.stepsThisRun(), result.seconds(), result.imagesPerSecond(),
                result.imagesPerSecond() * macsPerImage * 2 / 1e9);
        if (!result.finished()) {
            System.out.println("stopped at step " + result.steps() + " (--max-steps); continue with --resume");
            return ExitCode.OK.code();
        }
        if (monitor != null) {
            ConvergenceMonitor.EpochQuality best = monitor.best();
            System.out.printf(Locale.ROOT, "%s after epoch %d; chosen (lowest FID): epoch %d, FID %.3f %s, recall %.3f"
                            + " -> generator-best.onnx, discriminator-best.onnx%n",
                    !result.stoppedEarly() ? "reached --epochs, stopped"
                            : coolDownEpochs == 0 ? "converged (FID flat for " + patience + " epochs), stopped"
                            : "converged (FID flat for " + patience + " epochs after epoch "
                            + (monitor.lastEpoch() - coolDownEpochs - patience) + "), cooled down for "
                            + coolDownEpochs + " epochs, stopped", monitor.history().get(monitor.history().size() - 1).epoch(),
                    best.epoch(), best.fid(), best.fidInterval().format("%.3f", 1), best.recall());
        }
        String command = Main.invocation();
        ModelFiles.write(pair.generator().withName(architecture + "-generator"), out.resolve("generator.onnx"),
                command, seed, trained.contentHash(), verifyOption.verify());
        ModelFiles.write(pair.discriminator().withName(architecture + "-discriminator"),
                out.resolve("discriminator.onnx"), command, seed, trained.contentHash(), verifyOption.verify());
        writeSamples(pair.generator(), dataset.channels(), out.resolve("samples.png"));
        System.out.println("wrote " + out.resolve("generator.onnx") + ", " + out.resolve("discriminator.onnx")
                + ", " + out.resolve("samples.png") + ", " + out.resolve("losses.csv"));
        return ExitCode.OK.code();
    }

    private ConvergenceMonitor convergenceMonitor(Architectures.Pair pair, String datasetHash) {
        if (!Files.isRegularFile(evaluator)) {
            throw new GanCompressException("--evaluator " + evaluator + ": file not found (needed by --eval-every-epoch)");
        }
        ConvergenceMonitor.Criterion criterion = new ConvergenceMonitor.Criterion(evalSamples, patience, minEpochs,
                coolDownEpochs);
        DomainEvaluator domain = DomainEvaluator.load(evaluator);
        Shape in = domain.inputShape();
        QualityEvaluation.Settings settings = QualityEvaluation.Settings.defaults()
                .withSamples(evalSamples).withSeed(seed).withCacheDir(cacheDir);
        QualityEvaluation evaluation = pairs != null
                ? QualityEvaluation.paired(domain, Datasets.openPaired(evalData, dataDir, pairs.inputs().channels(),
                        pairs.targets().channels(), imageSize), settings, dev.gancompress.metrics.CostModel.Options.defaults())
                : new QualityEvaluation(domain, Datasets.open(evalData, dataDir, in.channels(), in.height(), in.width(),
                        Datasets.Fit.PAD), settings);
        String command = Main.invocation();
        return new ConvergenceMonitor(evaluation, pair.generator(), out.resolve("quality.csv"), criterion,
                (q, history) -> {
                    if (q.best()) {
                        ModelFiles.write(pair.generator().withName(architecture + "-generator"),
                                out.resolve("generator-best.onnx"), command + " (epoch " + q.epoch() + ")", seed,
                                datasetHash, verifyOption.verify());
                        ModelFiles.write(pair.discriminator().withName(architecture + "-discriminator"),
                                out.resolve("discriminator-best.onnx"), command + " (epoch " + q.epoch() + ")", seed,
                                datasetHash, verifyOption.verify());
                    }
                    List<ConvergenceMonitor.EpochQuality> all = new ArrayList<>(history);
                    all.add(q);
                    ConvergencePlot.write(out.resolve("quality.png"), architecture, all,
                            plateauEpoch(all, criterion));
                    System.out.printf(Locale.ROOT, "epoch %d: FID %.3f %s, KID x1e3 %.2f, precision %.3f, recall %.3f %s"
                                    + "(%.0f s)%s%n", q.epoch(), q.fid(), q.fidInterval().format("%.3f", 1),
                            q.kid() * 1e3, q.precision(), q.recall(), q.recallInterval().format("%.3f", 1),
                            q.seconds(), q.best() ? " best so far" : "");
                });
    }

    /** Where the cool-down begins, as the monitor will see it once this evaluation is logged; -1 for none. */
    private static int plateauEpoch(List<ConvergenceMonitor.EpochQuality> all, ConvergenceMonitor.Criterion c) {
        ConvergenceMonitor.EpochQuality plateau = c.coolDownEpochs() == 0 ? null : ConvergenceMonitor.plateau(all, c);
        return plateau == null ? -1 : plateau.epoch();
    }

    private void writeSamples(dev.gancompress.model.Model generator, int channels, Path file) {
        if (pairs != null) {
            writePairedSamples(generator, file);
            return;
        }
        GeneratorSampler sampler = new GeneratorSampler(generator);
        float[] images = sampler.generate(seed, 64, 64);
        ImageGrid.write(images, 64, channels, imageSize, imageSize, sampler.numClasses() > 0 ? 10 : 8, 2, file);
    }

    /** 16 training pairs as triples input | output | target, two triples per row. */
    private void writePairedSamples(dev.gancompress.model.Model generator, Path file) {
        int count = Math.min(16, pairs.size());
        Shape out = generator.outputShape();
        PairedSampler sampler = new PairedSampler(generator, pairs.inputs(), out);
        float[] made = new float[count * out.size()];
        sampler.generate(0, count, count, made);
        int channels = out.channels();
        int inChannels = pairs.inputs().channels();
        float[] grid = new float[3 * count * out.size()];
        float[] input = new float[pairs.inputs().imageSize()];
        for (int i = 0; i < count; i++) {
            pairs.inputs().copyImage(i, input, 0);
            int base = 3 * i * out.size();
            for (int c = 0; c < channels; c++) {
                // a grey input shown in every channel of a colour grid
                System.arraycopy(input, Math.min(c, inChannels - 1) * out.height() * out.width(), grid,
                        base + c * out.height() * out.width(), out.height() * out.width());
            }
            System.arraycopy(made, i * out.size(), grid, base + out.size(), out.size());
            pairs.targets().copyImage(i, grid, base + 2 * out.size());
        }
        ImageGrid.write(grid, 3 * count, channels, out.height(), out.width(), 6, 2, file);
    }
}
