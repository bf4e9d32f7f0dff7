package dev.gancompress.cli;

import picocli.CommandLine.Option;

/** The shared switch of every command that writes a model (a picocli mixin, so the name and help are one). */
final class VerifyOption {
    @Option(names = "--no-verify", description = "Skip the check that ONNX Runtime computes what the engine computes "
            + "for every model written (engine vs ORT on a seeded batch, max |difference| <= 1e-4).")
    boolean noVerify;

    boolean verify() {
        return !noVerify;
    }
}
