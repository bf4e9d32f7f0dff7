package dev.gancompress.compress;

import dev.gancompress.TestModels;
import dev.gancompress.compress.encode.CentroidInit;
import dev.gancompress.compress.encode.GczContents;
import dev.gancompress.compress.encode.GczReader;
import dev.gancompress.compress.encode.GczWriter;
import dev.gancompress.compress.encode.WeightSharing;
import dev.gancompress.compress.encode.WeightSharingConfig;
import dev.gancompress.compress.lowrank.LowRankConfig;
import dev.gancompress.compress.lowrank.LowRankFactorization;
import dev.gancompress.compress.quantize.ActivationCalibration;
import dev.gancompress.compress.quantize.ActivationQuantizationConfig;
import dev.gancompress.compress.quantize.PostTrainingQuantization;
import dev.gancompress.compress.quantize.QuantizationConfig;
import dev.gancompress.model.Model;
import dev.gancompress.model.Pix2pix;
import dev.gancompress.model.Pix2pixSpec;
import dev.gancompress.nn.Network;
import dev.gancompress.nn.Tensor;
import dev.gancompress.onnx.OnnxExporter;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.runtime.OnnxVerification;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Low-rank, quantization and encoding as they exist, applied to tiny pix2pix generators (issue 13): each result
 * runs in ONNX Runtime with the engine's outputs, within the checker's tolerance.
 */
class Pix2pixFamiliesTest {
    private static final Pix2pixSpec TINY = new Pix2pixSpec(1, 1, 16, 4, 4, 2);

    private static List<Model> generators() {
        return List.of(TestModels.randomize(Pix2pix.resnet(TINY), 2), TestModels.randomize(Pix2pix.unet(TINY), 3));
    }

    private static OnnxVerification.Result ortAgrees(Model m) {
        OnnxVerification.Result r = OnnxVerification.check(m, OnnxExporter.toBytes(m, Map.of()), m.name());
        assertThat(r.maxAbsDifference()).as(m.name()).isLessThanOrEqualTo(r.tolerance());
        return r;
    }

    private static double outputDifference(Model a, Model b) {
        Map<String, Tensor> in = dev.gancompress.TestImages.randomInputs(a, 3, 9);
        Tensor x = new Network(a).forward(in, false).copy();
        return new Network(b).forward(in, false).maxAbsDifference(x);
    }

    @Test
    void lowRankFactorisationsRunInOnnxRuntime() {
        for (Model g : generators()) {
            for (String method : LowRankConfig.METHODS) {
                Model exact = new LowRankFactorization(LowRankConfig.ofEnergy(method, 1.0).withForce(true))
                        .factorise(g).model();
                assertThat(exact.nodes().size()).as(method).isGreaterThan(g.nodes().size());
                assertThat(outputDifference(g, exact)).as(method + " at full rank").isLessThan(1e-4);
                ortAgrees(exact);
                Model cut = new LowRankFactorization(LowRankConfig.ofEnergy(method, 0.7)).factorise(g).model();
                ortAgrees(cut);
            }
        }
    }

    @Test
    void weightAndActivationQuantisationRunInOnnxRuntime() {
        for (Model g : generators()) {
            for (int bits : new int[] {8, 4}) {
                Model q = new PostTrainingQuantization(QuantizationConfig.integers(bits)).apply(g, null);
                assertThat(outputDifference(g, q)).as(bits + "-bit weights change the output").isPositive();
                ortAgrees(q);
            }
            Model int8 = ActivationCalibration.int8(g, ActivationQuantizationConfig.minMax(16), 4);
            assertThat(int8.quantizedActivations()).isNotEmpty();
            OnnxVerification.Result r = ortAgrees(int8);
            assertThat(r.quantised()).isTrue();
        }
    }

    @Test
    void sharedWeightsSurviveTheGczContainerAndRunInOnnxRuntime() {
        for (Model g : generators()) {
            Model shared = new WeightSharing(WeightSharingConfig.of(4, CentroidInit.LINEAR, 5)).apply(g, null);
            GczWriter.Encoded enc = GczWriter.encode(OnnxExporter.toProto(shared, Map.of()));
            GczContents back = GczReader.read(enc.bytes(), g.name() + ".gcz");
            Model decoded = OnnxImporter.fromProto(back.proto(), "decoded");
            assertThat(outputDifference(shared, decoded)).isLessThan(1e-6);
            assertThat(enc.bytes().length).isLessThan(OnnxExporter.toBytes(g, Map.of()).length / 3);
            ortAgrees(decoded);
        }
    }
}
