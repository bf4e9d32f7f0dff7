package dev.gancompress.compress.distill;

/** The distance between student and teacher images: L1 (GAN Compression's choice, sharper) or L2. */
public enum OutputLoss {
    L1,
    L2
}
