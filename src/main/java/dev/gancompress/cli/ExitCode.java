package dev.gancompress.cli;

/** Documented process exit codes. */
public enum ExitCode {
    OK(0), FAILURE(1), BAD_INPUT(2);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
