package dev.gancompress;

/**
 * The one exception type for problems in what a user gave us: a file, a field, an option.
 * Its message must name the file (or option), the field and what was expected, because the CLI prints
 * it as the whole explanation, without a stack trace.
 */
public final class GanCompressException extends RuntimeException {
    public GanCompressException(String message) {
        super(message);
    }

    public GanCompressException(String message, Throwable cause) {
        super(message, cause);
    }
}
