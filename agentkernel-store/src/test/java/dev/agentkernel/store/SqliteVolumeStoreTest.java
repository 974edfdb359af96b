package dev.agentkernel.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.core.volume.VolumeMount;
import dev.agentkernel.core.volume.VolumeRecord;
import dev.agentkernel.core.volume.VolumeUser;
import dev.agentkernel.model.ConflictException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteVolumeStoreTest {

    private static final Instant T0 = Instant.parse("2025-06-01T12:34:56.123456789Z");

    private final Database db = Database.inMemory();
    private final SqliteVolumeStore store = new SqliteVolumeStore(db);

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aVolumeReadsBackEqualAndANameIsTakenOnce() {
        VolumeRecord data = new VolumeRecord("data", 512, true, T0);
        store.insert(data);
        store.insert(new VolumeRecord("cache", 16, false, T0.plusSeconds(1)));
        assertThat(store.find("data")).contains(data);
        assertThat(store.find("none")).isEmpty();
        assertThat(store.list()).extracting(VolumeRecord::name).containsExactly("data", "cache");
        assertThatThrownBy(() -> store.insert(new VolumeRecord("data", 16, false, T0)))
                .isInstanceOf(ConflictException.class).hasMessageContaining("volume 'data' already exists");
    }

    @Test
    void mountsAreKeptPerSandboxInOrderAndGoWithTheVolume() {
        store.insert(new VolumeRecord("a", 16, true, T0));
        store.insert(new VolumeRecord("b", 16, true, T0));
        List<VolumeMount> mounts = List.of(VolumeMount.parse("b:/z"), VolumeMount.parse("a:/a:ro"));
        store.setMounts("box", mounts);
        store.setMounts("other", List.of(VolumeMount.parse("a:/data")));
        assertThat(store.mounts("box")).isEqualTo(mounts);
        assertThat(store.users("a")).containsExactly(new VolumeUser("box", VolumeMount.parse("a:/a:ro")),
                new VolumeUser("other", VolumeMount.parse("a:/data")));

        store.setMounts("box", List.of(VolumeMount.parse("a:/only")));
        assertThat(store.mounts("box")).containsExactly(VolumeMount.parse("a:/only"));
        assertThat(store.users("b")).isEmpty();

        assertThat(store.delete("a")).isTrue();
        assertThat(store.mounts("box")).isEmpty();
        assertThat(store.users("a")).isEmpty();
        assertThat(store.delete("a")).isFalse();
    }

    @Test
    void volumesAreKeptAcrossReopening(@TempDir Path dir) {
        Path file = dir.resolve("agentkernel.db");
        try (Database first = Database.open(file)) {
            SqliteVolumeStore s = new SqliteVolumeStore(first);
            s.insert(new VolumeRecord("kept", 64, true, T0));
            s.setMounts("box", List.of(VolumeMount.parse("kept:/k")));
        }
        try (Database second = Database.open(file)) {
            SqliteVolumeStore s = new SqliteVolumeStore(second);
            assertThat(s.find("kept")).contains(new VolumeRecord("kept", 64, true, T0));
            assertThat(s.mounts("box")).containsExactly(VolumeMount.parse("kept:/k"));
        }
    }
}
