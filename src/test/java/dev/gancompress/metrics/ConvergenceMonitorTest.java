package dev.gancompress.metrics;

import dev.gancompress.data.ImageDataset;
import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.train.GanTrainer;
import dev.gancompress.train.TrainingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/** The convergence rule, its log as the resumable state, and the trainer honouring it. */
class ConvergenceMonitorTest {
    @TempDir
    Path dir;

    private void writeLog(Path file, double[] fids, double halfWidth) throws IOException {
        StringBuilder sb = new StringBuilder(ConvergenceMonitor.HEADER).append('\n');
        for (int e = 0; e < fids.length; e++) {
            sb.append(String.format(Locale.ROOT, "%d,%d,%f,%f,%f,0.001,0.0005,0.0015,0.5,0.5,0.45,0.55,0,10.0%n",
                    e + 1, (e + 1) * 100L, fids[e], fids[e] - halfWidth, fids[e] + halfWidth));
        }
        Files.writeString(file, sb.toString());
    }

    private ConvergenceMonitor loaded(double[] fids, double halfWidth, int patience, long resumeStep)
            throws IOException {
        return loaded(fids, halfWidth, patience, 0, resumeStep);
    }

    private ConvergenceMonitor loaded(double[] fids, double halfWidth, int patience, int coolDown, long resumeStep)
            throws IOException {
        Path log = dir.resolve("quality.csv");
        writeLog(log, fids, halfWidth);
        ConvergenceMonitor m = new ConvergenceMonitor(null, null, log,
                new ConvergenceMonitor.Criterion(100, patience, 1, coolDown), (q, h) -> { });
        m.onStart(resumeStep, 10_000);
        return m;
    }

    @Test
    void improvementsSmallerThanTheIntervalDoNotCount() throws IOException {
        // 2.0 -> 1.5 is significant (half-width 0.1); 1.45, 1.42, 1.44 are within 0.1 of the best: three flat epochs
        ConvergenceMonitor m = loaded(new double[] {2.0, 1.5, 1.45, 1.42, 1.44}, 0.1, 3, 500);
        assertThat(m.epochsWithoutImprovement()).isEqualTo(3);
        assertThat(m.stopRequested()).isTrue();
        assertThat(m.best().epoch()).isEqualTo(4);
        // the same curve with tight intervals is still improving
        ConvergenceMonitor tight = loaded(new double[] {2.0, 1.5, 1.45, 1.42, 1.44}, 0.01, 3, 500);
        assertThat(tight.epochsWithoutImprovement()).isEqualTo(1);
        assertThat(tight.stopRequested()).isFalse();
    }

    @Test
    void aSlowSteadyDescentIsProgressEvenWhenEachStepIsInsideTheNoise() throws IOException {
        // each step improves by 0.04 < 0.1, but 1.5 -> 1.38 over three epochs is beyond the interval
        ConvergenceMonitor m = loaded(new double[] {2.0, 1.5, 1.46, 1.42, 1.38}, 0.1, 3, 500);
        assertThat(m.epochsWithoutImprovement()).isZero();
        assertThat(m.stopRequested()).isFalse();
    }

    @Test
    void aCoolDownAnnealsTheLearningRateLinearlyFromThePlateauAndThenStops() throws IOException {
        double[] flat = {2.0, 1.5, 1.45, 1.42, 1.44};
        // plateau after epoch 5 (step 500, 100 steps per epoch); two cool-down epochs
        ConvergenceMonitor m = loaded(flat, 0.1, 3, 2, 500);
        assertThat(m.plateau().epoch()).isEqualTo(5);
        assertThat(m.learningRateScale(499)).isEqualTo(1.0);
        assertThat(m.learningRateScale(500)).isEqualTo(1.0);
        assertThat(m.learningRateScale(550)).isCloseTo(0.75, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(m.learningRateScale(600)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(m.learningRateScale(700)).isZero();
        assertThat(m.stopRequested()).isFalse();
        assertThat(m.lastEpoch()).isEqualTo(7);
        // further flat epochs do not move the plateau; the run stops once the cool-down epochs are logged
        ConvergenceMonitor done = loaded(new double[] {2.0, 1.5, 1.45, 1.42, 1.44, 1.43, 1.41}, 0.1, 3, 2, 700);
        assertThat(done.plateau().epoch()).isEqualTo(5);
        assertThat(done.stopRequested()).isTrue();
        // without a cool-down the rate never changes and the run stops at the plateau
        ConvergenceMonitor none = loaded(flat, 0.1, 3, 0, 500);
        assertThat(none.learningRateScale(650)).isEqualTo(1.0);
        assertThat(none.stopRequested()).isTrue();
        // before the plateau: constant rate
        ConvergenceMonitor early = loaded(new double[] {2.0, 1.5, 1.45}, 0.1, 3, 2, 300);
        assertThat(early.plateau()).isNull();
        assertThat(early.learningRateScale(350)).isEqualTo(1.0);
    }

    @Test
    void aResumedRunForgetsEpochsAfterItsCheckpoint() throws IOException {
        ConvergenceMonitor m = loaded(new double[] {2.0, 1.5, 1.45, 1.42, 1.44}, 0.1, 3, 300);
        assertThat(m.history()).hasSize(3);
        assertThat(m.stopRequested()).isFalse();
    }

    @Test
    void theTrainerStopsWhenTheMonitorSaysSoAndResumesToTheSameDecision() {
        DcganSpec spec = new DcganSpec(8, 1, 28, 4, 4, 0, 0);
        Model g = Dcgan.generator(spec);
        Model d = Dcgan.discriminator(spec);
        Model evalModel = DomainEvaluator.architecture(1, 28, 28, 2);
        DomainEvaluator.initialise(evalModel, 5);
        DomainEvaluator evaluator = new DomainEvaluator(evalModel, DomainEvaluator.FEATURE_LAYER, "test", "0");
        ImageDataset data = noise(32);
        QualityEvaluation evaluation = new QualityEvaluation(evaluator, data,
                QualityEvaluation.Settings.defaults().withSamples(100).withReferenceCount(32)
                        .withCacheDir(dir.resolve("cache")));
        List<Integer> best = new ArrayList<>();
        // patience 1 with min 2 epochs: stops at the first epoch after 2 whose FID is not significantly better
        ConvergenceMonitor.Criterion criterion = new ConvergenceMonitor.Criterion(100, 1, 2);
        ConvergenceMonitor monitor = new ConvergenceMonitor(evaluation, g, dir.resolve("quality.csv"), criterion,
                (q, h) -> {
                    if (q.best()) {
                        best.add(q.epoch());
                    }
                });
        TrainingConfig config = new TrainingConfig(40, 8, 2e-4, 2e-4, 0.5, 0.999,
                dev.gancompress.train.GanLoss.NON_SATURATING, 3, 0, 0);
        GanTrainer trainer = new GanTrainer(config).addHook(monitor);
        trainer.initialise(g, d);
        GanTrainer.Result r = trainer.run(g, d, data, dir, false);
        List<ConvergenceMonitor.EpochQuality> history = monitor.history();
        assertThat(r.finished()).isTrue();
        assertThat(r.stoppedEarly()).isTrue();
        assertThat(history.size()).isLessThan(40).isGreaterThanOrEqualTo(2);
        assertThat(history.get(0).best()).isTrue();
        assertThat(best).isNotEmpty();
        assertThat(dir.resolve("quality.csv")).exists();
        // a resumed run reads the log, agrees that training has converged and trains no further
        ConvergenceMonitor again = new ConvergenceMonitor(evaluation, g, dir.resolve("quality.csv"), criterion,
                (q, h) -> { });
        GanTrainer.Result resumed = new GanTrainer(config).addHook(again).run(g, d, data, dir, true);
        assertThat(resumed.stepsThisRun()).isZero();
        assertThat(resumed.stoppedEarly()).isTrue();
        assertThat(again.history()).hasSameSizeAs(history);
    }

    private static ImageDataset noise(int n) {
        return dev.gancompress.TestImages.noise(n);
    }
}
