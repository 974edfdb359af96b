package dev.agentkernel.store;

import dev.agentkernel.core.sandbox.SandboxRecord;
import dev.agentkernel.core.sandbox.SandboxState;
import dev.agentkernel.core.sandbox.SandboxStore;
import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxFailureException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Persistent sandboxes in the {@code sandboxes} table of a {@link Database}: one row per
 * sandbox, keyed by name. The profile and state are stored by their wire names and the
 * creation time as ISO-8601 text with nanoseconds, so a record reads back equal to the one
 * stored. Thread-safe; every method writes through.
 */
public final class SqliteSandboxStore implements SandboxStore {

    private static final String COLUMNS = "name, image, profile, vcpus, memory_mb, network, backend, state, created_at, project_dir, disk_mb, uuid, expires_at, network_policy, secrets";

    private final Database database;

    /** A store in {@code database}, which the caller keeps and closes. */
    public SqliteSandboxStore(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    /**
     * {@inheritDoc}
     *
     * @throws ConflictException {@code sandbox 'NAME' already exists} if one of that name is stored
     * @throws SandboxFailureException if the database fails
     */
    @Override
    public void insert(SandboxRecord record) {
        Objects.requireNonNull(record, "record");
        int inserted = database.withConnection(c -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO sandboxes (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING")) {
                insert.setString(1, record.name());
                insert.setString(2, record.image().orElse(null));
                insert.setString(3, record.profile().id());
                insert.setDouble(4, record.vcpus());
                insert.setLong(5, record.memoryMb());
                insert.setInt(6, record.network() ? 1 : 0);
                insert.setString(7, record.backend());
                insert.setString(8, record.state().id());
                insert.setString(9, Timestamps.toText(record.createdAt()));
                insert.setString(10, record.projectDir().map(java.nio.file.Path::toString).orElse(null));
                if (record.diskMb().isPresent()) {
                    insert.setLong(11, record.diskMb().getAsLong());
                } else {
                    insert.setNull(11, java.sql.Types.INTEGER);
                }
                insert.setString(12, record.uuid());
                insert.setString(13, record.expiresAt().map(Timestamps::toText).orElse(null));
                insert.setString(14, NetworkPolicyJson.write(record.egress()));
                insert.setString(15, SandboxSecretsJson.write(record.secrets()));
                return insert.executeUpdate();
            }
        });
        if (inserted == 0) {
            throw new ConflictException("sandbox '" + record.name() + "' already exists");
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws SandboxFailureException if the database fails or holds a row it cannot read
     */
    @Override
    public Optional<SandboxRecord> find(String name) {
        Objects.requireNonNull(name, "name");
        return database.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM sandboxes WHERE name = ?")) {
                select.setString(1, name);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(record(rows)) : Optional.<SandboxRecord>empty();
                }
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws SandboxFailureException if the database fails or holds a row it cannot read
     */
    @Override
    public Optional<SandboxRecord> findByUuid(String uuid) {
        Objects.requireNonNull(uuid, "uuid");
        return database.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM sandboxes WHERE uuid = ?")) {
                select.setString(1, uuid);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(record(rows)) : Optional.<SandboxRecord>empty();
                }
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws SandboxFailureException if the database fails
     */
    @Override
    public boolean updateImage(String name, String image) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(image, "image");
        return database.withConnection(c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE sandboxes SET image = ? WHERE name = ?")) {
                update.setString(1, image);
                update.setString(2, name);
                return update.executeUpdate() > 0;
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws SandboxFailureException if the database fails
     */
    @Override
    public boolean updateExpiry(String name, Optional<java.time.Instant> expiresAt) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(expiresAt, "expiresAt");
        return database.withConnection(c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE sandboxes SET expires_at = ? WHERE name = ?")) {
                update.setString(1, expiresAt.map(Timestamps::toText).orElse(null));
                update.setString(2, name);
                return update.executeUpdate() > 0;
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws SandboxFailureException if the database fails or holds a row it cannot read
     */
    @Override
    public List<SandboxRecord> list() {
        return database.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM sandboxes ORDER BY created_at, name");
                 ResultSet rows = select.executeQuery()) {
                List<SandboxRecord> records = new ArrayList<>();
                while (rows.next()) {
                    records.add(record(rows));
                }
                return List.copyOf(records);
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws SandboxFailureException if the database fails
     */
    @Override
    public boolean updateState(String name, SandboxState state) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        return database.withConnection(c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE sandboxes SET state = ? WHERE name = ?")) {
                update.setString(1, state.id());
                update.setString(2, name);
                return update.executeUpdate() > 0;
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws SandboxFailureException if the database fails
     */
    @Override
    public boolean delete(String name) {
        Objects.requireNonNull(name, "name");
        return database.withConnection(c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM sandboxes WHERE name = ?")) {
                delete.setString(1, name);
                return delete.executeUpdate() > 0;
            }
        });
    }

    private SandboxRecord record(ResultSet row) throws SQLException {
        String name = row.getString("name");
        try {
            return new SandboxRecord(
                    name,
                    Optional.ofNullable(row.getString("image")),
                    Profile.parse(row.getString("profile")),
                    row.getDouble("vcpus"),
                    row.getLong("memory_mb"),
                    row.getInt("network") != 0,
                    row.getString("backend"),
                    state(row.getString("state")),
                    Timestamps.fromText(row.getString("created_at")),
                    Optional.ofNullable(row.getString("project_dir")).map(java.nio.file.Path::of),
                    diskMb(row),
                    row.getString("uuid"),
                    Optional.ofNullable(row.getString("expires_at")).map(Timestamps::fromText),
                    NetworkPolicyJson.read(row.getString("network_policy")),
                    SandboxSecretsJson.read(row.getString("secrets")));
        } catch (RuntimeException e) {
            throw new SandboxFailureException("state database " + database.location() + " holds an unreadable record"
                    + " for sandbox '" + name + "': " + e.getMessage(), e);
        }
    }

    private static java.util.OptionalLong diskMb(ResultSet row) throws SQLException {
        long mb = row.getLong("disk_mb");
        return row.wasNull() ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(mb);
    }

    private static SandboxState state(String id) {
        for (SandboxState state : SandboxState.values()) {
            if (state.id().equals(id)) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown state '" + id + "'; known: "
                + List.of(SandboxState.values()).toString().toLowerCase(Locale.ROOT));
    }
}
