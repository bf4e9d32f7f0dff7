package dev.gancompress.report;

import dev.gancompress.GanCompressException;
import dev.gancompress.metrics.Interval;
import dev.gancompress.metrics.QualityIntervals;
import dev.gancompress.metrics.QualityReport;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * One comparison repeated with several training seeds, as one Markdown table: each quality cell is the mean over
 * seeds with the range over seeds. A cell is bold only when its method is the best of its target group and its
 * envelope (the union over seeds of the 95% evaluation intervals, or for PSNR/SSIM the range over seeds) overlaps
 * no other method's: a difference that training noise or sampling noise could explain is not marked.
 */
public final class SeedSummaryTable {
    private SeedSummaryTable() {
    }

    /** A metric: its column title, how to read value and interval, its format and whether higher is better. */
    private record Metric(String title, Function<QualityReport, Double> value, Function<QualityReport, Interval> interval,
                          String format, double scale, boolean higherIsBetter) {
    }

    private static final List<Metric> METRICS = List.of(
            new Metric("FID", QualityReport::fid, q -> iv(q, QualityIntervals::fid), "%.2f", 1, false),
            new Metric("KID x1e3", q -> q.intervals() == null ? q.kidMean() : q.intervals().kidEstimate(),
                    q -> iv(q, QualityIntervals::kid), "%.2f", 1e3, false),
            new Metric("precision", QualityReport::precision, q -> iv(q, QualityIntervals::precision), "%.3f", 1, true),
            new Metric("recall", QualityReport::recall, q -> iv(q, QualityIntervals::recall), "%.3f", 1, true),
            new Metric("PSNR to teacher (dB)", q -> q.fidelity() == null ? Double.NaN : q.fidelity().psnr(),
                    q -> null, "%.2f", 1, true),
            new Metric("SSIM to teacher", q -> q.fidelity() == null ? Double.NaN : q.fidelity().ssim(), q -> null,
                    "%.3f", 1, true));

    private static Interval iv(QualityReport q, Function<QualityIntervals, Interval> f) {
        return q.intervals() == null ? null : f.apply(q.intervals());
    }

    /** {@code perSeed.get(s)} are the rows of seed s, all in the same order; row 0 is the teacher. */
    public static String markdown(List<Long> seeds, List<List<ResultRow>> perSeed) {
        return markdown(seeds, perSeed, false);
    }

    /**
     * The same; with {@code ortColumns} two more columns, ONNX Runtime images/s and the ratio to the teacher, each the
     * mean over the seeds' timing runs with their range (a speed belongs to the file, so the range is timing noise
     * plus the small differences between the seeds' files; never bold); "-" where a row was not timed.
     */
    public static String markdown(List<Long> seeds, List<List<ResultRow>> perSeed, boolean ortColumns) {
        if (perSeed.isEmpty() || perSeed.size() != seeds.size()) {
            throw new GanCompressException("seed summary: " + perSeed.size() + " row sets for seeds " + seeds);
        }
        int rows = perSeed.get(0).size();
        for (List<ResultRow> r : perSeed) {
            if (r.size() != rows) {
                throw new GanCompressException("seed summary: the seeds' comparisons have different rows");
            }
            for (int i = 0; i < rows; i++) {
                if (!r.get(i).name().equals(perSeed.get(0).get(i).name())) {
                    throw new GanCompressException("seed summary: row " + i + " is " + r.get(i).name()
                            + " in one seed and " + perSeed.get(0).get(i).name() + " in another");
                }
            }
        }
        StringBuilder sb = new StringBuilder("| model | method | target | MACs ratio | params |");
        StringBuilder rule = new StringBuilder("|---|---|---|---:|---:|");
        for (Metric m : METRICS) {
            sb.append(' ').append(m.title()).append(" |");
            rule.append("---:|");
        }
        if (ortColumns) {
            sb.append(" ORT images/s | of teacher |");
            rule.append("---:|---:|");
        }
        sb.append('\n').append(rule).append('\n');
        long teacherMacs = perSeed.get(0).get(0).quality().cost().macs();
        for (int i = 0; i < rows; i++) {
            ResultRow first = perSeed.get(0).get(i);
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %.3f | %,d |", first.name(), first.method(),
                    first.target(), (double) first.quality().cost().macs() / teacherMacs,
                    first.quality().cost().parameters()));
            for (Metric m : METRICS) {
                sb.append(' ').append(cell(m, perSeed, i)).append(" |");
            }
            if (ortColumns) {
                sb.append(' ').append(speedCell(perSeed, i, ResultRow.OrtSpeed::imagesPerSecond, "%.0f")).append(" | ")
                        .append(speedCell(perSeed, i, ResultRow.OrtSpeed::ofTeacher, "%.2f")).append(" |");
            }
            sb.append('\n');
        }
        sb.append(String.format(Locale.ROOT, "%nEach cell: mean over %d training seeds %s, with the range over seeds "
                + "in brackets. Bold: best of its target group, and its envelope (the union over seeds of the 95%% "
                + "evaluation intervals; for PSNR/SSIM the range over seeds) overlaps no other method's in the group.%n",
                seeds.size(), seeds));
        if (ortColumns) {
            sb.append("ORT images/s and of teacher: mean over the seeds' timing runs (each run timed its seed's teacher "
                    + "and students in interleaved rounds), with the range; \"-\" when not timed.\n");
        }
        return sb.toString();
    }

    /** Mean over the seeds that timed this row, with the range when more than one did; "-" when none did. */
    private static String speedCell(List<List<ResultRow>> perSeed, int row,
                                    Function<ResultRow.OrtSpeed, Double> value, String f) {
        List<Double> v = new ArrayList<>();
        for (List<ResultRow> rows : perSeed) {
            ResultRow.OrtSpeed o = rows.get(row).ort();
            if (o != null) {
                v.add(value.apply(o));
            }
        }
        if (v.isEmpty()) {
            return "-";
        }
        double mean = v.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double min = v.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = v.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        return v.size() == 1 ? String.format(Locale.ROOT, f, mean)
                : String.format(Locale.ROOT, f + " [" + f + ", " + f + "]", mean, min, max);
    }

    private static String cell(Metric m, List<List<ResultRow>> perSeed, int row) {
        double[] values = values(m, perSeed, row);
        double mean = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            mean += v / values.length;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        if (Double.isNaN(mean)) {
            return "-";
        }
        if (Double.isInfinite(mean)) {
            return "inf";
        }
        String f = m.format();
        String text = values.length == 1 ? String.format(Locale.ROOT, f, mean * m.scale())
                : String.format(Locale.ROOT, f + " [" + f + ", " + f + "]", mean * m.scale(), min * m.scale(),
                max * m.scale());
        return significantlyBest(m, perSeed, row) ? "**" + text + "**" : text;
    }

    private static double[] values(Metric m, List<List<ResultRow>> perSeed, int row) {
        double[] v = new double[perSeed.size()];
        for (int s = 0; s < v.length; s++) {
            v[s] = m.value().apply(perSeed.get(s).get(row).quality());
        }
        return v;
    }

    /** [lowest, highest] the metric could be for this row given seeds and evaluation intervals. */
    static Interval envelope(Metric m, List<List<ResultRow>> perSeed, int row) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (List<ResultRow> rows : perSeed) {
            QualityReport q = rows.get(row).quality();
            Interval iv = m.interval().apply(q);
            double v = m.value().apply(q);
            lo = Math.min(lo, iv == null ? v : iv.low());
            hi = Math.max(hi, iv == null ? v : iv.high());
        }
        return new Interval(lo, hi);
    }

    private static boolean significantlyBest(Metric m, List<List<ResultRow>> perSeed, int row) {
        String target = perSeed.get(0).get(row).target();
        List<Integer> group = new ArrayList<>();
        for (int i = 1; i < perSeed.get(0).size(); i++) {
            if (perSeed.get(0).get(i).target().equals(target)) {
                group.add(i);
            }
        }
        if (row == 0 || group.size() < 2) {
            return false;
        }
        double mine = mean(values(m, perSeed, row));
        Interval myEnvelope = envelope(m, perSeed, row);
        if (!Double.isFinite(mine)) {
            return false;
        }
        for (int other : group) {
            if (other == row) {
                continue;
            }
            double theirs = mean(values(m, perSeed, other));
            boolean better = m.higherIsBetter() ? mine > theirs : mine < theirs;
            if (!better) {
                return false;
            }
            Interval theirEnvelope = envelope(m, perSeed, other);
            if (myEnvelope.overlaps(theirEnvelope)) {
                return false;
            }
        }
        return true;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }
}
