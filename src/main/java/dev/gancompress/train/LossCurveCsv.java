package dev.gancompress.train;

import dev.gancompress.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Loss curves as CSV (step, epoch, then every named loss term). Rewritten atomically at every checkpoint; on
 * resume, rows after the checkpoint's step are dropped so that the curve has no duplicated steps.
 */
public final class LossCurveCsv implements TrainingHook {
    private final Path file;
    private final List<String> rows = new ArrayList<>();
    private String header;

    public LossCurveCsv(Path file) {
        this.file = file;
    }

    @Override
    public void onStart(long firstStep, long totalSteps) {
        rows.clear();
        header = null;
        if (firstStep > 0 && Files.exists(file)) {
            try {
                List<String> lines = Files.readAllLines(file);
                if (!lines.isEmpty()) {
                    header = lines.get(0);
                    for (String line : lines.subList(1, lines.size())) {
                        int comma = line.indexOf(',');
                        if (comma > 0 && Long.parseLong(line.substring(0, comma)) <= firstStep) {
                            rows.add(line);
                        }
                    }
                }
            } catch (IOException | NumberFormatException e) {
                rows.clear();
                header = null;
            }
        }
    }

    @Override
    public void onStep(StepResult r) {
        if (header == null) {
            header = "step,epoch," + String.join(",", r.losses().keySet());
        }
        StringBuilder sb = new StringBuilder().append(r.step()).append(',').append(r.epoch() + 1);
        for (double v : r.losses().values()) {
            sb.append(',').append(String.format(Locale.ROOT, "%.6g", v));
        }
        rows.add(sb.toString());
    }

    @Override
    public void onCheckpoint(Path checkpoint, long step) {
        flush();
    }

    @Override
    public void onFinish(long step) {
        flush();
    }

    private void flush() {
        if (header == null) {
            return;
        }
        StringBuilder sb = new StringBuilder(header).append('\n');
        for (String row : rows) {
            sb.append(row).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }
}
