package dev.gancompress.metrics;

/**
 * 95% intervals of the sample-quality metrics, with how they were obtained.
 *
 * <p>FID, precision and recall: percentile bootstrap over the generated samples (the reference set held fixed),
 * {@code resamples} draws with replacement; for recall the generated manifold's radii are those of the full set
 * (re-estimating k-NN radii on a resample with duplicates would shrink them to zero). KID: the full-sample
 * unbiased MMD^2 estimate with a delete-one jackknife over both sets, mean +- 1.96 standard errors.
 * The intervals therefore cover the sampling noise of the evaluation, not the training noise of the model:
 * for that, compare several training seeds.
 *
 * @param kidEstimate the full-sample unbiased KID estimate the KID interval is centred on
 */
public record QualityIntervals(String method, int resamples, double level, long seed, Interval fid, double kidEstimate,
                               Interval kid, Interval precision, Interval recall) {
    public static final String METHOD = "bootstrap over generated samples (FID, precision, recall; recall with "
            + "fixed manifold radii), delete-one jackknife (KID, full-sample unbiased estimate)";
}
