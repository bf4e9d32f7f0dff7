package dev.gancompress.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gancompress.onnx.ExporterGraphs;
import dev.gancompress.onnx.OnnxAttribute;
import dev.gancompress.onnx.OnnxGraph;
import dev.gancompress.onnx.OnnxModelProto;
import dev.gancompress.onnx.OnnxNode;
import dev.gancompress.onnx.OnnxTensor;
import dev.gancompress.onnx.OnnxValueInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gancompress import} on a PyTorch export, and the bad inputs of issue 14: one line naming the node, exit 2,
 * no stack trace, no output file.
 */
class ImportCommandTest {
    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private void assertBadInput(OnnxModelProto proto, String... fragments) throws IOException {
        Path file = Files.write(dir.resolve("theirs.onnx"), ExporterGraphs.bytes(proto));
        Path out = dir.resolve("teacher.onnx");
        for (String[] args : List.of(new String[] {"info", file.toString()},
                new String[] {"import", file.toString(), "--out", out.toString()})) {
            CliRun r = run(args);
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.BAD_INPUT.code());
            assertThat(r.err()).startsWith("error: ").doesNotContain("\tat dev.").doesNotContain("Exception");
            assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
            for (String f : fragments) {
                assertThat(r.err()).contains(f);
            }
            assertThat(out).doesNotExist();
        }
    }

    @Test
    void importWritesATeacherThatInfoReads() throws IOException {
        Path file = Files.write(dir.resolve("g.onnx"), ExporterGraphs.bytes(new ExporterGraphs(1).pytorchDcgan()));
        Path out = dir.resolve("teacher.onnx");
        CliRun r = run("import", file.toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(out).exists();
        assertThat(run("info", out.toString()).code()).isZero();
        assertThat(run("info", file.toString()).code()).isZero();
    }

    @Test
    void unsupportedOpNamesNodeOpOpsetAndTheSupportedOps() throws IOException {
        OnnxModelProto dcgan = new ExporterGraphs(1).pytorchDcgan();
        List<OnnxNode> nodes = new ArrayList<>(dcgan.graph().nodes());
        OnnxNode tanh = nodes.remove(nodes.size() - 1);
        nodes.add(new OnnxNode("/act/Mish", "Mish", "", tanh.inputs(), tanh.outputs(), List.of()));
        assertBadInput(with(dcgan, nodes, dcgan.graph().inputs(), dcgan.graph().outputs()),
                "'/act/Mish'", "'Mish'", "opset 17", "supported ops: Gemm, Conv, ConvTranspose");
    }

    @Test
    void symbolicHeightCannotBeFolded() throws IOException {
        OnnxModelProto block = new ExporterGraphs(2).pytorchResnetBlock();
        List<OnnxValueInfo> in = List.of(ExporterGraphs.info("x", OnnxTensor.FLOAT, "batch", 4L, "height", "width"));
        assertBadInput(with(block, block.graph().nodes(), in, block.graph().outputs()),
                "graph input 'x'", "height", "'/pad1/Pad' (op Pad)", "cannot be folded");
    }

    @Test
    void arithmeticOnTheBatchSizeIsRefusedAtItsNode() throws IOException {
        OnnxModelProto dcgan = new ExporterGraphs(1).pytorchDcgan();
        List<OnnxNode> nodes = new ArrayList<>();
        for (OnnxNode n : dcgan.graph().nodes()) {
            if (n.name().equals("/Unsqueeze")) { // x.view(2 * x.size(0), ...): the batch doubled
                nodes.add(new OnnxNode("/Mul", "Mul", "", List.of("/Gather_output_0", "/Constant_output_two"),
                        List.of("/Mul_output_0"), List.of()));
                nodes.add(new OnnxNode("/Constant_two", "Constant", "", List.of(), List.of("/Constant_output_two"),
                        List.of(OnnxAttribute.ofTensor("value", OnnxTensor.ofLongs("", new long[] {}, new long[] {2})))));
                nodes.add(new OnnxNode(n.name(), n.opType(), "", List.of("/Mul_output_0", n.input(1)), n.outputs(),
                        n.attributes()));
            } else {
                nodes.add(n);
            }
        }
        // Constant after its use is not topological: put it first.
        nodes.add(0, nodes.remove(nodes.indexOf(nodes.stream().filter(n -> n.name().equals("/Constant_two"))
                .findFirst().orElseThrow())));
        assertBadInput(with(dcgan, nodes, dcgan.graph().inputs(), dcgan.graph().outputs()),
                "'/Mul'", "symbolic batch size");
    }

    @Test
    void twoOutputsAreNamedWithTheirNodes() throws IOException {
        OnnxModelProto dcgan = new ExporterGraphs(1).pytorchDcgan();
        List<OnnxValueInfo> outs = new ArrayList<>(dcgan.graph().outputs());
        outs.add(ExporterGraphs.info("/fc/Gemm_output_0", OnnxTensor.FLOAT, "batch", 128L));
        assertBadInput(with(dcgan, dcgan.graph().nodes(), dcgan.graph().inputs(), outs),
                "2 outputs", "'image' (from node '/Tanh', op Tanh)", "'/fc/Gemm_output_0' (from node '/fc/Gemm'");
    }

    private static OnnxModelProto with(OnnxModelProto p, List<OnnxNode> nodes, List<OnnxValueInfo> in,
                                       List<OnnxValueInfo> out) {
        return new OnnxModelProto(p.irVersion(), p.producerName(), p.producerVersion(), p.opsets(),
                new OnnxGraph(p.graph().name(), nodes, p.graph().initializers(), in, out), Map.of());
    }
}
