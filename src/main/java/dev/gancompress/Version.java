package dev.gancompress;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The tool's version, from one place: Maven writes {@code ${project.version}} into {@code version.properties}
 * when it copies the resources, so the pom is the only file that names the version.
 */
public final class Version {
    /** "0.1.0", or "unknown" when run from classes that Maven did not process. */
    public static final String NUMBER = read();
    /** "gancompress 0.1.0": what `--version`, ONNX metadata and reports print. */
    public static final String TOOL = "gancompress " + NUMBER;

    private Version() {
    }

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
