package dev.agentkernel.core.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.core.audit.AuditEvent;
import dev.agentkernel.core.audit.AuditEventType;
import dev.agentkernel.core.audit.AuditLog;
import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.NotFoundException;
import dev.agentkernel.model.SandboxFailureException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manager: set, list, get, remove, value; audit events and messages without values; key file trouble. */
class SecretManagerTest {

    private static final String VALUE = "sk-very-secret-0123456789";

    @TempDir
    Path dir;
    private final MemorySecretStore store = new MemorySecretStore();
    private final List<AuditEvent> events = new CopyOnWriteArrayList<>();
    private final AuditLog audit = new AuditLog() {
        @Override
        public void append(AuditEvent event) {
            events.add(event);
        }

        @Override
        public List<AuditEvent> forSandbox(String sandbox, int limit) {
            return List.of();
        }

        @Override
        public List<AuditEvent> recent(int limit) {
            return List.copyOf(events);
        }
    };

    private SecretManager manager() {
        return new SecretManager(store, audit, dir.resolve(SecretKeyFile.NAME));
    }

    @Test
    void setListGetValueReplaceAndRemove() {
        SecretManager secrets = manager();
        assertThat(Files.exists(dir.resolve(SecretKeyFile.NAME))).as("no key before the first secret").isFalse();
        SecretInfo created = secrets.set("API_KEY", VALUE);
        assertThat(Files.exists(dir.resolve(SecretKeyFile.NAME))).isTrue();
        assertThat(created.createdAt()).isEqualTo(created.updatedAt());
        assertThat(secrets.list()).containsExactly(created);
        assertThat(secrets.get("API_KEY")).isEqualTo(created);
        assertThat(secrets.value("API_KEY")).isEqualTo(VALUE);

        SecretInfo replaced = secrets.set("API_KEY", VALUE + "-2");
        assertThat(replaced.createdAt()).isEqualTo(created.createdAt());
        assertThat(secrets.value("API_KEY")).isEqualTo(VALUE + "-2");
        assertThat(manager().value("API_KEY")).as("a new manager on the same key file").isEqualTo(VALUE + "-2");

        secrets.remove("API_KEY");
        assertThat(secrets.list()).isEmpty();
        assertThatThrownBy(() -> secrets.remove("API_KEY")).isInstanceOf(NotFoundException.class)
                .hasMessage("Secret 'API_KEY' not found");
        assertThatThrownBy(() -> secrets.get("API_KEY")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> secrets.value("API_KEY")).isInstanceOf(NotFoundException.class);

        assertThat(events).extracting(AuditEvent::type).containsExactly(AuditEventType.SECRET_SET,
                AuditEventType.SECRET_SET, AuditEventType.SECRET_REMOVED);
        assertThat(events.get(0).details()).containsEntry("secret", "API_KEY").containsEntry("created", true);
        assertThat(events.get(1).details()).containsEntry("created", false);
        assertThat(events.toString()).doesNotContain(VALUE);
        assertThat(store.records.toString()).doesNotContain(VALUE);
    }

    @Test
    void namesAndValuesAreChecked() {
        SecretManager secrets = manager();
        for (String bad : List.of("", "1ABC", "A-B", "A B", "Ä", "A=B", "x".repeat(129))) {
            assertThatThrownBy(() -> secrets.set(bad, "v")).as(bad).isInstanceOf(InvalidRequestException.class);
        }
        assertThat(secrets.set("_a1", "v").name()).isEqualTo("_a1");
        assertThat(secrets.set("x".repeat(128), "v").name()).hasSize(128);
        assertThatThrownBy(() -> secrets.set("EMPTY", "")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("empty");
        String big = "\u00e9".repeat(32 * 1024) + "z"; // 65537 bytes of UTF-8
        assertThatThrownBy(() -> secrets.set("BIG", big)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("the value of secret 'BIG' is 65537 bytes; at most 65536 are allowed");
        assertThat(secrets.set("MAX", "y".repeat(65536)).name()).isEqualTo("MAX");
    }

    @Test
    void anotherKeyFileGivesAClearErrorWithoutTheValue() throws Exception {
        manager().set("API_KEY", VALUE);
        Path key = dir.resolve(SecretKeyFile.NAME);
        Files.delete(key);
        SecretKeyFile.readOrCreate(key); // a new, different key
        SecretManager secrets = manager();
        assertThat(secrets.list()).extracting(SecretInfo::name).containsExactly("API_KEY");
        assertThatThrownBy(() -> secrets.value("API_KEY")).isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining("cannot be decrypted with the secrets key file " + key)
                .hasMessageNotContaining(VALUE);
    }

    @Test
    void aMissingKeyFileWithStoredSecretsRefusesNewOnesUntilTheyAreRemoved() throws Exception {
        manager().set("OLD", VALUE);
        Files.delete(dir.resolve(SecretKeyFile.NAME));
        SecretManager secrets = manager();
        assertThatThrownBy(() -> secrets.value("OLD")).isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining("is missing");
        assertThatThrownBy(() -> secrets.set("NEW", "v")).isInstanceOf(ConflictException.class)
                .hasMessageContaining("1 secret(s) encrypted with it are stored");
        secrets.remove("OLD");
        secrets.set("NEW", "v");
        assertThat(secrets.value("NEW")).isEqualTo("v");
    }

    @Test
    void aLooseKeyFileStopsTheManagerFromStarting() throws Exception {
        manager().set("API_KEY", VALUE);
        Path key = dir.resolve(SecretKeyFile.NAME);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(this::manager).isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining(key.toString()).hasMessageContaining("chmod 600");
    }
}
