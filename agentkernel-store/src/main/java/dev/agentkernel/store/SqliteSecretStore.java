package dev.agentkernel.store;

import dev.agentkernel.core.secret.SealedValue;
import dev.agentkernel.core.secret.SecretInfo;
import dev.agentkernel.core.secret.SecretRecord;
import dev.agentkernel.core.secret.SecretStore;
import dev.agentkernel.model.SandboxFailureException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Secrets in the {@code secrets} table of a {@link Database} (migration 10): the name, the value
 * encrypted ({@code nonce}, {@code ciphertext}; the key is not in the database) and the dates.
 * Thread-safe; every method writes through.
 */
public final class SqliteSecretStore implements SecretStore {

    private final Database database;

    /** A store in {@code database}, which the caller keeps and closes. */
    public SqliteSecretStore(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    @Override
    public void put(SecretRecord record) {
        Objects.requireNonNull(record, "record");
        SealedValue value = record.value();
        database.update("INSERT INTO secrets (name, nonce, ciphertext, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"
                        + " ON CONFLICT (name) DO UPDATE SET nonce = excluded.nonce, ciphertext = excluded.ciphertext,"
                        + " created_at = excluded.created_at, updated_at = excluded.updated_at",
                record.name(), value.nonce(), value.ciphertext(), Timestamps.toText(record.createdAt()),
                Timestamps.toText(record.updatedAt()));
    }

    @Override
    public Optional<SecretRecord> find(String name) {
        Objects.requireNonNull(name, "name");
        return database.queryOne("SELECT name, nonce, ciphertext, created_at, updated_at FROM secrets WHERE name = ?",
                this::record, name);
    }

    @Override
    public List<SecretInfo> list() {
        return database.query("SELECT name, created_at, updated_at FROM secrets ORDER BY name", this::info);
    }

    @Override
    public int count() {
        return database.queryOne("SELECT count(*) AS n FROM secrets", row -> row.getInt("n")).orElse(0);
    }

    @Override
    public boolean delete(String name) {
        Objects.requireNonNull(name, "name");
        return database.update("DELETE FROM secrets WHERE name = ?", name) > 0;
    }

    private SecretRecord record(ResultSet row) throws SQLException {
        String name = row.getString("name");
        try {
            return new SecretRecord(name, new SealedValue(row.getBytes("nonce"), row.getBytes("ciphertext")),
                    Timestamps.fromText(row.getString("created_at")), Timestamps.fromText(row.getString("updated_at")));
        } catch (RuntimeException e) {
            throw unreadable(name, e);
        }
    }

    private SecretInfo info(ResultSet row) throws SQLException {
        String name = row.getString("name");
        try {
            return new SecretInfo(name, Timestamps.fromText(row.getString("created_at")),
                    Timestamps.fromText(row.getString("updated_at")));
        } catch (RuntimeException e) {
            throw unreadable(name, e);
        }
    }

    private SandboxFailureException unreadable(String name, RuntimeException e) {
        return new SandboxFailureException("state database " + database.location() + " holds an unreadable record for"
                + " secret '" + name + "': " + e.getMessage(), e);
    }
}
