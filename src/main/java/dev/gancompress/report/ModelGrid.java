package dev.gancompress.report;

import dev.gancompress.model.Model;
import dev.gancompress.runtime.GeneratorSampler;

import java.nio.file.Path;
import java.util.List;

/**
 * Samples of several generators on the same latent codes, one row per model, so differences are the models'
 * and not the codes'.
 */
public final class ModelGrid {
    private ModelGrid() {
    }

    public static void write(Path file, List<Model> models, long seed, int perRow) {
        int[] shape = models.get(0).outputShape().dims();
        int sample = shape[0] * shape[1] * shape[2];
        float[] all = new float[models.size() * perRow * sample];
        for (int m = 0; m < models.size(); m++) {
            float[] images = new GeneratorSampler(models.get(m)).generate(seed, perRow, perRow);
            System.arraycopy(images, 0, all, m * perRow * sample, perRow * sample);
        }
        ImageGrid.write(all, models.size() * perRow, shape[0], shape[1], shape[2], perRow, 2, file);
    }
}
