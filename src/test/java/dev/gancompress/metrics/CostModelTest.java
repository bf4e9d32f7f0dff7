package dev.gancompress.metrics;

import dev.gancompress.GanCompressException;
import dev.gancompress.metrics.CostModel.ActivationPrecision;
import dev.gancompress.metrics.CostModel.Options;
import dev.gancompress.metrics.CostReport.LayerCost;
import dev.gancompress.model.Activation;
import dev.gancompress.model.Add;
import dev.gancompress.model.BatchNorm2d;
import dev.gancompress.model.Concat;
import dev.gancompress.model.Conv2d;
import dev.gancompress.model.ConvTranspose2d;
import dev.gancompress.model.Embedding;
import dev.gancompress.model.Input;
import dev.gancompress.model.InstanceNorm2d;
import dev.gancompress.model.Kernel2d;
import dev.gancompress.model.Linear;
import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.model.Reshape;
import dev.gancompress.model.Shape;
import dev.gancompress.model.Upsample;
import dev.gancompress.model.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Every figure here is written out by hand from the layer definitions, not recomputed by the code under test. */
class CostModelTest {

    /**
     * A conditional generator touching every layer type: z[4] and a label (3 classes) -> embed 2 -> concat [6]
     * -> fc 48 -> reshape [3,4,4] -> upsample x2 [3,8,8] -> conv 3->8 k3 s1 p1 [8,8,8] -> bn -> relu
     * -> convT 8->4 k4 s2 p1 [4,16,16] -> instance norm; add(in, ct); concat(add, in) [8,16,16] -> tanh.
     */
    private static Model everyLayer() {
        return new Model("every-layer", List.of(Input.latent("z", 4), Input.label("y", 3)), List.of(
                Node.of("emb", Embedding.create(3, 2), "y"),
                Node.of("cat", new Concat(), "z", "emb"),
                Node.of("fc", Linear.create(6, 48, true), "cat"),
                Node.of("rs", new Reshape(Shape.of(3, 4, 4)), "fc"),
                Node.of("up", new Upsample(2), "rs"),
                Node.of("conv", Conv2d.create(3, 8, Kernel2d.square(3, 1, 1), true), "up"),
                Node.of("bn", BatchNorm2d.create(8), "conv"),
                Node.of("relu", Activation.relu(), "bn"),
                Node.of("ct", ConvTranspose2d.create(8, 4, Kernel2d.square(4, 2, 1), 0, true), "relu"),
                Node.of("in", InstanceNorm2d.create(4), "ct"),
                Node.of("add", new Add(), "in", "ct"),
                Node.of("cat2", new Concat(), "add", "in"),
                Node.of("tanh", Activation.tanh(), "cat2")), "tanh", Map.of());
    }

    @Test
    void perLayerFiguresMatchHandComputation() {
        CostReport r = CostModel.of(everyLayer(), Options.defaults().withBatchSize(4));
        Map<String, LayerCost> by = new LinkedHashMap<>();
        r.layers().forEach(l -> by.put(l.node(), l));
        assertThat(by.keySet()).containsExactly("emb", "cat", "fc", "rs", "up", "conv", "bn", "relu", "ct", "in",
                "add", "cat2", "tanh");

        // node, output shape, params, MACs, weight bytes (fp32), activation bytes (fp32)
        expect(by.get("emb"), List.of(2), 3 * 2, 0, 3 * 2 * 4, 2 * 4);
        expect(by.get("cat"), List.of(6), 0, 0, 0, 6 * 4);
        expect(by.get("fc"), List.of(48), 6 * 48 + 48, 6 * 48, (6 * 48 + 48) * 4, 48 * 4);
        expect(by.get("rs"), List.of(3, 4, 4), 0, 0, 0, 48 * 4);
        expect(by.get("up"), List.of(3, 8, 8), 0, 0, 0, 3 * 8 * 8 * 4);
        expect(by.get("conv"), List.of(8, 8, 8), 8 * 3 * 9 + 8, 8 * 8 * 8 * 3 * 9, (8 * 3 * 9 + 8) * 4, 512 * 4);
        // BN: gamma and beta are trained; running mean and variance are stored too (4 tensors of 8 floats)
        expect(by.get("bn"), List.of(8, 8, 8), 2 * 8, 512, 4 * 8 * 4, 512 * 4);
        expect(by.get("relu"), List.of(8, 8, 8), 0, 0, 0, 512 * 4);
        // ConvT: out H = (8 - 1) * 2 - 2 * 1 + 4 = 16; MACs = in * Hin * Win * out * k * k
        expect(by.get("ct"), List.of(4, 16, 16), 8 * 4 * 16 + 4, 8 * 8 * 8 * 4 * 16, (8 * 4 * 16 + 4) * 4,
                1024 * 4);
        expect(by.get("in"), List.of(4, 16, 16), 2 * 4, 3 * 1024, 2 * 4 * 4, 1024 * 4);
        expect(by.get("add"), List.of(4, 16, 16), 0, 0, 0, 1024 * 4);
        expect(by.get("cat2"), List.of(8, 16, 16), 0, 0, 0, 2048 * 4);
        expect(by.get("tanh"), List.of(8, 16, 16), 0, 0, 0, 2048 * 4);

        // bytes moved per node = weight bytes / 4 (batch) + inputs read + output written
        assertThat(by.get("emb").bytesMoved()).isEqualTo(24 / 4.0 + 8 + 8); // label is int64
        assertThat(by.get("cat").bytesMoved()).isEqualTo(16 + 8 + 24);
        assertThat(by.get("add").bytesMoved()).isEqualTo(4096 + 4096 + 4096);
        assertThat(by.get("ct").bytesMoved()).isEqualTo(2064 / 4.0 + 2048 + 4096);
    }

    private static void expect(LayerCost l, List<Integer> shape, long params, long macs, long weightBytes,
                               long activationBytes) {
        assertThat(l.outputShape()).as(l.node() + " shape").isEqualTo(shape);
        assertThat(l.params()).as(l.node() + " params").isEqualTo(params);
        assertThat(l.macs()).as(l.node() + " MACs").isEqualTo(macs);
        assertThat(l.weightBytes()).as(l.node() + " weight bytes").isEqualTo(weightBytes);
        assertThat(l.activationBytes()).as(l.node() + " activation bytes").isEqualTo(activationBytes);
    }

    @Test
    void totalsMatchHandComputation() {
        Model m = everyLayer();
        CostReport.Totals t = CostModel.of(m, Options.defaults().withBatchSize(4)).totals();
        assertThat(t.parameters()).isEqualTo(6 + 336 + 224 + 16 + 516 + 8).isEqualTo(m.parameterCount());
        assertThat(t.macs()).isEqualTo(288 + 13824 + 512 + 32768 + 3072).isEqualTo(m.macs());
        assertThat(t.weightBytes()).isEqualTo(24 + 1344 + 896 + 128 + 2064 + 32);
        assertThat(t.weightBytesFp32()).isEqualTo(4488);
        // 8 + 24 + 192 + 192 + 768 + 3 * 2048 + 3 * 4096 + 2 * 8192
        assertThat(t.activationBytes()).isEqualTo(36000);
        // while cat2 runs: in (4096, read), add (4096, read), cat2 (8192); tanh step: cat2 + tanh
        assertThat(t.peakActivationBytes()).isEqualTo(16384);
        // weights 4488 / 4 + writes 36000 + reads: y 8, z 16, emb 8, cat 24, fc 192, rs 192, up 768,
        // conv 2048, bn 2048, relu 2048, ct 2 x 4096, in 2 x 4096, add 4096, cat2 8192 = 36024
        assertThat(t.bytesMoved()).isEqualTo(1122 + 36000 + 36024);
    }

    @Test
    void int8ActivationsQuarterTheActivationBytes() {
        CostReport r = CostModel.of(everyLayer(), Options.defaults().withActivationPrecision(ActivationPrecision.INT8));
        // every node output element is now 1 byte instead of 4
        assertThat(r.totals().activationBytes()).isEqualTo(36000 / 4);
        assertThat(r.totals().peakActivationBytes()).isEqualTo(16384 / 4);
        // no weight is stored as integers, so nothing computes in int8 except weightless layers
        assertThat(r.layers()).filteredOn(LayerCost::int8Arithmetic).extracting(LayerCost::node)
                .containsExactly("cat", "rs", "up", "relu", "add", "cat2", "tanh");
    }

    @Test
    void storageFormatBytesByHand() {
        Weights w = Weights.zeros(3, 5); // 15 values, 3 output channels
        assertThat(StorageFormat.fp32().bytes(w, 3)).isEqualTo(60);
        assertThat(new StorageFormat.Fp16().bytes(w, 3)).isEqualTo(30);
        // int8: 15 values + 3 x (fp32 scale + zero point)
        assertThat(StorageFormat.int8().bytes(w, 3)).isEqualTo(15 + 3 * (4 + 1));
        assertThat(new StorageFormat.Int8(32).bytes(w, 3)).isEqualTo(15 + 3 * (4 + 4));
        assertThat(new StorageFormat.Int8(0).bytes(w, 3)).isEqualTo(15 + 3 * 4);
        // int4: 15 nibbles round up to 8 bytes, + 3 scales
        assertThat(new StorageFormat.Int4().bytes(w, 3)).isEqualTo(8 + 12);
        // ternary 30 bits -> 4 bytes; binary 15 bits -> 2 bytes; each + 3 scales
        assertThat(new StorageFormat.Ternary().bytes(w, 3)).isEqualTo(4 + 12);
        assertThat(new StorageFormat.Binary().bytes(w, 3)).isEqualTo(2 + 12);
        // codebook k=16: 15 x 4 bits = 60 bits -> 8 bytes, + 16 fp32 centroids
        assertThat(new StorageFormat.Codebook(16).bytes(w, 3)).isEqualTo(8 + 64);
        // k=5 needs 3 bits: 45 bits -> 6 bytes, + 5 centroids
        assertThat(new StorageFormat.Codebook(5).bytes(w, 3)).isEqualTo(6 + 20);
        assertThat(new StorageFormat.EntropyCoded("huffman", 11).bytes(w, 3)).isEqualTo(11);
    }

    @Test
    void sparseCsrCountsFillersOfTheRelativeIndex() {
        float[] data = new float[20]; // 2 rows x 10 columns
        data[0] = 1;
        data[1] = 2;
        data[9] = 3;        // 7 zeros before it > 3 (2-bit index): one filler
        data[10 + 4] = 4;   // 4 zeros before it: one filler
        Weights w = new Weights(new int[] {2, 10}, data);
        StorageFormat.SparseCsr fp32 = new StorageFormat.SparseCsr(StorageFormat.fp32(), 2);
        assertThat(fp32.entries(w)).isEqualTo(4 + 2);
        // 6 entries x (32 + 2) bits = 204 bits -> 26 bytes, + 3 int32 row pointers
        assertThat(fp32.bytes(w, 2)).isEqualTo(26 + 12);
        // int8 values: 6 x 10 bits = 60 bits -> 8 bytes, + row pointers, + 2 channels x (scale + zero point)
        assertThat(new StorageFormat.SparseCsr(StorageFormat.int8(), 2).bytes(w, 2)).isEqualTo(8 + 12 + 10);
        // a 4-bit index reaches every gap: 4 entries x 36 bits = 144 bits = 18 bytes
        assertThat(new StorageFormat.SparseCsr(StorageFormat.fp32(), 4).bytes(w, 2)).isEqualTo(18 + 12);
    }

    @Test
    void storageMapChangesWeightBytes() {
        Map<String, StorageFormat> storage = Map.of("conv.weight", new StorageFormat.Int4(),
                "ct.weight", new StorageFormat.Codebook(16), "emb.weight", StorageFormat.int8());
        CostReport r = CostModel.of(everyLayer(), Options.defaults().withStorage(storage));
        Map<String, Long> bytes = new LinkedHashMap<>();
        r.layers().forEach(l -> bytes.put(l.node(), l.weightBytes()));
        // conv: 216 nibbles = 108 bytes + 8 channel scales + fp32 bias 32
        assertThat(bytes.get("conv")).isEqualTo(108 + 32 + 32);
        // ct: 512 x 4 bits = 256 bytes + 16 centroids + fp32 bias 16
        assertThat(bytes.get("ct")).isEqualTo(256 + 64 + 16);
        // embedding per row: 6 bytes + 3 rows x 5
        assertThat(bytes.get("emb")).isEqualTo(6 + 15);
        assertThat(r.totals().weightBytes()).isEqualTo(4488 - 896 - 2064 - 24 + 172 + 336 + 21);
        assertThat(r.totals().weightBytesFp32()).isEqualTo(4488);
    }

    @Test
    void unknownStorageTensorIsRejectedWithTheKnownNames() {
        Options o = Options.defaults().withStorage(Map.of("conv.kernel", StorageFormat.int8()));
        assertThatThrownBy(() -> CostModel.of(everyLayer(), o)).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("'conv.kernel'").hasMessageContaining("conv.weight");
    }

    private static Model oneLinear() {
        return new Model("fc", List.of(Input.latent("z", 4)), List.of(Node.of("fc", Linear.create(4, 2, true), "z")),
                "fc", Map.of());
    }

    @Test
    void energyOfOneLayerByHandFp32() {
        CostReport r = CostModel.of(oneLinear(), Options.defaults().withBatchSize(2));
        CostReport.Energy e = r.totals().energy();
        // 8 MACs x (3.7 + 0.9) pJ
        assertThat(e.computePj()).isCloseTo(8 * 4.6, within(1e-9));
        // 8 MACs x 2 fp32 operands x 5 pJ
        assertThat(e.sramPj()).isCloseTo(80, within(1e-9));
        // moved: 40 weight bytes / 2 + 16 read + 8 written = 44 bytes = 11 words x 640 pJ
        assertThat(r.totals().bytesMoved()).isEqualTo(44);
        assertThat(e.dramPj()).isCloseTo(7040, within(1e-9));
        assertThat(e.totalPj()).isCloseTo(7156.8, within(1e-9));
        assertThat(e.dataMovementShare()).isCloseTo(7120 / 7156.8, within(1e-12));
        assertThat(r.layers().get(0).energy()).isEqualTo(e);
    }

    @Test
    void energyOfOneLayerByHandInt8() {
        Options o = Options.defaults().withBatchSize(2).withActivationPrecision(ActivationPrecision.INT8)
                .withStorage(Map.of("fc.weight", StorageFormat.int8()));
        CostReport r = CostModel.of(oneLinear(), o);
        assertThat(r.layers().get(0).int8Arithmetic()).isTrue();
        // weight 8 bytes + 2 x (4 + 1) = 18, fp32 bias 8
        assertThat(r.totals().weightBytes()).isEqualTo(26);
        CostReport.Energy e = r.totals().energy();
        assertThat(e.computePj()).isCloseTo(8 * 0.23, within(1e-9));
        // 8 MACs x 2 int8 operands x (8 / 32) x 5 pJ
        assertThat(e.sramPj()).isCloseTo(20, within(1e-9));
        // moved: 26 / 2 + 4 read + 2 written = 19 bytes = 4.75 words x 640 pJ
        assertThat(e.dramPj()).isCloseTo(3040, within(1e-9));
        assertThat(e.totalPj()).isCloseTo(3061.84, within(1e-9));
    }

    @Test
    void bundledEnergyTableIsHorowitz45nm() {
        EnergyTable t = EnergyTable.horowitz45nm();
        assertThat(t.source()).contains("Horowitz").contains("45 nm");
        assertThat(List.of(t.dramAccess32BitPj(), t.sramAccess32BitPj(), t.fp32MultiplyPj(), t.fp32AddPj(),
                t.int8MultiplyPj(), t.int8AddPj())).containsExactly(640.0, 5.0, 3.7, 0.9, 0.2, 0.03);
    }

    @Test
    void energyTableRoundTripsThroughAFile(@TempDir Path dir) {
        EnergyTable t = new EnergyTable("test table", 100, 2, 1.5, 0.5, 0.1, 0.01);
        Path file = dir.resolve("energy.json");
        t.save(file);
        assertThat(EnergyTable.load(file)).isEqualTo(t);
        assertThat(EnergyTable.parse(t.toJson(), "text")).isEqualTo(t);
    }

    @Test
    void badEnergyFilesAreRejectedNamingFileAndField(@TempDir Path dir) throws Exception {
        Path negative = dir.resolve("negative.json");
        Files.writeString(negative, EnergyTable.horowitz45nm().toJson().replace("640.0", "-640.0"));
        assertThatThrownBy(() -> EnergyTable.load(negative)).isInstanceOf(GanCompressException.class)
                .hasMessageContaining(negative.toString()).hasMessageContaining("'dramAccess32BitPj'")
                .hasMessageContaining("positive number of picojoules").hasMessageContaining("-640.0");

        Path missing = dir.resolve("missing.json");
        Files.writeString(missing, "{\"source\": \"x\", \"dramAccess32BitPj\": 1, \"sramAccess32BitPj\": 1, "
                + "\"fp32MultiplyPj\": 1, \"fp32AddPj\": 1, \"int8MultiplyPj\": 1}");
        assertThatThrownBy(() -> EnergyTable.load(missing)).hasMessageContaining(missing.toString())
                .hasMessageContaining("'int8AddPj'").hasMessageContaining("got nothing");

        Path text = dir.resolve("text.json");
        Files.writeString(text, EnergyTable.horowitz45nm().toJson().replace("3.7", "\"fast\""));
        assertThatThrownBy(() -> EnergyTable.load(text)).hasMessageContaining("'fp32MultiplyPj'");

        Path unknown = dir.resolve("unknown.json");
        Files.writeString(unknown, EnergyTable.horowitz45nm().toJson().replace("\"source\"", "\"fp16AddPj\": 0.4, "
                + "\"source\""));
        assertThatThrownBy(() -> EnergyTable.load(unknown)).hasMessageContaining("'fp16AddPj' is unknown");

        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"source\": ");
        assertThatThrownBy(() -> EnergyTable.load(broken)).hasMessageContaining(broken.toString())
                .hasMessageContaining("not valid JSON");

        Path absent = dir.resolve("absent.json");
        assertThatThrownBy(() -> EnergyTable.load(absent)).isInstanceOf(GanCompressException.class)
                .hasMessageContaining(absent.toString());
    }

    @Test
    void optionsRoundTripThroughJsonWithEveryStorageFormat() {
        Map<String, StorageFormat> storage = new LinkedHashMap<>();
        storage.put("a.weight", StorageFormat.fp32());
        storage.put("b.weight", new StorageFormat.Fp16());
        storage.put("c.weight", new StorageFormat.Int8(32));
        storage.put("d.weight", new StorageFormat.Int4());
        storage.put("e.weight", new StorageFormat.Ternary());
        storage.put("f.weight", new StorageFormat.Binary());
        storage.put("g.weight", new StorageFormat.Codebook(16));
        storage.put("h.weight", new StorageFormat.SparseCsr(new StorageFormat.Codebook(32), 5));
        storage.put("i.weight", new StorageFormat.EntropyCoded("huffman", 1234));
        Options o = new Options(64, ActivationPrecision.INT8, new EnergyTable("mine", 1, 2, 3, 4, 5, 6), storage);
        String json = o.toJson();
        assertThat(json).contains("\"format\" : \"csr\"").contains("\"format\" : \"codebook\"");
        assertThat(Options.fromJson(json, "opts.json")).isEqualTo(o);
        // omitted fields take the defaults
        assertThat(Options.fromJson("{\"batchSize\": 8}", "opts.json"))
                .isEqualTo(Options.defaults().withBatchSize(8));
    }

    @Test
    void invalidOptionsAreRejectedByName() {
        assertThatThrownBy(() -> Options.defaults().withBatchSize(0)).isInstanceOf(GanCompressException.class)
                .hasMessageContaining("'batchSize' must be >= 1, got 0");
        assertThatThrownBy(() -> Options.fromJson("{\"batchSize\": 0}", "opts.json"))
                .isInstanceOf(GanCompressException.class).hasMessageContaining("opts.json")
                .hasMessageContaining("batchSize");
        assertThatThrownBy(() -> Options.fromJson(
                "{\"batchSize\": 1, \"storage\": {\"x.weight\": {\"format\": \"int8\", \"zeroPointBits\": 7}}}",
                "opts.json")).isInstanceOf(GanCompressException.class).hasMessageContaining("opts.json")
                .hasMessageContaining("zeroPointBits must be 0, 8 or 32");
    }

    @Test
    void reportPrintsATableAndRoundTripsThroughJson() {
        CostReport r = CostModel.of(everyLayer(), Options.defaults().withBatchSize(4)
                .withStorage(Map.of("conv.weight", StorageFormat.int8())));
        String table = r.toTable();
        assertThat(table).contains("every-layer").contains("ConvTranspose").contains("4x16x16")
                .contains("TOTAL").contains("peak live activation bytes").contains("16384")
                .contains("data movement").contains("Horowitz");
        String[] lines = table.split(System.lineSeparator());
        assertThat(lines[2]).startsWith("---");
        assertThat(lines[1].length()).isEqualTo(lines[3].length()); // fixed width columns
        String json = r.toJson();
        assertThat(json).contains("\"dataMovementShare\"");
        assertThat(CostReport.fromJson(json, "report.json")).isEqualTo(r);
    }

    @Test
    void dataMovementDominatesEnergyForAnFp32Generator() {
        CostReport.Energy e = CostModel.of(everyLayer(), Options.defaults().withBatchSize(64)).totals().energy();
        assertThat(e.dataMovementShare()).isGreaterThan(0.5);
    }
}
