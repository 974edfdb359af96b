package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.cli.Launcher.Outcome;
import dev.agentkernel.image.TestImages;
import dev.agentkernel.testing.SandboxHost;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agentkernel run --image} as a user runs it, through the real launcher: {@code pull} from a
 * registry on loopback (Debian's docker-registry, images built by umoci and pushed by skopeo:
 * {@link TestImages}), then {@code run} on the image, with no daemon. The sandbox sees the image's
 * files, not the host's; with no command it runs the image's {@code Cmd}; the restrictive profile's
 * root is read-only; an image no registry has is a clear error, never the host's {@code /usr} in
 * its place.
 */
class CliImageRunIT {

    static TestImages images;

    @TempDir
    Path dir;

    @BeforeAll
    static void images() throws Exception {
        SandboxHost.require(Files.isExecutable(Launcher.SCRIPT), "launcher not found at " + Launcher.SCRIPT);
        images = TestImages.get();
    }

    private static Outcome run(Launcher cli, Path cwd, byte[] stdin, String... args) {
        Outcome o = cli.run(cwd, stdin, Map.of(), Launcher.DEFAULT_LIMIT, List.of(args));
        cli.assertNothingLeftBehind(o);
        return o;
    }

    @Test
    void pullThenRunPrintsTheImagesOwnFiles() throws Exception {
        Launcher cli = new Launcher(dir);
        String base = images.ref(images.plain, "test/base:1");
        Outcome pull = run(cli, dir, null, "pull", base);
        assertThat(pull.exitCode()).as(pull.describe()).isZero();

        Outcome o = run(cli, dir, null, "run", "--image", base, "--", "sh", "-c",
                "cat /etc/os-release; echo $IMAGE_NAME; pwd; id -u; ls /opt/old");
        assertThat(o.exitCode()).as(o.describe()).isZero();
        assertThat(o.stdout().lines().toList()).as(o.describe()).containsExactly(
                "NAME=\"AgentKernel test busybox\"", "ID=akbusybox", "base", "/home/user", "1000", "new.txt");
        assertThat(o.stderr()).as(o.describe()).doesNotContain("in its place");
    }

    @Test
    void withNoCommandTheImagesCmdRunsAndARootCommandWritesItsOwnLayer() throws Exception {
        Launcher cli = new Launcher(dir);
        String derived = images.ref(images.plain, "test/derived:1");
        // not pulled first: run pulls what is missing
        Outcome cmd = run(cli, dir, "cat /app/hello.txt\n".getBytes(StandardCharsets.UTF_8), "run", "--image", derived);
        assertThat(cmd.exitCode()).as(cmd.describe()).isZero();
        assertThat(cmd.stdout()).as(cmd.describe()).isEqualTo("hello from derived\n");
        assertThat(cmd.stderr()).as(cmd.describe()).contains("agentkernel: pulling " + derived + " (4 layers)",
                "agentkernel: pulled " + derived + " (sha256:");

        Outcome write = run(cli, dir, null, "run", "--image", derived, "--sudo", "--", "sh", "-c",
                "echo changed > /app/hello.txt && cat /app/hello.txt");
        assertThat(write.stdout()).as(write.describe()).isEqualTo("changed\n");
        Outcome again = run(cli, dir, null, "run", "--image", derived, "--", "cat", "/app/hello.txt");
        assertThat(again.stdout()).as(again.describe()).isEqualTo("hello from derived\n");
        assertThat(again.stderr()).as("stored: nothing to pull").doesNotContain("pulling");

        Outcome restrictive = run(cli, dir, null, "run", "--image", derived, "--profile", "restrictive", "--sudo",
                "--", "sh", "-c", "echo x > /app/hello.txt");
        assertThat(restrictive.exitCode()).as(restrictive.describe()).isNotZero();
        assertThat(restrictive.stderr()).as(restrictive.describe()).containsIgnoringCase("read-only");
    }

    @Test
    void aDebianImageRunsItsOwnGlibcAndSoftwareNotTheHosts() throws Exception {
        Launcher cli = new Launcher(dir);
        String debian = images.debian();
        Outcome o = run(cli, dir, null, "run", "--image", debian, "--", "sh", "-c",
                ". /etc/os-release; echo $VERSION_CODENAME; dpkg-query -W -f='${Version}\\n' bash libc6; id -un");
        assertThat(o.exitCode()).as(o.describe()).isZero();
        List<String> lines = o.stdout().lines().toList();
        assertThat(lines).as(o.describe()).hasSize(4);
        assertThat(lines.getFirst()).isEqualTo("trixie");
        assertThat(lines.get(1)).as("bash of the image, not the host's").isNotEqualTo(hostVersion("bash"));
        assertThat(lines.get(2)).as("glibc of the image, not the host's").isNotEqualTo(hostVersion("libc6"));
        assertThat(lines.get(3)).as("the sandbox user added to the image's passwd").isEqualTo("sandbox");
    }

    private static String hostVersion(String pkg) throws Exception {
        Process p = new ProcessBuilder("dpkg-query", "-W", "-f=${Version}", pkg).redirectErrorStream(true).start();
        String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).as("dpkg-query on the host: %s", version).isZero();
        return version;
    }

    @Test
    void pullNeverRunsOnlyAStoredImage() throws Exception {
        Launcher cli = new Launcher(dir);
        String v2s2 = images.ref(images.plain, "test/v2s2:1");
        Outcome never = run(cli, dir, null, "run", "--pull", "never", "--image", v2s2, "--", "true");
        assertThat(never.exitCode()).as(never.describe()).isNotZero();
        assertThat(never.stderr()).as(never.describe()).contains(v2s2, "'never'");
        Outcome always = run(cli, dir, null, "run", "--pull", "always", "--image", v2s2, "--", "cat", "/etc/os-release");
        assertThat(always.stdout()).as(always.describe()).contains("ID=akbusybox\n");
        Outcome stored = run(cli, dir, null, "run", "--pull", "never", "--image", v2s2, "--", "true");
        assertThat(stored.exitCode()).as(stored.describe()).isZero();
        Outcome bad = run(cli, dir, null, "run", "--pull", "sometimes", "--image", v2s2, "--", "true");
        assertThat(bad.exitCode()).as(bad.describe()).isEqualTo(2);
        assertThat(bad.stderr()).as(bad.describe()).contains("pull must be missing, always or never");
    }

    @Test
    void aMirrorConfiguredInRegistriesTomlServesARegistryThisHostCannotReach() throws Exception {
        Launcher cli = new Launcher(dir);
        Files.createDirectories(cli.stateDir);
        Files.writeString(cli.stateDir.resolve("registries.toml"), """
                [registries."registry.invalid"]
                mirrors = ["http://%s"]
                """.formatted(images.plain.host()));
        Outcome o = run(cli, dir, null, "run", "--image", "registry.invalid/test/base:1", "--", "cat", "/etc/os-release");
        assertThat(o.exitCode()).as(o.describe()).isZero();
        assertThat(o.stdout()).as(o.describe()).contains("ID=akbusybox");

        Files.writeString(cli.stateDir.resolve("registries.toml"), "[registries.\"registry.invalid\"]\nmirror = 1\n");
        Outcome bad = run(cli, dir, null, "run", "--image", "registry.invalid/test/base:1", "--", "true");
        assertThat(bad.exitCode()).as(bad.describe()).isEqualTo(2);
        assertThat(bad.stderr()).as(bad.describe()).contains("registries.toml", "mirror");
    }

    @Test
    void anImageTheRegistryDoesNotHaveIsAClearError() throws Exception {
        Launcher cli = new Launcher(dir);
        String missing = images.ref(images.plain, "test/missing:1");
        Outcome o = run(cli, dir, null, "run", "--image", missing, "--", "echo", "ran");
        assertThat(o.exitCode()).as(o.describe()).isNotZero();
        assertThat(o.stdout()).as(o.describe()).isEmpty();
        assertThat(o.stderr()).as(o.describe()).contains(missing, "agentkernel image import", "--image host")
                .doesNotContain("Exception", "\tat ");
    }
}
