package dev.agentkernel.store;

import dev.agentkernel.core.snapshot.SnapshotRecord;
import dev.agentkernel.core.snapshot.SnapshotStore;
import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxFailureException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Snapshots in the {@code snapshots} table of a {@link Database}, keyed by name; times as
 * ISO-8601 text with nanoseconds, so a record reads back equal to the one stored. Thread-safe;
 * every method writes through.
 */
public final class SqliteSnapshotStore implements SnapshotStore {

    private static final String COLUMNS = "name, sandbox, sandbox_uuid, image, base_image, backend, profile, vcpus, "
            + "memory_mb, network, disk_mb, size_bytes, created_at, network_policy";

    private final Database database;

    /** A store in {@code database}, which the caller keeps and closes. */
    public SqliteSnapshotStore(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    /**
     * {@inheritDoc}
     *
     * @throws ConflictException {@code snapshot 'NAME' already exists}
     */
    @Override
    public void insert(SnapshotRecord r) {
        Objects.requireNonNull(r, "record");
        int inserted = database.update("INSERT INTO snapshots (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (name) DO NOTHING", r.name(), r.sandbox(), r.sandboxUuid(), r.image(),
                r.baseImage(), r.backend(), r.profile().id(), r.vcpus(), r.memoryMb(), r.network() ? 1 : 0,
                r.diskMb().isPresent() ? r.diskMb().getAsLong() : null, r.sizeBytes(), Timestamps.toText(r.createdAt()),
                NetworkPolicyJson.write(r.egress()));
        if (inserted == 0) {
            throw new ConflictException("snapshot '" + r.name() + "' already exists");
        }
    }

    @Override
    public Optional<SnapshotRecord> find(String name) {
        Objects.requireNonNull(name, "name");
        return database.queryOne("SELECT " + COLUMNS + " FROM snapshots WHERE name = ?", this::record, name);
    }

    @Override
    public List<SnapshotRecord> list() {
        return database.query("SELECT " + COLUMNS + " FROM snapshots ORDER BY created_at, name", this::record);
    }

    @Override
    public boolean delete(String name) {
        Objects.requireNonNull(name, "name");
        return database.update("DELETE FROM snapshots WHERE name = ?", name) > 0;
    }

    private SnapshotRecord record(ResultSet row) throws SQLException {
        String name = row.getString("name");
        try {
            long disk = row.getLong("disk_mb");
            OptionalLong diskMb = row.wasNull() ? OptionalLong.empty() : OptionalLong.of(disk);
            return new SnapshotRecord(name, row.getString("sandbox"), row.getString("sandbox_uuid"),
                    row.getString("image"), row.getString("base_image"), row.getString("backend"),
                    Profile.parse(row.getString("profile")), row.getDouble("vcpus"), row.getLong("memory_mb"),
                    row.getInt("network") != 0, diskMb, row.getLong("size_bytes"),
                    Timestamps.fromText(row.getString("created_at")),
                    NetworkPolicyJson.read(row.getString("network_policy")));
        } catch (RuntimeException e) {
            throw new SandboxFailureException("state database " + database.location() + " holds an unreadable record"
                    + " for snapshot '" + name + "': " + e.getMessage(), e);
        }
    }
}
