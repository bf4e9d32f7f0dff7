package dev.gancompress.cli;

import dev.gancompress.GanCompressException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The gancompress command line. Bad input (a {@link GanCompressException} or a picocli parameter error) prints
 * one line and exits 2; any other failure prints one line and exits 1; a stack trace only with --debug.
 */
@Command(name = "gancompress", mixinStandardHelpOptions = true, versionProvider = Main.ToolVersion.class,
        description = "Compress CNN GAN generators and measure what each technique costs in quality.",
        footer = {"", "Exit codes: 0 ok, 1 failure, 2 bad input (a file, field or option).",
                "Add --debug anywhere on the command line to print the stack trace of a failure."},
        subcommands = {TrainCommand.class, SampleCommand.class, InfoCommand.class, DemoCommand.class,
                BenchEngineCommand.class, BenchCommand.class, CompressCommand.class, CompareKdPruneCommand.class,
                CompareBudgetCommand.class,
                CompareLowRankQuantCommand.class, TrainEvaluatorCommand.class, EvaluateCommand.class,
                MetricsSanityCommand.class, EncodeCommand.class, DecodeCommand.class, ImportCommand.class,
                SweepCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** `--version` prints {@link dev.gancompress.Version#TOOL}: the pom is the one place the version is written. */
    static final class ToolVersion implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {dev.gancompress.Version.TOOL};
        }
    }

    private static volatile String invocation = "gancompress";

    /** The command line of this process, recorded as provenance in every file it writes. */
    static String invocation() {
        return invocation;
    }

    public static int execute(String... args) {
        return execute(new java.io.PrintWriter(System.err, true), args);
    }

    /** Runs the command line with error messages going to {@code err} (tests capture them). */
    public static int execute(java.io.PrintWriter err, String... args) {
        invocation = "gancompress " + String.join(" ", args);
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        String[] rest = java.util.Arrays.stream(args).filter(a -> !a.equals("--debug")).toArray(String[]::new);
        CommandLine cli = new CommandLine(new Main());
        cli.getSubcommands().get("compress").getCommandSpec().usageMessage().footer(CompressCommand.registryHelp());
        cli.setErr(err);
        cli.setExecutionExceptionHandler(failureHandler(debug));
        cli.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage());
            ex.getCommandLine().getErr().println("see: gancompress " + ex.getCommandLine().getCommandName()
                    + " --help");
            return ExitCode.BAD_INPUT.code();
        });
        return cli.execute(rest);
    }

    /**
     * A failure inside a command: bad input (a {@link GanCompressException} anywhere in the cause chain) is one line
     * and exit 2; anything else is one line and exit 1; with --debug the stack trace comes first.
     */
    static CommandLine.IExecutionExceptionHandler failureHandler(boolean debug) {
        return (ex, commandLine, parseResult) -> {
            if (debug) {
                ex.printStackTrace(commandLine.getErr());
            }
            Throwable cause = ex;
            while (cause != null && !(cause instanceof GanCompressException)) {
                cause = cause.getCause();
            }
            if (cause != null) {
                commandLine.getErr().println("error: " + cause.getMessage());
                return ExitCode.BAD_INPUT.code();
            }
            commandLine.getErr().println("error: " + message(ex) + (debug ? "" : " (run with --debug for details)"));
            return ExitCode.FAILURE.code();
        };
    }

    /**
     * What went wrong, in words: the message, never the exception class (users read the line, --debug shows the
     * trace). A wrapper made by {@code new XException(cause)} carries {@code cause.toString()} as its message,
     * class name included, so it defers to the cause.
     */
    static String message(Throwable ex) {
        Throwable t = ex;
        while (t.getCause() != null
                && (blank(t.getMessage()) || t.getMessage().equals(t.getCause().toString()))) {
            t = t.getCause();
        }
        return blank(t.getMessage()) ? "unexpected internal failure" : t.getMessage();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }
}
