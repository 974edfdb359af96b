package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.cli.Launcher.Outcome;
import dev.agentkernel.image.TestImages;
import dev.agentkernel.testing.SandboxHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image commands ({@code pull}, {@code images}, {@code rmi}, {@code image prune},
 * {@code image import}) through the real launcher, against a real registry on loopback (Debian's
 * docker-registry) holding images built and pushed by umoci and skopeo ({@link TestImages}).
 */
class CliImagesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    static TestImages images;

    @TempDir
    Path dir;

    @BeforeAll
    static void images() throws Exception {
        SandboxHost.require(Files.isExecutable(Launcher.SCRIPT), "launcher not found at " + Launcher.SCRIPT);
        images = TestImages.get();
    }

    private static Outcome run(Launcher cli, Path cwd, String... args) {
        // No stdin: the launcher's output is a pipe, as in a script (one line per layer).
        return cli.run(cwd, null, Map.of(), Launcher.DEFAULT_LIMIT, List.of(args));
    }

    @Test
    void pullListRemovePrune() throws Exception {
        Launcher cli = new Launcher(dir);
        String derived = images.ref(images.plain, "test/derived:1");

        Outcome pull = run(cli, dir, "pull", derived);
        assertThat(pull.exitCode()).as(pull.describe()).isZero();
        List<String> layerLines = pull.stdout().lines().filter(l -> l.matches("[0-9a-f]{12}  .* pulled")).toList();
        assertThat(layerLines).as(pull.describe()).hasSize(4);
        assertThat(layerLines).allSatisfy(l -> assertThat(l).matches("[0-9a-f]{12}  [0-9.]+ (B|kB|MB)  pulled"));
        assertThat(pull.stdout()).contains("Pulled " + derived + " (sha256:").contains("4 layers");

        // Again: nothing to fetch with the default policy; with 'always' the layers are found stored.
        Outcome again = run(cli, dir, "pull", "--policy", "always", derived);
        assertThat(again.exitCode()).as(again.describe()).isZero();
        assertThat(again.stdout().lines().filter(l -> l.endsWith("  already stored"))).hasSize(4);

        Outcome base = run(cli, dir, "pull", images.ref(images.plain, "test/base:1"));
        assertThat(base.exitCode()).as(base.describe()).isZero();

        Outcome table = run(cli, dir, "images");
        assertThat(table.exitCode()).as(table.describe()).isZero();
        List<String> lines = table.stdout().lines().toList();
        assertThat(lines.getFirst()).matches("REFERENCE +DIGEST +SIZE +CREATED");
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).startsWith(images.ref(images.plain, "test/base:1") + " ")
                .matches(".* [0-9a-f]{12}  +[0-9.]+ (kB|MB)  +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");
        assertThat(lines.get(2)).startsWith(derived + " ");

        Outcome json = run(cli, dir, "images", "--json");
        assertThat(json.exitCode()).as(json.describe()).isZero();
        JsonNode array = JSON.readTree(json.stdout());
        assertThat(array.size()).isEqualTo(2);
        assertThat(array.get(1).path("reference").asText()).isEqualTo(derived);
        assertThat(array.get(1).path("digest").asText()).matches("sha256:[0-9a-f]{64}");
        assertThat(array.get(1).path("size").asLong()).isPositive();
        assertThat(array.get(1).path("layers").asInt()).isEqualTo(4);
        assertThat(array.get(1).path("created_at").asText()).endsWith("Z");

        Outcome rmi = run(cli, dir, "rmi", derived);
        assertThat(rmi.exitCode()).as(rmi.describe()).isZero();
        assertThat(rmi.stdout()).contains("Removed " + derived);
        assertThat(run(cli, dir, "images", "--json").stdout()).doesNotContain("test/derived");

        // derived's own layer is no longer used: prune removes it (and derived's manifest and config).
        Outcome prune = run(cli, dir, "image", "prune");
        assertThat(prune.exitCode()).as(prune.describe()).isZero();
        assertThat(prune.stdout()).matches("(?s)Removed [1-9]\\d* blobs and 1 layer, freed [0-9.]+ (B|kB|MB)\\s*");
        Outcome pruneAgain = run(cli, dir, "image", "prune");
        assertThat(pruneAgain.stdout()).startsWith("Removed 0 blobs and 0 layers, freed 0 B");

        Outcome gone = run(cli, dir, "rmi", derived);
        assertThat(gone.exitCode()).as(gone.describe()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(gone.stderr()).contains(derived).contains("agentkernel images").doesNotContain("Exception")
                .doesNotContain("\tat ");
    }

    @Test
    void importDockerSaveTarball() throws Exception {
        Launcher cli = new Launcher(dir);
        Outcome imported = run(cli, dir, "image", "import", images.dockerArchive.toString());
        assertThat(imported.exitCode()).as(imported.describe()).isZero();
        assertThat(imported.stdout()).contains("Imported docker.io/test/imported:1 (sha256:");
        Outcome table = run(cli, dir, "images");
        assertThat(table.stdout()).contains("docker.io/test/imported:1 ");

        Outcome layout = run(cli, dir, "image", "import", images.ociArchive.toString(), "--name", "localhost/oci");
        assertThat(layout.exitCode()).as(layout.describe()).isZero();
        assertThat(layout.stdout()).contains("Imported localhost/oci:base (sha256:");

        Outcome missing = run(cli, dir, "image", "import", dir.resolve("nothing.tar").toString());
        assertThat(missing.exitCode()).as(missing.describe()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(missing.stderr()).contains("nothing.tar").doesNotContain("\tat ");
    }

    @Test
    void badInput() throws Exception {
        Launcher cli = new Launcher(dir);
        Outcome bad = run(cli, dir, "pull", "Bad Name:!");
        assertThat(bad.exitCode()).as(bad.describe()).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.stderr()).startsWith("agentkernel: error: ").contains("Bad Name:!").doesNotContain("\tat ");

        Outcome badRmi = run(cli, dir, "rmi", "tool@sha256:abc");
        assertThat(badRmi.exitCode()).as(badRmi.describe()).isEqualTo(ExitCodes.USAGE);
        assertThat(badRmi.stderr()).contains("tool@sha256:abc").contains("digest");

        String unknown = images.ref(images.plain, "test/nosuch:1");
        Outcome notThere = run(cli, dir, "pull", unknown);
        assertThat(notThere.exitCode()).as(notThere.describe()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(notThere.stderr()).contains(unknown).contains("agentkernel image import").doesNotContain("\tat ");

        Outcome policy = run(cli, dir, "pull", "--policy", "sometimes", unknown);
        assertThat(policy.exitCode()).as(policy.describe()).isEqualTo(ExitCodes.USAGE);
        assertThat(policy.stderr()).contains("sometimes");

        Outcome noArg = run(cli, dir, "pull");
        assertThat(noArg.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(noArg.stderr()).contains("needs IMAGE");

        Outcome action = run(cli, dir, "image", "frobnicate");
        assertThat(action.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(action.stderr()).contains("frobnicate").contains("prune");

        Outcome empty = run(cli, dir, "images");
        assertThat(empty.exitCode()).isZero();
        assertThat(empty.stdout()).isEmpty();
        assertThat(empty.stderr()).contains("agentkernel pull");
    }
}
