package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.backend.bwrap.Sandboxes.Result;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each profile mounts and allows: permissive, moderate, restrictive. */
class ProfilesIT extends SandboxTestBase {

    @TempDir
    Path project;

    @Test
    void permissiveMountsTheProjectReadWriteAtWorkspace() throws IOException {
        Files.writeString(project.resolve("input.txt"), "from the host\n");
        SandboxSpec spec = sandboxes.spec(SandboxRequest.defaults().withProfile(Profile.PERMISSIVE).withNetwork(false)
                .withProjectDir(project));
        Result r = sandboxes.run(spec, "sh", "-c",
                "pwd; cat input.txt; echo 'from the sandbox' > /workspace/output.txt; mkdir -p sub && echo x > sub/y");
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.out()).isEqualTo("/workspace\nfrom the host\n");
        assertThat(project.resolve("output.txt")).as("file written in the sandbox, seen on the host")
                .hasContent("from the sandbox");
        assertThat(project.resolve("sub/y")).hasContent("x");
    }

    @Test
    void symlinksInTheProjectDoNotReachHostFiles() throws IOException {
        assertThat(Path.of("/etc/shadow")).as("host precondition").exists();
        assertThat(Path.of("/var/lib")).as("host precondition").isDirectory();
        Files.createSymbolicLink(project.resolve("shadow"), Path.of("/etc/shadow"));
        Files.createSymbolicLink(project.resolve("hostroot"), Path.of("/"));
        SandboxSpec spec = sandboxes.spec(SandboxRequest.defaults().withProfile(Profile.PERMISSIVE).withNetwork(false)
                .withProjectDir(project));
        Result r = sandboxes.run(spec, "sh", "-c",
                "cat /workspace/shadow; ls /workspace/hostroot/; test -e /workspace/hostroot/var/lib && echo VARLIB");
        assertThat(r.out()).as(r.describe()).doesNotContain("root:").doesNotContain("VARLIB");
        assertThat(r.err()).as(r.describe()).contains("No such file");
    }

    @Test
    void sandboxCannotPlantSetuidRootFilesInTheProject() throws IOException {
        SandboxSpec spec = sandboxes.spec(SandboxRequest.defaults().withProfile(Profile.PERMISSIVE).withNetwork(false)
                .withProjectDir(project));
        Result r = sandboxes.run(spec, "sh", "-c", "cp /usr/bin/id /workspace/planted; chmod 4755 /workspace/planted; "
                + "chmod g+s /workspace/planted; python3 -c \"import os; os.close(os.open('/workspace/created', "
                + "os.O_CREAT | os.O_WRONLY, 0o6755))\"; mknod /workspace/node p; ls -l /workspace");
        assertThat(project.resolve("planted")).as(r.describe()).exists();
        for (String name : new String[] {"planted", "created"}) {
            Path planted = project.resolve(name);
            if (Files.exists(planted)) {
                int mode = (Integer) Files.getAttribute(planted, "unix:mode");
                assertThat(mode & 06000).as("host sees a set-id file %s written by the sandbox\n%s", name, r.describe())
                        .isZero();
            }
        }
    }

    @Test
    void permissiveMountsTheHomeReadOnly() throws IOException {
        Path home = Path.of(System.getProperty("user.home"));
        String secret = "ak-it-home-" + UUID.randomUUID();
        Path planted = Files.createTempFile(home, "ak-it-planted-", ".txt");
        Path attempted = home.resolve("ak-it-written-" + UUID.randomUUID());
        try {
            Files.writeString(planted, secret);
            SandboxSpec spec = sandboxes.spec(SandboxRequest.defaults().withProfile(Profile.PERMISSIVE)
                    .withNetwork(false).withProjectDir(project));
            Result r = sandboxes.run(spec, "sh", "-c",
                    "cat \"$1\"; echo; echo changed >> \"$1\" && echo APPENDED; touch \"$2\" && echo CREATED",
                    "sh", planted.toString(), attempted.toString());
            assertThat(r.out()).as(r.describe()).startsWith(secret).doesNotContain("APPENDED").doesNotContain("CREATED");
            assertThat(r.err()).as(r.describe()).contains("Read-only file system");
            assertThat(planted).hasContent(secret);
            assertThat(attempted).doesNotExist();
        } finally {
            Files.deleteIfExists(planted);
            Files.deleteIfExists(attempted);
        }
    }

    @Test
    void moderateWorkspaceIsPrivateAndNotTheProject() throws IOException {
        Files.writeString(project.resolve("input.txt"), "host file");
        SandboxSpec spec = sandboxes.spec(SandboxRequest.defaults().withProfile(Profile.MODERATE).withNetwork(false)
                .withProjectDir(project));
        // as sandbox root, so that only the mount (not a missing permission) can keep /usr unchanged on the host
        Result r = sandboxes.run(spec, CommandSpec.of("sh", "-c",
                "pwd; ls -A /workspace; echo data > /workspace/output.txt && echo WRITTEN; touch /usr/ak-it-x && echo USR")
                .asRoot(true));
        assertThat(r.out()).as(r.describe()).isEqualTo("/workspace\nWRITTEN\n");
        assertThat(project.resolve("output.txt")).doesNotExist();
        assertThat(Path.of("/usr/ak-it-x")).doesNotExist();
    }

    @Test
    void restrictiveRootIsReadOnlyExceptTmp() {
        SandboxSpec spec = sandboxes.spec(Profile.RESTRICTIVE);
        assertThat(spec.readOnlyRoot()).isTrue();
        // as sandbox root: only the read-only mounts can refuse these writes
        Result r = sandboxes.run(spec, CommandSpec.of("sh", "-c",
                "touch /usr/ak-it-x && echo USR_WRITABLE; touch /workspace/x && echo WORKSPACE_WRITABLE; "
                        + "touch /etc/x && echo ETC_WRITABLE; mkdir /newdir && echo ROOT_WRITABLE; "
                        + "echo ok > /tmp/x && cat /tmp/x").asRoot(true));
        assertThat(r.out()).as(r.describe()).isEqualTo("ok\n");
        assertThat(r.err()).as(r.describe()).contains("Read-only file system");
        assertThat(Path.of("/usr/ak-it-x")).doesNotExist();
    }

    @Test
    void restrictiveTmpIsSmall() {
        SandboxSpec spec = sandboxes.spec(Profile.RESTRICTIVE);
        long tmpMb = spec.limits().tmpMb();
        Result r = sandboxes.run(spec, "sh", "-c",
                "head -c " + (tmpMb + 16) * 1024 * 1024 + " /dev/zero > /tmp/big; echo \"rc=$?\"; wc -c < /tmp/big");
        assertThat(r.err()).as(r.describe()).contains("No space left on device");
        long written = Long.parseLong(r.out().lines().reduce((a, b) -> b).orElseThrow().strip());
        assertThat(written).isLessThanOrEqualTo(tmpMb * 1024 * 1024);
    }
}
