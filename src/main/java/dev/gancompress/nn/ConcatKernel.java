package dev.gancompress.nn;

/**
 * Concatenation along the first per-sample axis. In the channel-major layout each input is one contiguous
 * block [D_i][N][R], so the concatenation is plain array concatenation.
 */
final class ConcatKernel implements Kernel {
    @Override
    public void forward(float[][] in, float[] out, int batch, boolean training) {
        int offset = 0;
        for (float[] x : in) {
            System.arraycopy(x, 0, out, offset, x.length);
            offset += x.length;
        }
    }

    @Override
    public void backward(float[][] in, float[] out, float[] gradOut, float[][] gradIn, int batch, boolean paramGrads) {
        int offset = 0;
        for (int k = 0; k < in.length; k++) {
            float[] dx = gradIn[k];
            if (dx != null) {
                for (int i = 0; i < dx.length; i++) {
                    dx[i] += gradOut[offset + i];
                }
            }
            offset += in[k].length;
        }
    }
}
