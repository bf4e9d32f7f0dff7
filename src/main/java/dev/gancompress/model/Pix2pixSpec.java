package dev.gancompress.model;

import dev.gancompress.GanCompressException;

/**
 * Hyperparameters of a pix2pix pair for square images. {@code width} is the generator's first-level channel
 * count (pix2pix's ngf), {@code discriminatorWidth} the PatchGAN's (ndf); {@code residualBlocks} is used by the
 * ResNet generator only. The image size must be a power of two from 8 to 256 so that the U-Net halves down to
 * 1x1 and the ResNet's two downsamplings divide it exactly.
 */
public record Pix2pixSpec(int inputChannels, int outputChannels, int imageSize, int width, int discriminatorWidth,
                          int residualBlocks) {
    public Pix2pixSpec {
        if (inputChannels < 1 || outputChannels < 1 || width < 1 || discriminatorWidth < 1 || residualBlocks < 0) {
            throw new GanCompressException("pix2pix spec: channels and widths must be >= 1, residual blocks >= 0 (got"
                    + " input channels=" + inputChannels + ", output channels=" + outputChannels + ", width=" + width
                    + ", d-width=" + discriminatorWidth + ", blocks=" + residualBlocks + ")");
        }
        if (imageSize < 8 || imageSize > 256 || Integer.bitCount(imageSize) != 1) {
            throw new GanCompressException("pix2pix spec: image size must be a power of two in [8, 256], got "
                    + imageSize);
        }
    }
}
