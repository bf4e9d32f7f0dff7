package dev.gancompress.compress.distill;

/**
 * The kernel of {@link MaximumMeanDiscrepancy}. GAUSSIAN: exp(-|a - b|^2 / (2 s^2)), characteristic, so its MMD
 * is zero only for equal distributions (Gretton et al. 2012). POLYNOMIAL: (a.b / d + 1)^3, the kernel of KID
 * (Binkowski et al. 2018), which compares the first three moments.
 */
public enum MmdKernel {
    GAUSSIAN, POLYNOMIAL
}
