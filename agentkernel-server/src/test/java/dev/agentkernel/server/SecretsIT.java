package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.core.secret.SecretKeyFile;
import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Secrets over HTTP against a real daemon: set, list, get, replace and remove; the value never in
 * an answer, an error, the audit log, the daemon's log or the database's bytes; a restarted daemon
 * reads them with the same key file; a key file others may read, or of the wrong size, stops the
 * daemon with the reason; another key gives a clear error and no value.
 */
class SecretsIT extends ServerTestBase {

    private static final String VALUE = "sk-it-" + Long.toHexString(System.nanoTime()) + ":with=colon";
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(r.getMessage() + " " + (r.getThrown() == null ? "" : r.getThrown()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLogs() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger("").removeHandler(capture);
        assertThat(String.join("\n", logged)).as("the daemon's log").doesNotContain(VALUE);
    }

    private static ServerFixture.Response put(String name, String body) {
        return fx.send(fx.request("/secrets/" + name).PUT(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build());
    }

    private static ServerFixture.Response delete(String name) {
        return fx.send(fx.request("/secrets/" + name).DELETE().build());
    }

    private static String body(String value) {
        return "{\"value\": \"" + value + "\"}";
    }

    @Test
    void setListGetReplaceAndRemoveNeverShowTheValue() throws IOException {
        ServerFixture.Response set = put("IT_API_KEY", body(VALUE));
        assertThat(set.status()).as("%s", set).isEqualTo(200);
        JsonNode created = set.data();
        assertThat(created.path("name").asText()).isEqualTo("IT_API_KEY");
        assertThat(created.path("created_at").asText()).isEqualTo(created.path("updated_at").asText());
        assertThat(Files.exists(fx.stateDir().resolve(SecretKeyFile.NAME))).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fx.stateDir().resolve(SecretKeyFile.NAME))))
                .isEqualTo("rw-------");

        ServerFixture.Response list = fx.get("/secrets");
        assertThat(list.data().path("secrets")).hasSize(1);
        assertThat(list.data().path("secrets").get(0)).isEqualTo(created);
        ServerFixture.Response one = fx.get("/secrets/IT_API_KEY");
        assertThat(one.data()).isEqualTo(created);
        assertThat(fx.daemon.secrets().value("IT_API_KEY")).isEqualTo(VALUE);

        ServerFixture.Response replaced = put("IT_API_KEY", body(VALUE + "2"));
        assertThat(replaced.data().path("created_at")).isEqualTo(created.path("created_at"));
        assertThat(fx.daemon.secrets().value("IT_API_KEY")).isEqualTo(VALUE + "2");

        for (ServerFixture.Response r : List.of(set, list, one, replaced, fx.get("/audit"))) {
            assertThat(r.body()).doesNotContain(VALUE);
        }
        JsonNode audit = fx.get("/audit").data();
        assertThat(audit.toString()).contains("secret_set").contains("IT_API_KEY");
        assertRawStateHoldsNoValue();

        ServerFixture.Response removed = delete("IT_API_KEY");
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.data().path("name").asText()).isEqualTo("IT_API_KEY");
        assertErrorEnvelope(fx.get("/secrets/IT_API_KEY"), 404);
        assertErrorEnvelope(delete("IT_API_KEY"), 404);
        assertThat(fx.get("/audit").data().toString()).contains("secret_removed");
    }

    @Test
    void badRequestsAreRefusedWithoutQuotingTheValue() {
        for (String body : List.of("{\"value\": \"\"}", "{}", "{\"value\": 7}", "[]", "{\"value\": " + VALUE + "}",
                "{\"value\": \"" + VALUE, "not json " + VALUE)) {
            ServerFixture.Response r = put("IT_BAD", body);
            assertThat(assertErrorEnvelope(r, 400).path("code").asText()).as(body).isEqualTo("invalid_request");
            assertThat(r.body()).as(body).doesNotContain(VALUE).doesNotContain("sk-it-");
        }
        assertThat(assertErrorEnvelope(put("1_BAD", body(VALUE)), 400).path("error").asText())
                .contains("invalid secret name").doesNotContain(VALUE);
        assertErrorEnvelope(put("IT_BIG", body("x".repeat(64 * 1024 + 1))), 400);
        assertThat(fx.get("/secrets").data().path("secrets")).isEmpty();
    }

    @Test
    void aRestartedDaemonReadsThemWithTheSameKeyAndABadKeyFileIsAClearError() throws IOException {
        assertThat(put("IT_KEPT", body(VALUE)).status()).isEqualTo(200);
        Path state = fx.stateDir();
        Path key = state.resolve(SecretKeyFile.NAME);
        byte[] original = Files.readAllBytes(key);

        restart();
        assertThat(fx.get("/secrets/IT_KEPT").data().path("name").asText()).isEqualTo("IT_KEPT");
        assertThat(fx.daemon.secrets().value("IT_KEPT")).isEqualTo(VALUE);

        // a key file others may read: the daemon does not start, and says why and what to do
        fx.closeKeepingState();
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> ServerFixture.startIn(fx.dir, MAX_CONCURRENT, List.of(KEY), 0, c -> c))
                .isInstanceOf(SandboxFailureException.class).hasMessageContaining(key.toString())
                .hasMessageContaining("rw-r--r--").hasMessageContaining("chmod 600");
        // one of another size (damaged)
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Files.write(key, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> ServerFixture.startIn(fx.dir, MAX_CONCURRENT, List.of(KEY), 0, c -> c))
                .isInstanceOf(SandboxFailureException.class).hasMessageContaining("is 3 bytes long, not 32");
        // another key: the daemon starts, lists the secret, and cannot decrypt it (without showing anything of it)
        byte[] other = original.clone();
        other[0] ^= 1;
        Files.write(key, other);
        fx = ServerFixture.startIn(fx.dir, MAX_CONCURRENT, List.of(KEY), 0, c -> c);
        assertThat(fx.get("/secrets/IT_KEPT").status()).isEqualTo(200);
        assertThatThrownBy(() -> fx.daemon.secrets().value("IT_KEPT")).isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining("cannot be decrypted with the secrets key file " + key)
                .hasMessageNotContaining(VALUE);
        // the original key again: readable again
        fx.closeKeepingState();
        Files.write(key, original);
        fx = ServerFixture.startIn(fx.dir, MAX_CONCURRENT, List.of(KEY), 0, c -> c);
        assertThat(fx.daemon.secrets().value("IT_KEPT")).isEqualTo(VALUE);
        assertThat(delete("IT_KEPT").status()).isEqualTo(200);
        assertRawStateHoldsNoValue();
    }

    private static void restart() throws IOException {
        fx.closeKeepingState();
        fx = ServerFixture.startIn(fx.dir, MAX_CONCURRENT, List.of(KEY), 0, c -> c);
    }

    /** No file of the state directory (the database, its journal, the key) holds the value's bytes. */
    private static void assertRawStateHoldsNoValue() throws IOException {
        byte[] needle = VALUE.substring(0, 12).getBytes(StandardCharsets.UTF_8);
        try (var files = Files.walk(fx.stateDir())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (Files.size(f) > 64L * 1024 * 1024) {
                    continue;
                }
                String raw = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertThat(raw).as("raw bytes of %s", f).doesNotContain(new String(needle, StandardCharsets.ISO_8859_1));
            }
        }
        assertThat(Files.exists(fx.stateDir().resolve("agentkernel.db"))).isTrue();
    }
}
