package dev.agentkernel.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.core.snapshot.SnapshotRecord;
import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxFailureException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteSnapshotStoreTest {

    private static final Instant T0 = Instant.parse("2026-12-07T01:02:03.123456789Z");

    @TempDir
    Path dir;

    private Database db;
    private SqliteSnapshotStore store;

    @BeforeEach
    void open() {
        db = Database.open(dir.resolve("state.db"));
        store = new SqliteSnapshotStore(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static SnapshotRecord snapshot(String name, Instant at, OptionalLong disk) {
        // one with a network policy (kept by sandboxes made from it), one without
        dev.agentkernel.model.NetworkPolicy egress = disk.isPresent()
                ? new dev.agentkernel.model.NetworkPolicy(java.util.List.of("pypi.org", "*.example.com"),
                        java.util.List.of("evil.example"), java.util.List.of("198.51.100.0/24"), java.util.List.of(),
                        java.util.List.of(443), java.util.Map.of("db.internal", "198.51.100.7"))
                : dev.agentkernel.model.NetworkPolicy.NONE;
        return new SnapshotRecord(name, "box", "6f1f0e4e-0000-4000-8000-000000000001",
                "agentkernel.local/snapshots:" + name + "@sha256:" + "ab".repeat(32), "docker.io/library/alpine:3.20@sha256:"
                + "cd".repeat(32), "bwrap", Profile.MODERATE, 1.5, 512, true, disk, 104_857_600L, at, egress);
    }

    @Test
    void roundTripsEveryFieldAndListsOldestFirst() {
        SnapshotRecord later = snapshot("later", T0.plusSeconds(5), OptionalLong.of(1024));
        SnapshotRecord first = snapshot("first", T0, OptionalLong.empty());
        store.insert(later);
        store.insert(first);
        assertThat(store.find("later")).contains(later);
        assertThat(store.find("first")).contains(first);
        assertThat(store.find("none")).isEmpty();
        assertThat(store.list()).containsExactly(first, later);
        assertThat(first.digest()).isEqualTo("sha256:" + "ab".repeat(32));
    }

    @Test
    void aTakenNameIsAConflictAndDeleteSaysWhetherThereWasOne() {
        store.insert(snapshot("s", T0, OptionalLong.empty()));
        assertThatThrownBy(() -> store.insert(snapshot("s", T0.plusSeconds(1), OptionalLong.empty())))
                .isInstanceOf(ConflictException.class).hasMessageContaining("'s' already exists");
        assertThat(store.delete("s")).isTrue();
        assertThat(store.delete("s")).isFalse();
        assertThat(store.list()).isEmpty();
    }

    @Test
    void survivesReopeningAndAnUnreadableRowNamesTheSnapshot() {
        store.insert(snapshot("kept", T0, OptionalLong.of(64)));
        db.close();
        db = Database.open(dir.resolve("state.db"));
        store = new SqliteSnapshotStore(db);
        assertThat(store.find("kept")).contains(snapshot("kept", T0, OptionalLong.of(64)));
        db.update("UPDATE snapshots SET profile = 'paranoid' WHERE name = 'kept'");
        assertThatThrownBy(() -> store.find("kept")).isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining("snapshot 'kept'").hasMessageContaining("paranoid");
    }
}
