package dev.gancompress.nn;

/** The residual sum; its gradient flows unchanged to both inputs. */
final class AddKernel implements Kernel {
    @Override
    public void forward(float[][] in, float[] out, int batch, boolean training) {
        float[] a = in[0];
        float[] b = in[1];
        Parallel.forRange(out.length, 4096, (s, e) -> {
            for (int i = s; i < e; i++) {
                out[i] = a[i] + b[i];
            }
        });
    }

    @Override
    public void backward(float[][] in, float[] out, float[] gradOut, float[][] gradIn, int batch, boolean paramGrads) {
        for (float[] dx : gradIn) {
            if (dx != null) {
                Parallel.forRange(dx.length, 4096, (s, e) -> {
                    for (int i = s; i < e; i++) {
                        dx[i] += gradOut[i];
                    }
                });
            }
        }
    }
}
