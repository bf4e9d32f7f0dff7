package dev.gancompress.nn;

import dev.gancompress.model.Embedding;

/** Table lookup: out[d][n] = table[label_n][d]; the table gradient is accumulated serially (fixed order). */
final class EmbeddingKernel implements Kernel {
    private final Embedding layer;
    private final float[] tableGrad;
    private final WeightValues values;

    EmbeddingKernel(Embedding layer, WeightValues values, float[] tableGrad) {
        this.layer = layer;
        this.values = values;
        this.tableGrad = tableGrad;
    }

    private int label(float[] labels, int n) {
        int c = (int) labels[n];
        if (c < 0 || c >= layer.numClasses() || c != labels[n]) {
            throw new IllegalArgumentException("label " + labels[n] + " of sample " + n + " is not a class index in [0, "
                    + layer.numClasses() + ")");
        }
        return c;
    }

    @Override
    public void forward(float[][] in, float[] out, int batch, boolean training) {
        float[] table = values.of(layer.table());
        int dim = layer.dim();
        for (int n = 0; n < batch; n++) {
            int c = label(in[0], n);
            for (int d = 0; d < dim; d++) {
                out[d * batch + n] = table[c * dim + d];
            }
        }
    }

    @Override
    public void backward(float[][] in, float[] out, float[] gradOut, float[][] gradIn, int batch, boolean paramGrads) {
        if (!paramGrads) {
            return;
        }
        int dim = layer.dim();
        for (int n = 0; n < batch; n++) {
            int c = label(in[0], n);
            for (int d = 0; d < dim; d++) {
                tableGrad[c * dim + d] += gradOut[d * batch + n];
            }
        }
    }
}
