package dev.agentkernel.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.core.sandbox.SandboxRecord;
import dev.agentkernel.core.sandbox.SandboxState;
import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxFailureException;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteSandboxStoreTest {

    private static final Instant T0 = Instant.parse("2025-06-01T12:34:56.123456789Z");

    private final Database db = Database.inMemory();
    private final SqliteSandboxStore store = new SqliteSandboxStore(db);

    @AfterEach
    void close() {
        db.close();
    }

    private static SandboxRecord record(String name, Instant createdAt) {
        return new SandboxRecord(name, Optional.of("python:3.12-alpine"), Profile.MODERATE, 2.0, 1024, true,
                "bwrap", SandboxState.RUNNING, createdAt, Optional.empty(), java.util.OptionalLong.empty(),
                java.util.UUID.nameUUIDFromBytes((name + createdAt).getBytes()).toString(), Optional.empty());
    }

    @Test
    void findsByUuidAndKeepsTheExpiry() {
        SandboxRecord web = record("web", T0);
        store.insert(web);
        assertThat(store.findByUuid(web.uuid())).contains(web);
        assertThat(store.findByUuid("00000000-0000-4000-8000-000000000000")).isEmpty();
        Instant at = T0.plusSeconds(3600).plusNanos(5);
        assertThat(store.updateExpiry("web", Optional.of(at))).isTrue();
        assertThat(store.find("web")).contains(web.withExpiry(Optional.of(at)));
        assertThat(store.updateExpiry("web", Optional.empty())).isTrue();
        assertThat(store.find("web")).contains(web);
        assertThat(store.updateExpiry("nobody", Optional.of(at))).isFalse();
        SandboxRecord twin = new SandboxRecord("other", Optional.empty(), Profile.MODERATE, 1, 256, true, "bwrap",
                SandboxState.RUNNING, T0, Optional.empty(), java.util.OptionalLong.empty(), web.uuid(), Optional.empty());
        assertThatThrownBy(() -> store.insert(twin)).isInstanceOf(SandboxFailureException.class);
    }

    @Test
    void roundTripsEveryField() {
        SandboxRecord full = new SandboxRecord("web-1", Optional.of("node:22"), Profile.RESTRICTIVE, 1.5, 2048,
                false, "bwrap", SandboxState.STOPPED, T0, Optional.of(Path.of("/srv/projects/web é")), java.util.OptionalLong.of(256),
                "7d444840-9dc0-41b2-a8f4-2a4f5b0c7e11", Optional.of(T0.plusSeconds(7200)));
        SandboxRecord bare = new SandboxRecord("B_2", Optional.empty(), Profile.PERMISSIVE, 0.25, Long.MAX_VALUE,
                true, "firecracker", SandboxState.RUNNING, Instant.EPOCH);
        store.insert(full);
        store.insert(bare);

        assertThat(store.find("web-1")).contains(full);
        assertThat(store.find("B_2")).contains(bare);
        assertThat(store.list()).containsExactly(bare, full);
    }

    @Test
    void storesWireNamesAndPlainColumns() {
        store.insert(new SandboxRecord("s", Optional.empty(), Profile.MODERATE, 2, 512, true, "bwrap",
                SandboxState.RUNNING, Instant.parse("2025-01-02T03:04:05.6Z")));
        List<String> row = db.withConnection(c -> {
            try (ResultSet r = c.createStatement().executeQuery("SELECT image IS NULL, profile, typeof(vcpus), "
                    + "typeof(memory_mb), network, backend, state, created_at FROM sandboxes")) {
                r.next();
                List<String> values = new ArrayList<>();
                for (int i = 1; i <= 8; i++) {
                    values.add(r.getString(i));
                }
                return values;
            }
        });
        assertThat(row).containsExactly("1", "moderate", "real", "integer", "1", "bwrap", "running",
                "2025-01-02T03:04:05.600000000Z");
    }

    @Test
    void insertingAnExistingNameConflictsAndKeepsTheFirst() {
        SandboxRecord first = record("web", T0);
        store.insert(first);
        assertThatThrownBy(() -> store.insert(record("web", T0.plusSeconds(5)).withState(SandboxState.STOPPED)))
                .isInstanceOf(ConflictException.class)
                .hasMessage("sandbox 'web' already exists");
        assertThat(store.list()).containsExactly(first);
    }

    @Test
    void namesAreCaseSensitive() {
        store.insert(record("web", T0));
        store.insert(record("WEB", T0));
        assertThat(store.list()).extracting(SandboxRecord::name).containsExactly("WEB", "web");
    }

    @Test
    void onlyOneOfManyConcurrentInsertsOfOneNameWins() throws Exception {
        AtomicInteger conflicts = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> others = new ConcurrentLinkedQueue<>();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 16; i++) {
                int n = i;
                executor.submit(() -> {
                    try {
                        store.insert(record("same", T0.plusSeconds(n)));
                    } catch (ConflictException e) {
                        conflicts.incrementAndGet();
                    } catch (Throwable t) {
                        others.add(t);
                    }
                });
            }
        }
        assertThat(others).isEmpty();
        assertThat(conflicts).hasValue(15);
        assertThat(store.list()).hasSize(1);
    }

    @Test
    void updateStateSaysWhetherThereWasSuchASandbox() {
        store.insert(record("web", T0));
        assertThat(store.updateState("web", SandboxState.STOPPED)).isTrue();
        assertThat(store.find("web")).map(SandboxRecord::state).contains(SandboxState.STOPPED);
        assertThat(store.updateState("web", SandboxState.STOPPED)).isTrue();
        assertThat(store.updateState("web", SandboxState.RUNNING)).isTrue();
        assertThat(store.find("web")).contains(record("web", T0));
        assertThat(store.updateState("nope", SandboxState.RUNNING)).isFalse();
        assertThat(store.find("nope")).isEmpty();
    }

    @Test
    void deleteSaysWhetherThereWasSuchASandbox() {
        store.insert(record("web", T0));
        store.insert(record("db", T0));
        assertThat(store.delete("web")).isTrue();
        assertThat(store.delete("web")).isFalse();
        assertThat(store.delete("never")).isFalse();
        assertThat(store.find("web")).isEmpty();
        assertThat(store.list()).extracting(SandboxRecord::name).containsExactly("db");
    }

    @Test
    void listsOldestFirstThenByName() {
        store.insert(record("late", T0.plusSeconds(60)));
        store.insert(record("z", T0));
        store.insert(record("a", T0));
        store.insert(record("nano-later", T0.plusNanos(1)));
        store.insert(record("ancient", Instant.parse("1999-12-31T23:59:59Z")));
        assertThat(store.list()).extracting(SandboxRecord::name)
                .containsExactly("ancient", "a", "z", "nano-later", "late");
    }

    @Test
    void anEmptyStoreFindsNothing() {
        assertThat(store.list()).isEmpty();
        assertThat(store.find("web")).isEmpty();
        assertThat(store.find("not a valid name!")).isEmpty();
    }

    @Test
    void persistsAcrossReopening(@TempDir Path dir) {
        Path file = dir.resolve("state.db");
        SandboxRecord web = record("web", T0);
        SandboxRecord db2 = new SandboxRecord("db", Optional.empty(), Profile.RESTRICTIVE, 1, 256, false, "bwrap",
                SandboxState.RUNNING, T0.plusMillis(1));
        try (Database file1 = Database.open(file)) {
            SqliteSandboxStore s = new SqliteSandboxStore(file1);
            s.insert(web);
            s.insert(db2);
            s.updateState("db", SandboxState.STOPPED);
        }
        try (Database file2 = Database.open(file)) {
            SqliteSandboxStore s = new SqliteSandboxStore(file2);
            assertThat(s.list()).containsExactly(web, db2.withState(SandboxState.STOPPED));
            assertThat(s.delete("web")).isTrue();
        }
        try (Database file3 = Database.open(file)) {
            assertThat(new SqliteSandboxStore(file3).list()).extracting(SandboxRecord::name).containsExactly("db");
        }
    }

    @Test
    void keepsTheNetworkPolicyAndTheSecretsButNoValueInClear() {
        dev.agentkernel.model.NetworkPolicy policy = new dev.agentkernel.model.NetworkPolicy(
                java.util.List.of("api.example.com", "*.pypi.org"), java.util.List.of("evil.example"),
                java.util.List.of("198.51.100.0/24"), java.util.List.of("203.0.113.7"), java.util.List.of(443),
                java.util.Map.of("db.internal", "198.51.100.7"));
        dev.agentkernel.core.secret.SandboxSecrets secrets = new dev.agentkernel.core.secret.SandboxSecrets(java.util.List.of(
                new dev.agentkernel.core.secret.SandboxSecrets.Binding("TOKEN", "api.example.com", Optional.of("Authorization"),
                        Optional.empty()),
                new dev.agentkernel.core.secret.SandboxSecrets.Binding("OWN", "*.pypi.org", Optional.empty(),
                        Optional.of("c2VhbGVk"))), java.util.List.of("TOKEN"));
        SandboxRecord base = record("policed", T0);
        SandboxRecord kept = new SandboxRecord(base.name(), base.image(), base.profile(), base.vcpus(), base.memoryMb(),
                base.network(), base.backend(), base.state(), base.createdAt(), base.projectDir(), base.diskMb(),
                base.uuid(), base.expiresAt(), policy, secrets);
        store.insert(kept);
        assertThat(store.find("policed")).contains(kept);
        store.insert(record("plain", T0));
        assertThat(store.find("plain").orElseThrow().egress()).isEqualTo(dev.agentkernel.model.NetworkPolicy.NONE);
        assertThat(store.find("plain").orElseThrow().secrets()).isEqualTo(dev.agentkernel.core.secret.SandboxSecrets.NONE);
    }

    @Test
    void anUnreadableRowIsAFailureNamingTheSandbox() {
        db.withConnection(c -> c.createStatement().executeUpdate("INSERT INTO sandboxes VALUES "
                + "('odd', NULL, 'paranoid', 1, 1, 0, 'bwrap', 'running', '2025-01-01T00:00:00Z', NULL, NULL, 'u-1', NULL, NULL, NULL)"));
        assertThatThrownBy(() -> store.find("odd"))
                .isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining("sandbox 'odd'")
                .hasMessageContaining("paranoid")
                .hasMessageContaining(":memory:");
    }

    @Test
    void aClosedDatabaseFailsClearly() {
        db.close();
        assertThatThrownBy(() -> store.insert(record("web", T0))).isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining("closed");
    }
}
