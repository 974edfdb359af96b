package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's own key file: created once, owner-only, kept across starts. */
class ApiKeyFileTest {

    @TempDir
    Path dir;

    @Test
    void theFirstStartCreatesAnOwnerOnlyRandomKeyThatLaterStartsKeep() throws Exception {
        Path state = dir.resolve("state");
        String key = ApiKeyFile.loadOrCreate(state);

        assertThat(key).matches("[A-Za-z0-9_-]{43}"); // 32 bytes, URL-safe base64 without padding
        Path file = state.resolve("api-key");
        assertThat(Files.readString(file)).isEqualTo(key + "\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(ApiKeyFile.loadOrCreate(state)).isEqualTo(key);
        assertThat(ApiKeyFile.loadOrCreate(dir.resolve("other"))).isNotEqualTo(key);
        try (var left = Files.list(state)) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).containsExactly("api-key");
        }
    }

    @Test
    void anExistingKeyIsKeptAndMadeOwnerOnly() throws Exception {
        Path file = dir.resolve("api-key");
        Files.writeString(file, "my-own-key\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(ApiKeyFile.loadOrCreate(dir)).isEqualTo("my-own-key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void anEmptyFileGetsANewKey() throws Exception {
        Files.writeString(dir.resolve("api-key"), "\n");
        assertThat(ApiKeyFile.loadOrCreate(dir)).hasSize(43);
    }
}
