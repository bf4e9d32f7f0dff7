package dev.gancompress.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether combining families pays, on bytes on disk against FID. A combined recipe (techniques of two or more
 * families) beats the single-family recipes when no single-family recipe is at least as small and at least as good
 * (it is not dominated by one) and it strictly dominates at least one single-family recipe that is itself on the
 * single-family frontier: smaller and better than the best any one family reached at that size. The second condition
 * keeps a tiny model with a useless FID from "beating" everything only by being smaller than all of them.
 */
public final class CombinedRecipes {
    private CombinedRecipes() {
    }

    /** A combined recipe that beats the single-family frontier, and the single-family frontier models it dominates. */
    public record Winner(ReportEntry entry, List<ReportEntry> dominated) {
    }

    /** The winners, best FID first. */
    public static List<Winner> winners(List<ReportEntry> entries) {
        List<ReportEntry> singles = entries.stream().filter(ReportEntry::singleFamily).toList();
        List<double[]> singlePoints = singles.stream().map(CombinedRecipes::point).toList();
        List<ReportEntry> singleFront = new ArrayList<>();
        for (int i : ParetoFront.indices(singlePoints)) {
            singleFront.add(singles.get(i));
        }
        List<Winner> winners = new ArrayList<>();
        for (ReportEntry c : entries) {
            if (!c.combined() || Double.isNaN(c.quality().fid())) {
                continue;
            }
            double[] p = point(c);
            boolean beaten = singles.stream().anyMatch(s -> weaklyDominates(point(s), p));
            List<ReportEntry> dominated = singleFront.stream().filter(s -> ParetoFront.dominates(p, point(s))).toList();
            if (!beaten && !dominated.isEmpty()) {
                winners.add(new Winner(c, dominated));
            }
        }
        winners.sort(java.util.Comparator.comparingDouble(w -> w.entry().quality().fid()));
        return winners;
    }

    /** The report's sentence: which combined recipe, if any, beats every single-family recipe on bytes vs FID. */
    public static String sentence(List<ReportEntry> entries) {
        long combined = entries.stream().filter(ReportEntry::combined).count();
        long singles = entries.stream().filter(ReportEntry::singleFamily).count();
        if (combined == 0 || singles == 0) {
            return String.format(Locale.ROOT, "No comparison of combined and single-family recipes: this report has %d "
                    + "combined and %d single-family recipes.", combined, singles);
        }
        List<Winner> winners = winners(entries);
        if (winners.isEmpty()) {
            return String.format(Locale.ROOT, "No combined recipe beats the single-family recipes on bytes on disk vs "
                    + "FID: each of the %d combined recipes is matched or beaten by a single-family recipe that is at "
                    + "least as small and at least as good, or beats none of the %d single-family frontier models.",
                    combined, singles);
        }
        StringBuilder sb = new StringBuilder();
        for (Winner w : winners) {
            ReportEntry e = w.entry();
            sb.append(sb.length() == 0 ? "" : " ").append(String.format(Locale.ROOT,
                    "Combined recipe %s (%s; %,d bytes, FID %.3f) beats every single-family recipe on bytes vs FID: "
                            + "none is both as small and as good, and it is smaller and better than %s.",
                    e.name(), String.join(" + ", e.families()), e.bytesOnDisk(), e.quality().fid(),
                    names(w.dominated())));
        }
        return sb.toString();
    }

    private static String names(List<ReportEntry> list) {
        List<String> parts = new ArrayList<>();
        for (ReportEntry e : list) {
            parts.add(String.format(Locale.ROOT, "%s (%,d bytes, FID %.3f)", e.name(), e.bytesOnDisk(), e.quality().fid()));
        }
        return String.join(", ", parts);
    }

    private static double[] point(ReportEntry e) {
        return new double[] {e.bytesOnDisk(), e.quality().fid()};
    }

    private static boolean weaklyDominates(double[] a, double[] b) {
        return a[0] <= b[0] && a[1] <= b[1];
    }
}
