package dev.gancompress.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** One in-process CLI invocation as a user sees it: the exit code and what went to standard error. */
record CliRun(int code, String err) {
    static CliRun of(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintWriter err = new PrintWriter(bytes, true, StandardCharsets.UTF_8);
        int code = Main.execute(err, args);
        err.flush();
        return new CliRun(code, bytes.toString(StandardCharsets.UTF_8));
    }
}
