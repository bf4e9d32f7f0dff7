package dev.gancompress.cli;

import dev.gancompress.metrics.QualityEvaluation;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Terminal progress bars for the long phases of an evaluation (embedding the real set, generating samples). */
final class EvaluationProgressBar implements QualityEvaluation.Progress {
    private ProgressBar bar;

    @Override
    public void start(String task, long total) {
        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).continuousUpdate().setUnit(" img", 1).build();
    }

    @Override
    public void step(long done) {
        if (bar != null) {
            bar.stepTo(done);
        }
    }

    @Override
    public void finish() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
