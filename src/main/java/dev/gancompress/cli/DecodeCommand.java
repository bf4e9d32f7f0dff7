package dev.gancompress.cli;

import dev.gancompress.GanCompressException;
import dev.gancompress.compress.encode.GczReader;
import dev.gancompress.model.Model;
import dev.gancompress.runtime.VerifiedModelWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "decode", mixinStandardHelpOptions = true,
        description = "Decode a .gcz container to a runnable ONNX model (checked in ONNX Runtime before it is kept).")
final class DecodeCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    VerifyOption verifyOption = new VerifyOption();

    @Parameters(index = "0", description = ".gcz file.")
    Path input;

    @Option(names = "--out", required = true, description = "ONNX file to write.")
    Path out;

    @Override
    public Integer call() {
        if (!GczReader.isGcz(input)) {
            throw new GanCompressException("file " + input + " is not a .gcz container (it does not start with the "
                    + ".gcz magic); decode reads what 'gancompress encode' writes");
        }
        Model model = ModelFiles.read(input);
        ModelFiles.report(out, VerifiedModelWriter.write(model, out, Map.of("command", Main.invocation()),
                verifyOption.verify()));
        System.out.println("wrote " + out);
        return ExitCode.OK.code();
    }
}
