package dev.agentkernel.image.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Credentials from a Docker config.json: auths entries and credential helpers run as the Docker CLI runs them. */
class DockerCredentialsTest {

    @TempDir
    Path tmp;

    private Path helper;

    @AfterEach
    void removeHelper() throws Exception {
        if (helper != null) {
            Files.deleteIfExists(helper);
        }
    }

    /** Installs {@code docker-credential-NAME} (a shell script) in a writable directory of PATH; returns NAME. */
    private String installHelper(String script) throws Exception {
        Optional<Path> dir = Arrays.stream(System.getenv("PATH").split(":")).map(Path::of)
                .filter(d -> d.isAbsolute() && Files.isDirectory(d) && Files.isWritable(d)).findFirst();
        assumeTrue(dir.isPresent(), "no writable directory on PATH for a credential helper (run as root, as CI does)");
        String name = "aktest" + UUID.randomUUID().toString().substring(0, 8);
        helper = dir.get().resolve("docker-credential-" + name);
        Files.writeString(helper, "#!/bin/sh\n" + script);
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));
        return name;
    }

    private DockerCredentials config(String json) throws Exception {
        return new DockerCredentials(Files.writeString(tmp.resolve("config.json"), json));
    }

    @Test
    void anAuthsEntryGivesUserAndPassword() throws Exception {
        String auth = Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));

        assertThat(config("{\"auths\": {\"localhost:5000\": {\"auth\": \"" + auth + "\"}}}").lookup("localhost:5000"))
                .contains(new Credentials("alice", "s3cret"));
    }

    @Test
    void aCredentialHelperIsAskedWithTheServerOnItsInput() throws Exception {
        String name = installHelper("""
                read server
                [ "$1" = get ] && [ "$server" = "localhost:5000" ] || { echo "bad call: $1 $server" >&2; exit 2; }
                echo '{"ServerURL": "localhost:5000", "Username": "bob", "Secret": "from-helper"}'
                """);

        assertThat(config("{\"credHelpers\": {\"localhost:5000\": \"" + name + "\"}}").lookup("localhost:5000"))
                .contains(new Credentials("bob", "from-helper"));
    }

    @Test
    void aHelperWithoutCredentialsForTheServerGivesNone() throws Exception {
        String name = installHelper("echo 'credentials not found in native keychain'; exit 1\n");

        assertThat(config("{\"credsStore\": \"" + name + "\"}").lookup("localhost:5000")).isEmpty();
    }

    @Test
    @Timeout(20)
    void aFailingHelperThatWritesMuchToStderrIsReportedNotWaitedFor() throws Exception {
        // both streams are read at once: with one reader at a time, 200 KB on stderr filled its pipe and the helper
        // never ended (30 s, then "did not answer")
        String name = installHelper("head -c 200000 /dev/zero | tr '\\\\0' x >&2; exit 3\n");

        assertThatThrownBy(() -> config("{\"credHelpers\": {\"localhost:5000\": \"" + name + "\"}}")
                .lookup("localhost:5000"))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("failed (exit 3)");
    }
}
