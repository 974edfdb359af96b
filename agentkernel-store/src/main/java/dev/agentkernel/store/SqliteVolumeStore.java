package dev.agentkernel.store;

import dev.agentkernel.core.volume.VolumeMount;
import dev.agentkernel.core.volume.VolumeRecord;
import dev.agentkernel.core.volume.VolumeStore;
import dev.agentkernel.core.volume.VolumeUser;
import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.SandboxFailureException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Named volumes in the {@code volumes} table of a {@link Database}, and which sandboxes mount
 * them in {@code sandbox_volumes} (one row per sandbox and path; deleting a volume deletes its
 * rows). Thread-safe; every method writes through.
 */
public final class SqliteVolumeStore implements VolumeStore {

    private static final String COLUMNS = "name, size_mb, limited, created_at";

    private final Database database;

    /** A store in {@code database}, which the caller keeps and closes. */
    public SqliteVolumeStore(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    /**
     * {@inheritDoc}
     *
     * @throws ConflictException {@code volume 'NAME' already exists} if one of that name is stored
     */
    @Override
    public void insert(VolumeRecord record) {
        Objects.requireNonNull(record, "record");
        int inserted = database.update("INSERT INTO volumes (" + COLUMNS + ") VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
                record.name(), record.sizeMb(), record.limited() ? 1 : 0, Timestamps.toText(record.createdAt()));
        if (inserted == 0) {
            throw new ConflictException("volume '" + record.name() + "' already exists");
        }
    }

    @Override
    public Optional<VolumeRecord> find(String name) {
        Objects.requireNonNull(name, "name");
        return database.queryOne("SELECT " + COLUMNS + " FROM volumes WHERE name = ?", this::record, name);
    }

    @Override
    public List<VolumeRecord> list() {
        return database.query("SELECT " + COLUMNS + " FROM volumes ORDER BY created_at, name", this::record);
    }

    @Override
    public boolean delete(String name) {
        Objects.requireNonNull(name, "name");
        return database.withConnection(c -> {
            try (PreparedStatement mounts = c.prepareStatement("DELETE FROM sandbox_volumes WHERE volume = ?");
                 PreparedStatement delete = c.prepareStatement("DELETE FROM volumes WHERE name = ?")) {
                mounts.setString(1, name);
                mounts.executeUpdate();
                delete.setString(1, name);
                return delete.executeUpdate() > 0;
            }
        });
    }

    @Override
    public void setMounts(String sandbox, List<VolumeMount> mounts) {
        Objects.requireNonNull(sandbox, "sandbox");
        List<VolumeMount> copy = List.copyOf(mounts);
        database.withConnection(c -> {
            c.setAutoCommit(false);
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM sandbox_volumes WHERE sandbox = ?");
                 PreparedStatement insert = c.prepareStatement("INSERT INTO sandbox_volumes (sandbox, position, volume,"
                         + " path, read_only) VALUES (?, ?, ?, ?, ?)")) {
                delete.setString(1, sandbox);
                delete.executeUpdate();
                for (int i = 0; i < copy.size(); i++) {
                    VolumeMount m = copy.get(i);
                    insert.setString(1, sandbox);
                    insert.setInt(2, i);
                    insert.setString(3, m.volume());
                    insert.setString(4, m.path());
                    insert.setInt(5, m.readOnly() ? 1 : 0);
                    insert.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            return null;
        });
    }

    @Override
    public List<VolumeMount> mounts(String sandbox) {
        Objects.requireNonNull(sandbox, "sandbox");
        return database.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT volume, path, read_only FROM sandbox_volumes"
                    + " WHERE sandbox = ? ORDER BY position")) {
                select.setString(1, sandbox);
                try (ResultSet rows = select.executeQuery()) {
                    List<VolumeMount> mounts = new ArrayList<>();
                    while (rows.next()) {
                        mounts.add(mount(rows));
                    }
                    return List.copyOf(mounts);
                }
            }
        });
    }

    @Override
    public List<VolumeUser> users(String volume) {
        Objects.requireNonNull(volume, "volume");
        return database.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT sandbox, volume, path, read_only FROM"
                    + " sandbox_volumes WHERE volume = ? ORDER BY sandbox, position")) {
                select.setString(1, volume);
                try (ResultSet rows = select.executeQuery()) {
                    List<VolumeUser> users = new ArrayList<>();
                    while (rows.next()) {
                        users.add(new VolumeUser(rows.getString("sandbox"), mount(rows)));
                    }
                    return List.copyOf(users);
                }
            }
        });
    }

    private VolumeMount mount(ResultSet row) throws SQLException {
        try {
            return new VolumeMount(row.getString("volume"), row.getString("path"), row.getInt("read_only") != 0);
        } catch (RuntimeException e) {
            throw new SandboxFailureException("state database " + database.location() + " holds an unreadable volume"
                    + " mount: " + e.getMessage(), e);
        }
    }

    private VolumeRecord record(ResultSet row) throws SQLException {
        String name = row.getString("name");
        try {
            return new VolumeRecord(name, row.getLong("size_mb"), row.getInt("limited") != 0,
                    Timestamps.fromText(row.getString("created_at")));
        } catch (RuntimeException e) {
            throw new SandboxFailureException("state database " + database.location() + " holds an unreadable record"
                    + " for volume '" + name + "': " + e.getMessage(), e);
        }
    }
}
