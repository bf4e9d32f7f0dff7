package dev.gancompress.cli;

import dev.gancompress.model.Model;
import dev.gancompress.model.Node;
import dev.gancompress.onnx.OnnxImporter;
import dev.gancompress.runtime.VerifiedModelWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Normalises a generator exported by another tool (torch.onnx.export, tf2onnx) into gancompress's IR and writes
 * it back as the ONNX every other command reads, listing what the import folded. Every command also reads such a
 * file directly; this one shows what happened and leaves a clean teacher file.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import an ONNX model exported by PyTorch or tf2onnx (opsets 11-18; external data is read next "
                + "to the file) and write it as a gancompress teacher, listing what was folded.")
final class ImportCommand implements Callable<Integer> {
    @Mixin
    VerifyOption verifyOption = new VerifyOption();

    @Parameters(index = "0", description = "The exported .onnx file.")
    Path input;

    @Option(names = "--out", required = true, description = "ONNX file to write.")
    Path out;

    @Override
    public Integer call() {
        OnnxImporter.Imported imported = OnnxImporter.importFile(input);
        Model model = dev.gancompress.onnx.FiniteWeights.require(imported.model(), input.toString());
        for (String line : imported.folded()) {
            System.out.println("folded: " + line);
        }
        for (Node n : model.nodes()) {
            System.out.println("layer " + n.name() + ": " + n.layer().opName() + " -> " + model.shape(n.name()));
        }
        dev.gancompress.Provenance provenance = dev.gancompress.Provenance.of(Main.invocation())
                .withInput("source", input).with("imported_from", input.getFileName().toString());
        ModelFiles.report(out, VerifiedModelWriter.write(model, out, provenance.metadata(), verifyOption.verify()));
        System.out.println("wrote " + out + " (" + model.nodes().size() + " layers, " + model.parameterCount()
                + " parameters)");
        return ExitCode.OK.code();
    }
}
