package dev.gancompress.metrics;

/**
 * 95% intervals of the sample-quality metrics, with how they were obtained ({@link SampleIntervals}): FID,
 * precision and recall by a delete-a-group jackknife over both the generated and the real samples ({@code groups}
 * groups each), KID by the exact delete-one jackknife of its full-sample unbiased estimate; each interval is the
 * estimate +- 1.96 standard errors. They cover the sampling noise of the evaluation, not the training noise of
 * the model: for that, compare several training seeds.
 *
 * @param kidEstimate the full-sample unbiased KID estimate the KID interval is centred on
 */
public record QualityIntervals(String method, int groups, double level, Interval fid, double kidEstimate,
                               Interval kid, Interval precision, Interval recall) {
    public static final String METHOD = "jackknife over generated and real samples (FID, precision, recall: "
            + "delete-a-group, seeded random groups; KID: delete-one of the all-pairs unbiased estimate), "
            + "estimate +- 1.96 SE";
}
