package dev.agentkernel.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.core.audit.AuditLog;
import dev.agentkernel.core.secret.SealedValue;
import dev.agentkernel.core.secret.SecretInfo;
import dev.agentkernel.core.secret.SecretKeyFile;
import dev.agentkernel.core.secret.SecretManager;
import dev.agentkernel.core.secret.SecretRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteSecretStoreTest {

    private static final Instant T0 = Instant.parse("2025-06-01T12:34:56.123Z");

    private final Database db = Database.inMemory();
    private final SqliteSecretStore store = new SqliteSecretStore(db);

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aSecretReadsBackEqualIsReplacedInPlaceAndDeletedOnce() {
        SecretRecord a = new SecretRecord("A", new SealedValue(new byte[] {1, 2, 3}, new byte[] {4, 5}), T0, T0);
        store.put(a);
        store.put(new SecretRecord("B_2", new SealedValue(new byte[12], new byte[17]), T0, T0.plusSeconds(1)));
        assertThat(store.find("A")).contains(a);
        assertThat(store.find("C")).isEmpty();
        assertThat(store.count()).isEqualTo(2);
        assertThat(store.list()).containsExactly(new SecretInfo("A", T0, T0), new SecretInfo("B_2", T0, T0.plusSeconds(1)));

        SecretRecord replaced = new SecretRecord("A", new SealedValue(new byte[] {9}, new byte[] {8}), T0,
                T0.plusSeconds(5));
        store.put(replaced);
        assertThat(store.find("A")).contains(replaced);
        assertThat(store.count()).isEqualTo(2);

        assertThat(store.delete("A")).isTrue();
        assertThat(store.delete("A")).isFalse();
        assertThat(store.list()).extracting(SecretInfo::name).containsExactly("B_2");
    }

    @Test
    void theDatabaseFileHoldsNoValue(@TempDir Path dir) throws Exception {
        String value = "plain-text-secret-value-7f3a";
        Path file = dir.resolve("agentkernel.db");
        try (Database database = Database.open(file)) {
            SecretManager secrets = new SecretManager(new SqliteSecretStore(database), AuditLog.discarding(),
                    dir.resolve(SecretKeyFile.NAME));
            secrets.set("API_KEY", value);
            assertThat(secrets.value("API_KEY")).isEqualTo(value);
            for (Path f : List.of(file, dir.resolve("agentkernel.db-wal"))) {
                if (Files.exists(f)) {
                    assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString())
                            .doesNotContain(value).doesNotContain("plain-text");
                }
            }
        }
        try (Database database = Database.open(file)) {
            SecretManager again = new SecretManager(new SqliteSecretStore(database), AuditLog.discarding(),
                    dir.resolve(SecretKeyFile.NAME));
            assertThat(again.value("API_KEY")).as("read back after the database is opened again").isEqualTo(value);
        }
    }
}
