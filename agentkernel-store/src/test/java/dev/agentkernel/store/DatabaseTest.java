package dev.agentkernel.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentkernel.model.SandboxFailureException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {

    @TempDir
    Path dir;

    private static final int LATEST = Migrations.latest(Migrations.ALL);
    private static final Migration NEXT = new Migration(LATEST + 1, "a future table", List.of(
            "CREATE TABLE future_things (id TEXT NOT NULL PRIMARY KEY, sandbox TEXT)"));

    @Test
    void newFileDatabaseIsAtLatestVersionWithTheRequiredPragmas() {
        try (Database db = Database.open(dir.resolve("state.db"))) {
            assertThat(db.schemaVersion()).isEqualTo(Migrations.latest(Migrations.ALL)).isEqualTo(13);
            assertThat(db.file()).contains(dir.resolve("state.db"));
            assertThat(pragma(db, "journal_mode")).isEqualTo("wal");
            assertThat(pragma(db, "synchronous")).isEqualTo("1"); // NORMAL
            assertThat(pragma(db, "foreign_keys")).isEqualTo("1");
            assertThat(pragma(db, "busy_timeout")).isEqualTo("5000");
            assertThat(tables(db)).contains("sandboxes", "audit_events");
            assertThat(indexes(db)).contains("audit_events_sandbox_ts", "audit_events_ts");
        }
    }

    @Test
    void createsParentDirectoriesOwnerOnlyAndTheFileWithMode0600() throws Exception {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path file = dir.resolve("a/b/state.db");
        try (Database db = Database.open(file)) {
            db.withConnection(c -> c.createStatement().executeUpdate("INSERT INTO audit_events (ts, type) VALUES (1, 'x')"));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a"))))
                    .isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a/b"))))
                    .isEqualTo("rwx------");
            Path wal = dir.resolve("a/b/state.db-wal");
            assertThat(wal).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(wal))).isEqualTo("rw-------");
        }
    }

    @Test
    void narrowsAnExistingFileToMode0600() throws Exception {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path file = Files.createFile(dir.resolve("state.db"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        try (Database db = Database.open(file)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(db.schemaVersion()).isEqualTo(LATEST);
        }
    }

    @Test
    void reopeningKeepsDataAndMigratesNothingTwice() {
        Path file = dir.resolve("state.db");
        try (Database db = Database.open(file)) {
            db.withConnection(c -> c.createStatement().executeUpdate("INSERT INTO audit_events (ts, type) VALUES (7, 'x')"));
        }
        for (int i = 0; i < 3; i++) {
            try (Database db = Database.open(file)) {
                assertThat(db.schemaVersion()).isEqualTo(LATEST);
                assertThat(count(db, "audit_events")).isEqualTo(1);
                assertThat(tables(db)).containsOnlyOnce("sandboxes", "audit_events");
            }
        }
    }

    @Test
    void appliesANewMigrationToAnExistingDatabase() {
        Path file = dir.resolve("state.db");
        try (Database db = Database.open(file)) {
            db.withConnection(c -> c.createStatement().executeUpdate("INSERT INTO audit_events (ts, type) VALUES (7, 'x')"));
        }
        List<Migration> withTasks = new ArrayList<>(Migrations.ALL);
        withTasks.add(NEXT);
        try (Database db = Database.open(file, withTasks)) {
            assertThat(db.schemaVersion()).isEqualTo(LATEST + 1);
            assertThat(tables(db)).contains("future_things", "tasks", "sandboxes", "audit_events");
            assertThat(count(db, "audit_events")).isEqualTo(1);
        }
        try (Database db = Database.open(file, withTasks)) {
            assertThat(db.schemaVersion()).isEqualTo(LATEST + 1);
        }
    }

    @Test
    void sandboxesFromBeforeUuidsGetOneEachAndNoExpiry() {
        Path file = dir.resolve("old.db");
        try (Database db = Database.open(file, Migrations.ALL.subList(0, 6))) {
            db.withConnection(c -> c.createStatement().executeUpdate("INSERT INTO sandboxes (name, profile, vcpus, "
                    + "memory_mb, network, backend, state, created_at) VALUES ('a', 'moderate', 1, 256, 1, 'bwrap', "
                    + "'stopped', '2025-01-01T00:00:00Z'), ('b', 'moderate', 1, 256, 1, 'bwrap', 'stopped', "
                    + "'2025-01-01T00:00:01Z')"));
        }
        try (Database db = Database.open(file)) {
            var records = new SqliteSandboxStore(db).list();
            assertThat(records).hasSize(2).allSatisfy(r -> {
                assertThat(r.uuid()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
                assertThat(java.util.UUID.fromString(r.uuid()).version()).isEqualTo(4);
                assertThat(r.expiresAt()).isEmpty();
            });
            assertThat(records.get(0).uuid()).isNotEqualTo(records.get(1).uuid());
        }
    }

    @Test
    void aFailingMigrationChangesNothing() {
        Path file = dir.resolve("state.db");
        Migration broken = new Migration(LATEST + 1, "broken", List.of("CREATE TABLE half (x)", "THIS IS NOT SQL"));
        List<Migration> withBroken = new ArrayList<>(Migrations.ALL);
        withBroken.add(broken);
        assertThatThrownBy(() -> Database.open(file, withBroken))
                .isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining(file.toString())
                .hasCauseInstanceOf(SQLException.class);
        try (Database db = Database.open(file, List.of())) {
            assertThat(db.schemaVersion()).as("not even migration 1 was kept").isZero();
            assertThat(tables(db)).isEmpty();
        }
        try (Database db = Database.open(file)) {
            assertThat(db.schemaVersion()).isEqualTo(LATEST);
        }
    }

    @Test
    void migratesAnEmptyDatabaseThroughEveryStepAtOnce() {
        List<Migration> withTasks = new ArrayList<>(Migrations.ALL);
        withTasks.add(NEXT);
        try (Database db = Database.inMemory(withTasks)) {
            assertThat(db.schemaVersion()).isEqualTo(LATEST + 1);
            assertThat(tables(db)).contains("future_things", "tasks", "sandboxes", "audit_events");
        }
    }

    @Test
    void refusesADatabaseOfANewerVersion() {
        Path file = dir.resolve("state.db");
        List<Migration> withTasks = new ArrayList<>(Migrations.ALL);
        withTasks.add(NEXT);
        Database.open(file, withTasks).close();
        assertThatThrownBy(() -> Database.open(file))
                .isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("schema version " + (LATEST + 1))
                .hasMessageContaining("newer AgentKernel");
    }

    @Test
    void rejectsMigrationsThatAreNotNumberedConsecutively() {
        List<Migration> gap = List.of(Migrations.ALL.getFirst(), new Migration(3, "gap", List.of("SELECT 1")));
        assertThatThrownBy(() -> Database.inMemory(gap)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("versions must be 1, 2, 3");
    }

    @Test
    void aFileOfGarbageIsReportedWithItsPath() throws Exception {
        Path file = dir.resolve("state.db");
        byte[] garbage = new byte[8192];
        new Random(42).nextBytes(garbage);
        Files.write(file, garbage);
        assertThatThrownBy(() -> Database.open(file))
                .isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("damaged or is not an AgentKernel state database")
                .hasCauseInstanceOf(SQLException.class);
    }

    @Test
    void aShortTextFileIsReportedWithItsPath() throws Exception {
        Path file = dir.resolve("state.db");
        Files.writeString(file, "this is not a database\n".repeat(40), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Database.open(file))
                .isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("damaged");
    }

    @Test
    void aDirectoryInPlaceOfTheFileIsReportedWithItsPath() throws Exception {
        Path file = Files.createDirectory(dir.resolve("state.db"));
        assertThatThrownBy(() -> Database.open(file))
                .isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void sqlErrorsBecomeFailuresNamingTheFile() {
        Path file = dir.resolve("state.db");
        try (Database db = Database.open(file)) {
            assertThatThrownBy(() -> db.withConnection(c -> c.createStatement().execute("SELECT * FROM nowhere")))
                    .isInstanceOf(SandboxFailureException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("nowhere");
        }
    }

    @Test
    void aTransactionIsAllOrNothingAndNestedOnesJoinIt() {
        try (Database db = Database.inMemory()) {
            assertThatThrownBy(() -> db.inTransaction(c -> {
                c.createStatement().executeUpdate("INSERT INTO audit_events (ts, type) VALUES (1, 'x')");
                throw new IllegalStateException("boom");
            })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
            assertThat(count(db, "audit_events")).isZero();

            db.inTransaction(c -> {
                c.createStatement().executeUpdate("INSERT INTO audit_events (ts, type) VALUES (1, 'x')");
                return db.inTransaction(inner ->
                        inner.createStatement().executeUpdate("INSERT INTO audit_events (ts, type) VALUES (2, 'x')"));
            });
            assertThat(count(db, "audit_events")).isEqualTo(2);
            assertThat(db.<Boolean>withConnection(c -> c.getAutoCommit())).isTrue();
        }
    }

    @Test
    void aClosedDatabaseSaysSo() {
        Database db = Database.inMemory();
        assertThat(db.file()).isEmpty();
        db.close();
        db.close();
        assertThatThrownBy(db::schemaVersion).isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining(":memory:").hasMessageContaining("closed");
    }

    static long count(Database db, String table) {
        return db.withConnection(c -> {
            try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SELECT count(*) FROM " + table)) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }

    private static String pragma(Database db, String name) {
        return db.withConnection(c -> {
            try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("PRAGMA " + name)) {
                rows.next();
                return rows.getString(1);
            }
        });
    }

    private static List<String> tables(Database db) {
        return names(db, "table");
    }

    private static List<String> indexes(Database db) {
        return names(db, "index");
    }

    private static List<String> names(Database db, String type) {
        return db.withConnection(c -> {
            try (var s = c.prepareStatement(
                    "SELECT name FROM sqlite_schema WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name")) {
                s.setString(1, type);
                List<String> names = new ArrayList<>();
                try (ResultSet rows = s.executeQuery()) {
                    while (rows.next()) {
                        names.add(rows.getString(1));
                    }
                }
                return names;
            }
        });
    }
}
