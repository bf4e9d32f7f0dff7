package dev.gancompress.nn;

/** Per-channel helpers on [C][M] blocks, parallel over channels (each channel reduced by one thread). */
final class ChannelOps {
    private ChannelOps() {
    }

    static void addBias(float[] x, float[] bias, int channels, int perChannel) {
        Parallel.forRange(channels, 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                float b = bias[c];
                int base = c * perChannel;
                for (int i = 0; i < perChannel; i++) {
                    x[base + i] += b;
                }
            }
        });
    }

    static void accumulateRowSums(float[] x, int channels, int perChannel, float[] sums) {
        Parallel.forRange(channels, 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                double s = 0;
                int base = c * perChannel;
                for (int i = 0; i < perChannel; i++) {
                    s += x[base + i];
                }
                sums[c] += (float) s;
            }
        });
    }
}
