package dev.gancompress.model;

/**
 * A tensor's row-major order seen as [outer][channel][inner] around a storage's per-channel axis, so that the
 * per-element loops of {@link WeightStorage} know each element's channel without a division; per tensor (axis -1)
 * it is one channel of all elements.
 */
record ChannelBlocks(int outer, int channels, int inner) {
    static ChannelBlocks of(WeightStorage s, int[] shape, int length) {
        if (s.axis() < 0) {
            return new ChannelBlocks(1, 1, length);
        }
        s.checkFits(shape);
        int outer = 1;
        for (int d = 0; d < s.axis(); d++) {
            outer *= shape[d];
        }
        int inner = 1;
        for (int d = s.axis() + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        return new ChannelBlocks(outer, shape[s.axis()], inner);
    }
}
