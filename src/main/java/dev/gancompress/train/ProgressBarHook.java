package dev.gancompress.train;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.util.Locale;
import java.util.Map;

/** A terminal progress bar with ETA, images per second and the latest losses. */
public final class ProgressBarHook implements TrainingHook {
    private final String task;
    private ProgressBar bar;
    private long startNanos;
    private long startStep;
    private int imagesPerStep;

    public ProgressBarHook(String task) {
        this.task = task;
    }

    @Override
    public void onStart(long firstStep, long totalSteps) {
        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(totalSteps).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).continuousUpdate().build();
        bar.stepTo(firstStep);
        startNanos = System.nanoTime();
        startStep = firstStep;
    }

    @Override
    public void onStep(StepResult r) {
        imagesPerStep = r.images();
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double ips = (r.step() - startStep) * (double) imagesPerStep / Math.max(seconds, 1e-9);
        StringBuilder extra = new StringBuilder(String.format(Locale.ROOT, "ep %d %.0f img/s", r.epoch() + 1, ips));
        for (Map.Entry<String, Double> e : r.losses().entrySet()) {
            extra.append(String.format(Locale.ROOT, " %s %.3f", e.getKey(), e.getValue()));
        }
        bar.stepTo(r.step());
        bar.setExtraMessage(extra.toString());
    }

    @Override
    public void onFinish(long step) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
