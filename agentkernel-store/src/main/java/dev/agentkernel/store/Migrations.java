package dev.agentkernel.store;

import dev.agentkernel.model.SandboxFailureException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The schema's history and how a database is brought up to date with it. The version a
 * database has reached is its {@code PRAGMA user_version}; to change the schema, append a
 * {@link Migration} with the next version to {@link #ALL} (never edit a released one).
 */
final class Migrations {

    /** Every step, in version order: 1, 2, 3... */
    static final List<Migration> ALL = List.of(
            new Migration(1, "persistent sandboxes and the audit log", List.of(
                    """
                    CREATE TABLE sandboxes (
                        name       TEXT    NOT NULL PRIMARY KEY,
                        image      TEXT,
                        profile    TEXT    NOT NULL,
                        vcpus      REAL    NOT NULL,
                        memory_mb  INTEGER NOT NULL,
                        network    INTEGER NOT NULL CHECK (network IN (0, 1)),
                        backend    TEXT    NOT NULL,
                        state      TEXT    NOT NULL,
                        created_at TEXT    NOT NULL
                    )""",
                    """
                    CREATE TABLE audit_events (
                        id      INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
                        ts      INTEGER NOT NULL,
                        type    TEXT    NOT NULL,
                        sandbox TEXT,
                        details TEXT    NOT NULL DEFAULT '{}'
                    )""",
                    "CREATE INDEX audit_events_sandbox_ts ON audit_events (sandbox, ts)",
                    "CREATE INDEX audit_events_ts ON audit_events (ts)")),
            new Migration(2, "a persistent sandbox's project directory", List.of(
                    "ALTER TABLE sandboxes ADD COLUMN project_dir TEXT")),
            new Migration(3, "background tasks", List.of(
                    """
                    CREATE TABLE tasks (
                        id             TEXT    NOT NULL PRIMARY KEY,
                        code           TEXT    NOT NULL,
                        template       TEXT    NOT NULL,
                        timeout_ms     INTEGER NOT NULL,
                        verbose        INTEGER NOT NULL CHECK (verbose IN (0, 1)),
                        required_tools TEXT    NOT NULL DEFAULT '[]',
                        status         TEXT    NOT NULL,
                        output         TEXT    NOT NULL DEFAULT '',
                        error          TEXT,
                        exit_code      INTEGER,
                        attempts       INTEGER NOT NULL DEFAULT 0,
                        created_at     TEXT    NOT NULL,
                        started_at     TEXT,
                        finished_at    TEXT
                    )""",
                    "CREATE INDEX tasks_created_at ON tasks (created_at)",
                    "CREATE INDEX tasks_status ON tasks (status)")),
            new Migration(4, "a persistent sandbox's disk size (NULL: no limit, created before disks were limited)",
                    List.of("ALTER TABLE sandboxes ADD COLUMN disk_mb INTEGER")),
            new Migration(5, "a task's image and pull policy (NULL: its template's image, pulled when missing)",
                    List.of("ALTER TABLE tasks ADD COLUMN image TEXT", "ALTER TABLE tasks ADD COLUMN pull TEXT")),
            new Migration(6, "a task's isolation backend (NULL: the daemon's default)",
                    List.of("ALTER TABLE tasks ADD COLUMN backend TEXT")),
            new Migration(7, "a persistent sandbox's uuid (made for the sandboxes before it) and expiry (NULL: none)",
                    List.of("ALTER TABLE sandboxes ADD COLUMN uuid TEXT",
                            "ALTER TABLE sandboxes ADD COLUMN expires_at TEXT",
                            // a version-4 UUID per existing sandbox, in SQLite's own functions
                            """
                            UPDATE sandboxes SET uuid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'
                                || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + abs(random()) % 4, 1)
                                || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))
                            WHERE uuid IS NULL""",
                            "CREATE UNIQUE INDEX sandboxes_uuid ON sandboxes (uuid)")),
            new Migration(8, "snapshots of sandboxes", List.of(
                    """
                    CREATE TABLE snapshots (
                        name         TEXT    NOT NULL PRIMARY KEY,
                        sandbox      TEXT    NOT NULL,
                        sandbox_uuid TEXT    NOT NULL,
                        image        TEXT    NOT NULL,
                        base_image   TEXT    NOT NULL,
                        backend      TEXT    NOT NULL,
                        profile      TEXT    NOT NULL,
                        vcpus        REAL    NOT NULL,
                        memory_mb    INTEGER NOT NULL,
                        network      INTEGER NOT NULL CHECK (network IN (0, 1)),
                        disk_mb      INTEGER,
                        size_bytes   INTEGER NOT NULL,
                        created_at   TEXT    NOT NULL
                    )""")),
            // ---- volumes (issue 15, point 6) ----
            new Migration(9, "named volumes, and which sandboxes mount them where", List.of(
                    """
                    CREATE TABLE volumes (
                        name       TEXT    NOT NULL PRIMARY KEY,
                        size_mb    INTEGER NOT NULL,
                        limited    INTEGER NOT NULL CHECK (limited IN (0, 1)),
                        created_at TEXT    NOT NULL
                    )""",
                    """
                    CREATE TABLE sandbox_volumes (
                        sandbox   TEXT    NOT NULL,
                        position  INTEGER NOT NULL,
                        volume    TEXT    NOT NULL REFERENCES volumes (name) ON DELETE CASCADE,
                        path      TEXT    NOT NULL,
                        read_only INTEGER NOT NULL CHECK (read_only IN (0, 1)),
                        PRIMARY KEY (sandbox, path)
                    )""",
                    "CREATE INDEX sandbox_volumes_by_volume ON sandbox_volumes (volume)")),
            // ---- secrets (issue 16) ----
            new Migration(10, "secrets, their values encrypted (AES-256-GCM; the key is in STATE/secrets.key, not here)",
                    List.of("""
                    CREATE TABLE secrets (
                        name       TEXT    NOT NULL PRIMARY KEY,
                        nonce      BLOB    NOT NULL,
                        ciphertext BLOB    NOT NULL,
                        created_at TEXT    NOT NULL,
                        updated_at TEXT    NOT NULL
                    )""")),
            // ---- egress control (issue 16) ----
            new Migration(11, "a persistent sandbox's network policy and secret bindings (JSON; NULL: none)",
                    List.of("ALTER TABLE sandboxes ADD COLUMN network_policy TEXT",
                            "ALTER TABLE sandboxes ADD COLUMN secrets TEXT")),
            new Migration(12, "a task's network policy (JSON; NULL: none of its own)",
                    List.of("ALTER TABLE tasks ADD COLUMN network_policy TEXT")),
            new Migration(13, "a snapshot's network policy, kept by the sandboxes made from it (JSON; NULL: none)",
                    List.of("ALTER TABLE snapshots ADD COLUMN network_policy TEXT")));

    private Migrations() {
    }

    /** The version a database has once every step of {@code migrations} is applied. */
    static int latest(List<Migration> migrations) {
        return migrations.isEmpty() ? 0 : migrations.getLast().version();
    }

    /**
     * Applies the steps of {@code migrations} that {@code connection}'s database lacks, all in
     * one transaction, and sets its {@code user_version}. Does nothing if it is up to date.
     *
     * @throws SandboxFailureException if the database is newer than {@code migrations} know
     */
    static void apply(Connection connection, List<Migration> migrations, String location) throws SQLException {
        requireConsecutive(migrations);
        int latest = latest(migrations);
        int current = userVersion(connection);
        checkNotNewer(current, latest, location);
        if (current == latest) {
            return;
        }
        connection.setAutoCommit(false); // begins an IMMEDIATE transaction: no other writer meanwhile
        try {
            current = userVersion(connection); // another process may have migrated it meanwhile
            checkNotNewer(current, latest, location);
            try (Statement statement = connection.createStatement()) {
                for (Migration migration : migrations) {
                    if (migration.version() > current) {
                        for (String sql : migration.statements()) {
                            statement.execute(sql);
                        }
                    }
                }
                statement.execute("PRAGMA user_version = " + latest);
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    /** The database's {@code PRAGMA user_version}. */
    static int userVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("PRAGMA user_version")) {
            return rows.next() ? rows.getInt(1) : 0;
        }
    }

    private static void checkNotNewer(int current, int latest, String location) {
        if (current > latest) {
            throw new SandboxFailureException("state database " + location + " has schema version " + current
                    + " but this AgentKernel knows versions up to " + latest
                    + "; it was written by a newer AgentKernel: upgrade AgentKernel to use it");
        }
    }

    private static void requireConsecutive(List<Migration> migrations) {
        for (int i = 0; i < migrations.size(); i++) {
            if (migrations.get(i).version() != i + 1) {
                throw new IllegalStateException("migration #" + (i + 1) + " has version "
                        + migrations.get(i).version() + "; versions must be 1, 2, 3...");
            }
        }
    }
}
