package dev.gancompress.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Renders a page in headless Chromium (Debian package {@code chromium}, installed by .ci/run) the way a reader's
 * browser would, and reports what a reader would notice: images that did not decode and console messages. A small
 * script, added to a copy of the page only, marks every image with naturalWidth 0 once the page has loaded; the DOM
 * is dumped after that.
 */
public final class HeadlessChromium {
    static final String CHECK_SCRIPT = "<script>window.addEventListener('load', function () {"
            + "var imgs = document.querySelectorAll('img'); var broken = 0;"
            + "imgs.forEach(function (i) { if (!i.complete || i.naturalWidth === 0) { i.setAttribute('data-broken', '1');"
            + " broken++; } });"
            + "document.body.setAttribute('data-images', String(imgs.length));"
            + "document.body.setAttribute('data-broken-images', String(broken)); });</script>";

    /** The dumped DOM after load and the console lines Chromium logged. */
    public record Rendered(String dom, List<String> console, String stderr) {
    }

    private HeadlessChromium() {
    }

    /** The Chromium binary, or null when it is not installed. */
    public static Path binary() {
        for (String p : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        return null;
    }

    public static Rendered render(Path html, Path work) throws IOException, InterruptedException {
        String page = Files.readString(html);
        int end = page.lastIndexOf("</body>");
        if (end < 0) {
            throw new AssertionError(html + " has no </body>");
        }
        Path checked = work.resolve("checked-" + html.getFileName());
        Files.writeString(checked, page.substring(0, end) + CHECK_SCRIPT + page.substring(end));
        Path profile = Files.createDirectories(work.resolve("chromium-profile"));
        Path out = work.resolve("dom.html");
        Path err = work.resolve("chromium.log");
        ProcessBuilder pb = new ProcessBuilder(binary().toString(), "--headless", "--disable-gpu", "--no-sandbox",
                "--no-first-run", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
                "--virtual-time-budget=5000", "--dump-dom", checked.toUri().toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish rendering " + html + " in 180 s");
        }
        String stderr = Files.readString(err);
        List<String> console = new ArrayList<>();
        for (String line : stderr.split("\n")) {
            if (line.contains(":CONSOLE")) {
                console.add(line);
            }
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("chromium exited " + p.exitValue() + ":\n" + stderr);
        }
        return new Rendered(Files.readString(out), console, stderr);
    }
}
