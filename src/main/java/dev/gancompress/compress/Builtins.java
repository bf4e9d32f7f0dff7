package dev.gancompress.compress;

/**
 * Registers the techniques that ship with gancompress, once. Each family adds its line here.
 */
final class Builtins {
    private static boolean done;

    private Builtins() {
    }

    static synchronized void ensureRegistered() {
        if (done) {
            return;
        }
        done = true;
    }
}
