package dev.gancompress.report;

import dev.gancompress.model.Dcgan;
import dev.gancompress.model.DcganSpec;
import dev.gancompress.model.Model;
import dev.gancompress.nn.Initializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.gancompress.report.ReportFixtures.entry;
import static org.assertj.core.api.Assertions.assertThat;

public class HtmlReportTest {
    static HtmlReport.Document document() {
        List<ReportEntry> entries = List.of(
                entry("teacher", List.of(), 1000, 1.0, 500),
                entry("prune-50", List.of("prune"), 600, 2.0, 600),
                entry("int8", List.of("quantize"), 300, 3.0, 900),
                entry("prune+int8 <b>", List.of("prune", "quantize"), 250, 2.5, 950));
        List<Model> models = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Model g = Dcgan.generator(new DcganSpec(8, 1, 28, 8, 4, 0, 0));
            Initializer.dcgan(g, i + 1);
            models.add(g);
        }
        return new HtmlReport.Document("test report", "Made by a test & nothing else.", entries, models, 3);
    }

    /** Every src or href that is not embedded or a link inside the page. */
    static List<String> externalReferences(String html) {
        Matcher m = Pattern.compile("(?i)(src|href)\\s*=\\s*\"([^\"]*)\"").matcher(html);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            if (!m.group(2).startsWith("data:image/png;base64,") && !m.group(2).startsWith("#")) {
                out.add(m.group(0));
            }
        }
        return out;
    }

    static int count(String s, String what) {
        return s.split(Pattern.quote(what), -1).length - 1;
    }

    @Test
    void writesASelfContainedPageWithEverySectionAndAMarkdownSummary(@TempDir Path dir) throws Exception {
        HtmlReport.write(dir, "report", document());
        String html = Files.readString(dir.resolve("report.html"));
        assertThat(externalReferences(html)).isEmpty();
        assertThat(html).doesNotContain("<link").doesNotContain("@import");
        for (String s : HtmlReport.SECTIONS) {
            assertThat(html).contains("<section id=\"" + s + "\">");
        }
        // 3 Pareto plots, the sample grid, one per-layer figure per model, the energy split
        assertThat(count(html, "<img ")).isEqualTo(3 + 1 + 4 + 1);
        // names are escaped, not markup
        assertThat(html).contains("prune+int8 &lt;b&gt;").doesNotContain("prune+int8 <b>");
        assertThat(html).contains("Combined recipe prune+int8 &lt;b&gt; (prune + quantize; 250 bytes, FID 2.500) beats "
                + "every single-family recipe");
        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md).contains("| model | method | parameters | FID [95% CI] |").contains("Combined recipe prune+int8")
                .contains("![FID vs bytes on disk](report-fid-bytes.png)");
        assertThat(md.lines().filter(l -> l.startsWith("| ")).count()).isEqualTo(1 + 4);
        // the frontier of FID vs bytes: teacher (best FID), prune-50, the combined recipe (smallest); int8 is beaten
        assertThat(md).contains("Frontier of FID vs bytes on disk: prune+int8 <b>, prune-50, teacher");
        assertThat(Files.size(dir.resolve("report-fid-bytes.png"))).isPositive();
        assertThat(dir.toFile().list((d, n) -> n.endsWith(".tmp"))).isEmpty();
    }

    @Test
    void rendersInHeadlessChromiumWithEveryImageDecodedAndNoConsoleMessage(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(HeadlessChromium.binary() != null, "chromium is not installed (.ci/run installs it)");
        HtmlReport.write(dir, "report", document());
        assertRendersCleanly(dir.resolve("report.html"), dir);
    }

    @Test
    void theChromiumCheckSeesABrokenImageAndAConsoleError(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(HeadlessChromium.binary() != null, "chromium is not installed (.ci/run installs it)");
        HtmlReport.write(dir, "report", document());
        String html = Files.readString(dir.resolve("report.html"));
        // one image's data cut short, one section dropped, one script logging an error
        int data = html.indexOf("base64,") + "base64,".length();
        String broken = html.substring(0, data) + "AAAA" + html.substring(html.indexOf('"', data))
                .replace("<section id=\"energy\">", "<section>")
                .replace("</body>", "<script>console.error('boom')</script></body>");
        Path page = dir.resolve("broken.html");
        Files.writeString(page, broken);
        HeadlessChromium.Rendered r = HeadlessChromium.render(page, dir);
        assertThat(r.dom()).contains("data-broken-images=\"1\"").doesNotContain("id=\"energy\"");
        assertThat(r.console()).anyMatch(l -> l.contains("boom"));
    }

    /** The page loads in Chromium with every image decoded, every section present and nothing on the console. */
    public static void assertRendersCleanly(Path html, Path work) throws Exception {
        String source = Files.readString(html);
        HeadlessChromium.Rendered r = HeadlessChromium.render(html, work);
        assertThat(r.console()).as("console messages").isEmpty();
        int images = count(source, "<img ");
        assertThat(images).isPositive();
        assertThat(r.dom()).as("the check script ran").contains("data-images=\"" + images + "\"");
        assertThat(r.dom()).as("broken images").contains("data-broken-images=\"0\"").doesNotContain("data-broken=\"1\"");
        for (String s : HtmlReport.SECTIONS) {
            assertThat(r.dom()).as("section " + s).contains("<section id=\"" + s + "\">");
        }
    }
}
