package dev.gancompress.compress.quantize;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.CompressionContext;
import dev.gancompress.data.ByteImageDataset;
import dev.gancompress.data.ImageDataset;
import dev.gancompress.data.PairedDataset;
import dev.gancompress.model.ActivationQuantization;
import dev.gancompress.model.Model;
import dev.gancompress.model.Pix2pix;
import dev.gancompress.model.Pix2pixSpec;
import dev.gancompress.nn.Initializer;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** An image-to-image generator is calibrated on the inputs of its paired training data, not on random images. */
class PairedCalibrationTest {
    private static final int N = 24;

    /** Binary 16x16 "edge maps" (outlines of squares) and grey filled squares as targets. */
    private static PairedDataset pairs() {
        SplittableRandom rnd = new SplittableRandom(7);
        byte[] a = new byte[N * 256];
        byte[] b = new byte[N * 256];
        for (int i = 0; i < N; i++) {
            int x0 = rnd.nextInt(1, 7);
            int y0 = rnd.nextInt(1, 7);
            int side = rnd.nextInt(4, 9);
            for (int y = y0; y < y0 + side; y++) {
                for (int x = x0; x < x0 + side; x++) {
                    boolean edge = x == x0 || y == y0 || x == x0 + side - 1 || y == y0 + side - 1;
                    a[i * 256 + y * 16 + x] = (byte) (edge ? 255 : 0);
                    b[i * 256 + y * 16 + x] = (byte) 180;
                }
            }
        }
        return new PairedDataset(new ByteImageDataset(a, null, 1, 16, 16, List.of(), "edges"),
                new ByteImageDataset(b, null, 1, 16, 16, List.of(), "targets"), "test pairs");
    }

    private static Model generator() {
        Model g = Pix2pix.resnet(new Pix2pixSpec(1, 1, 16, 8, 4, 2));
        Initializer.dcgan(g, 1);
        return g;
    }

    @Test
    void rangesComeFromTheTrainingInputsAndDifferFromRandomImages() {
        Model g = generator();
        PairedDataset data = pairs();
        ActivationCalibration calibration = new ActivationCalibration(ActivationQuantizationConfig.minMax(N));
        Model calibrated = calibration.apply(g, new CompressionContext(g, null, data.stacked(), null, 3, null));
        assertThat(calibrated.metadata().get(ActivationCalibration.INPUTS_KEY))
                .contains("24 input images of the training data").contains("seed 3");

        // the same ranges measured directly: every training input through the fp32 model in one batch
        float[] inputs = new float[N * 256];
        for (int i = 0; i < N; i++) {
            data.inputs().copyImage(i, inputs, i * 256);
        }
        Network net = new Network(g);
        net.forward(Map.of(g.inputs().get(0).name(), new Tensor(new int[] {N, 1, 16, 16}, inputs)), false);
        Map<String, ActivationQuantization> grids = calibrated.quantizedActivations();
        assertThat(grids).isNotEmpty();
        for (Map.Entry<String, ActivationQuantization> e : grids.entrySet()) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (float v : net.value(e.getKey()).data()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            float limit = ActivationCalibration.saturationLimit(g, e.getKey());
            assertThat(e.getValue()).as(e.getKey())
                    .isEqualTo(ActivationQuantization.ofRange(Math.max(min, -limit), Math.min(max, limit)));
        }

        // without data: random images, other ranges, and the metadata says so
        Model random = calibration.apply(g, new CompressionContext(g, null, null, null, 3, null));
        assertThat(random.metadata().get(ActivationCalibration.INPUTS_KEY)).contains("random images");
        assertThat(random.quantizedActivations()).isNotEqualTo(grids);
        // the model's first input grid: edge maps are exactly -1 and 1, uniform noise is not
        String first = grids.keySet().iterator().next();
        assertThat(random.quantizedActivations().get(first)).isNotEqualTo(grids.get(first));
    }

    @Test
    void aSeededSampleOfTheTrainingInputsAndLoudFailureOnOtherImages() {
        Model g = generator();
        PairedDataset data = pairs();
        ActivationCalibration calibration = new ActivationCalibration(ActivationQuantizationConfig.minMax(8));
        CompressionContext context = new CompressionContext(g, null, data.stacked(), null, 5, null);
        Model a = calibration.apply(g, context);
        Model b = calibration.apply(g, context);
        assertThat(a.quantizedActivations()).isEqualTo(b.quantizedActivations());
        assertThat(a.metadata().get(ActivationCalibration.INPUTS_KEY)).startsWith("8 input images");
        CalibrationImages images = CalibrationImages.of(g, data.stacked(), 8, 5);
        assertThat(images.order()).hasSize(8).doesNotHaveDuplicates();
        assertThat(CalibrationImages.of(g, data.stacked(), 100, 5).order()).hasSize(N).doesNotHaveDuplicates();

        ImageDataset wrongSize = new ByteImageDataset(new byte[4 * 28 * 28], null, 1, 28, 28, List.of(),
                "28x28 images");
        GanCompressException e = assertThrows(GanCompressException.class,
                () -> calibration.apply(g, new CompressionContext(g, null, wrongSize, null, 5, null)));
        assertThat(e.getMessage()).contains("28x28 images").contains("1x28x28");
    }
}
