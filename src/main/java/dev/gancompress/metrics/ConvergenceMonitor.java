package dev.gancompress.metrics;

import dev.gancompress.AtomicFiles;
import dev.gancompress.GanCompressException;
import dev.gancompress.model.Model;
import dev.gancompress.train.TrainingHook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Measures a generator's quality at the end of every training epoch and decides when training has converged.
 *
 * <p>Each epoch: FID (with its jackknife interval) and recall of a fixed set of latent codes against the real
 * reference set, one CSV row. Converged: the last {@code patience} epochs each failed to improve the best FID
 * so far by more than the half-width of their own interval, i.e. further training no longer makes a difference
 * the evaluation can resolve, not even accumulated over the patience window. Compression results are only meaningful on such a teacher: a student fine-tuned
 * from an under-trained one improves just by training longer.
 *
 * <p>Resumable: the CSV is the monitor's whole state. On resume, rows after the checkpoint's step are dropped
 * and an epoch whose evaluation a kill interrupted is evaluated again (deterministic, so with the same result).
 */
public final class ConvergenceMonitor implements TrainingHook {
    public static final String HEADER = "epoch,step,fid,fid_low,fid_high,kid,kid_low,kid_high,precision,recall,"
            + "recall_low,recall_high,best,seconds";

    /**
     * Validated stopping rule: evaluate {@code samples} generated images; after {@code patience} flat epochs either
     * stop ({@code coolDownEpochs} 0) or anneal both learning rates linearly to zero over {@code coolDownEpochs}
     * more epochs and stop then.
     */
    public record Criterion(int samples, int patience, int minEpochs, int coolDownEpochs) {
        public Criterion(int samples, int patience, int minEpochs) {
            this(samples, patience, minEpochs, 0);
        }

        public Criterion {
            if (coolDownEpochs < 0) {
                throw new GanCompressException("convergence check: --cool-down-epochs must be >= 0, got "
                        + coolDownEpochs);
            }
            if (samples < 100) {
                throw new GanCompressException("convergence check: --eval-samples must be >= 100, got " + samples);
            }
            if (patience < 1) {
                throw new GanCompressException("convergence check: --patience must be >= 1, got " + patience);
            }
            if (minEpochs < 1) {
                throw new GanCompressException("convergence check: --min-epochs must be >= 1, got " + minEpochs);
            }
        }
    }

    /** One epoch's measurement (epoch is 1-based, as printed). */
    public record EpochQuality(int epoch, long step, double fid, Interval fidInterval, double kid, Interval kidInterval,
                               double precision, double recall, Interval recallInterval, boolean best,
                               double seconds) {
        String csv() {
            return String.format(Locale.ROOT, "%d,%d,%.6f,%.6f,%.6f,%.8f,%.8f,%.8f,%.6f,%.6f,%.6f,%.6f,%d,%.1f",
                    epoch, step, fid, fidInterval.low(), fidInterval.high(), kid, kidInterval.low(),
                    kidInterval.high(), precision, recall, recallInterval.low(), recallInterval.high(), best ? 1 : 0,
                    seconds);
        }

        static EpochQuality parse(String line, Path file) {
            String[] f = line.split(",");
            if (f.length != 14) {
                throw new GanCompressException("quality log " + file + ": row '" + line + "' has " + f.length
                        + " fields, expected 14 (" + HEADER + ")");
            }
            try {
                return new EpochQuality(Integer.parseInt(f[0]), Long.parseLong(f[1]), Double.parseDouble(f[2]),
                        new Interval(Double.parseDouble(f[3]), Double.parseDouble(f[4])), Double.parseDouble(f[5]),
                        new Interval(Double.parseDouble(f[6]), Double.parseDouble(f[7])), Double.parseDouble(f[8]),
                        Double.parseDouble(f[9]), new Interval(Double.parseDouble(f[10]), Double.parseDouble(f[11])),
                        "1".equals(f[12]), Double.parseDouble(f[13]));
            } catch (IllegalArgumentException e) {
                throw new GanCompressException("quality log " + file + ": row '" + line + "' is not numeric: "
                        + e.getMessage());
            }
        }
    }

    /** Called after each evaluation, before it is logged; a new best is where a caller saves a snapshot. */
    public interface Listener {
        void onEvaluated(EpochQuality quality, List<EpochQuality> history);
    }

    private final QualityEvaluation evaluation;
    private final Model generator;
    private final Path file;
    private final Criterion criterion;
    private final Listener listener;
    private final List<EpochQuality> history = new ArrayList<>();

    /** {@code evaluation}'s settings give the sample count, seed and interval groups; the generator is trained live. */
    public ConvergenceMonitor(QualityEvaluation evaluation, Model generator, Path csvFile, Criterion criterion,
                              Listener listener) {
        this.evaluation = evaluation;
        this.generator = generator;
        this.file = csvFile;
        this.criterion = criterion;
        this.listener = listener;
    }

    public List<EpochQuality> history() {
        return List.copyOf(history);
    }

    /** The epoch with the lowest FID so far, or null before the first evaluation. */
    public EpochQuality best() {
        EpochQuality best = null;
        for (EpochQuality q : history) {
            if (best == null || q.fid() < best.fid()) {
                best = q;
            }
        }
        return best;
    }

    @Override
    public void onStart(long firstStep, long totalSteps) {
        history.clear();
        if (firstStep == 0 || !Files.exists(file)) {
            return;
        }
        try {
            List<String> lines = Files.readAllLines(file);
            if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
                throw new GanCompressException("quality log " + file + " does not start with the header " + HEADER);
            }
            for (String line : lines.subList(1, lines.size())) {
                if (!line.isBlank()) {
                    EpochQuality q = EpochQuality.parse(line, file);
                    if (q.step() <= firstStep) {
                        history.add(q);
                    }
                }
            }
        } catch (IOException e) {
            throw new GanCompressException("cannot read quality log " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onResumeAfterEpoch(int epoch, long step) {
        if (history.isEmpty() || history.get(history.size() - 1).epoch() < epoch + 1) {
            onEpochEnd(epoch, step);
        }
    }

    @Override
    public void onEpochEnd(int epoch, long step) {
        long started = System.nanoTime();
        QualityReport r = evaluation.evaluate(QualityEvaluation.Source.of(generator, "epoch " + (epoch + 1)), null,
                QualityEvaluation.Progress.NONE);
        QualityIntervals iv = r.intervals();
        if (iv == null) {
            throw new IllegalStateException("the convergence check needs intervals (interval groups > 0)");
        }
        EpochQuality previousBest = best();
        boolean isBest = previousBest == null || r.fid() < previousBest.fid();
        EpochQuality q = new EpochQuality(epoch + 1, step, r.fid(), iv.fid(), iv.kidEstimate(), iv.kid(), r.precision(),
                r.recall(), iv.recall(), isBest, (System.nanoTime() - started) / 1e9);
        // the listener saves snapshots before the row is logged: a kill in between re-evaluates this epoch
        listener.onEvaluated(q, history());
        history.add(q);
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (EpochQuality h : history) {
            sb.append(h.csv()).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    /**
     * Epochs since the last significant improvement of FID (see the class comment). An epoch is significant when
     * it beats the last significant epoch's FID by more than its own interval's half-width; comparing with that
     * anchor rather than with the latest minimum lets a slow but steady descent (each step inside the noise,
     * several together outside it) count as progress.
     */
    public int epochsWithoutImprovement() {
        return epochsWithoutImprovement(history);
    }

    private static int epochsWithoutImprovement(List<EpochQuality> history) {
        int flat = 0;
        double anchor = Double.POSITIVE_INFINITY;
        for (EpochQuality q : history) {
            if (q.fid() < anchor - q.fidInterval().halfWidth()) {
                anchor = q.fid();
                flat = 0;
            } else {
                flat++;
            }
        }
        return flat;
    }

    /**
     * The evaluation after which the plateau rule first fired, or null while it has not: the end of constant-rate
     * training. Replayed from the history, so a resumed run finds the same epoch.
     */
    public EpochQuality plateau() {
        return plateau(history, criterion);
    }

    /** {@link #plateau()} of any history (oldest first). */
    public static EpochQuality plateau(List<EpochQuality> history, Criterion criterion) {
        for (int n = criterion.minEpochs(); n <= history.size(); n++) {
            if (epochsWithoutImprovement(history.subList(0, n)) >= criterion.patience()) {
                return history.get(n - 1);
            }
        }
        return null;
    }

    /**
     * Linear cool-down: 1 until the plateau, then falling to 0 over {@code coolDownEpochs} epochs. GAN
     * training at a constant rate keeps orbiting the equilibrium; annealing the steps lets both players settle,
     * the schedule pix2pix and CycleGAN teachers are trained with (constant, then linear decay to zero).
     */
    @Override
    public double learningRateScale(long step) {
        EpochQuality plateau = criterion.coolDownEpochs() == 0 ? null : plateau();
        if (plateau == null) {
            return 1.0;
        }
        long stepsPerEpoch = plateau.step() / plateau.epoch();
        double progress = (double) (step - plateau.step()) / (criterion.coolDownEpochs() * stepsPerEpoch);
        return Math.max(0.0, Math.min(1.0, 1.0 - progress));
    }

    /** Epoch of the plateau plus the cool-down (1-based), or -1 while training still runs at a constant rate. */
    public int lastEpoch() {
        EpochQuality plateau = plateau();
        return plateau == null ? -1 : plateau.epoch() + criterion.coolDownEpochs();
    }

    @Override
    public boolean stopRequested() {
        int last = lastEpoch();
        return last >= 0 && !history.isEmpty() && history.get(history.size() - 1).epoch() >= last;
    }
}
