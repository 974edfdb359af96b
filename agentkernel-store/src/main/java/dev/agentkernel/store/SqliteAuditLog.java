package dev.agentkernel.store;

import dev.agentkernel.core.audit.AuditEvent;
import dev.agentkernel.core.audit.AuditEventType;
import dev.agentkernel.core.audit.AuditLog;
import dev.agentkernel.model.SandboxFailureException;
import java.lang.System.Logger.Level;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The audit log in the {@code audit_events} table of a {@link Database}. Each event is stored
 * with its time in nanoseconds since the epoch, its type's wire name, its sandbox and its
 * details as compact JSON; events are ordered by time, then by the order they were appended.
 * Detail values read back as strings, booleans, {@link Long}s (integers) and {@link Double}s.
 * Thread-safe; {@link #append} writes through.
 */
public final class SqliteAuditLog implements AuditLog {

    private static final System.Logger LOG = System.getLogger(SqliteAuditLog.class.getName());
    private static final String COLUMNS = "ts, type, sandbox, details";

    private final Database database;

    /** A log in {@code database}, which the caller keeps and closes. */
    public SqliteAuditLog(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    /**
     * {@inheritDoc} A failure to store the event is logged as a {@code WARNING} and the event
     * is lost; the operation it records goes on.
     */
    @Override
    public void append(AuditEvent event) {
        Objects.requireNonNull(event, "event");
        try {
            String details = DetailsCodec.encode(event.details());
            database.withConnection(c -> {
                try (PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO audit_events (" + COLUMNS + ") VALUES (?, ?, ?, ?)")) {
                    insert.setLong(1, Timestamps.toEpochNanos(event.timestamp()));
                    insert.setString(2, event.type().id());
                    insert.setString(3, event.sandbox().orElse(null));
                    insert.setString(4, details);
                    return insert.executeUpdate();
                }
            });
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, () -> "audit event " + event.type().id()
                    + event.sandbox().map(s -> " of sandbox '" + s + "'").orElse("")
                    + " was not recorded: " + e.getMessage(), e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code limit} is negative
     * @throws SandboxFailureException if the database fails
     */
    @Override
    public List<AuditEvent> forSandbox(String sandbox, int limit) {
        Objects.requireNonNull(sandbox, "sandbox");
        return newest("WHERE sandbox = ?", Optional.of(sandbox), limit);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code limit} is negative
     * @throws SandboxFailureException if the database fails
     */
    @Override
    public List<AuditEvent> recent(int limit) {
        return newest("", Optional.empty(), limit);
    }

    /**
     * Deletes the events that happened before {@code olderThan}, for retention.
     *
     * @return how many were deleted
     * @throws SandboxFailureException if the database fails
     */
    public int prune(Instant olderThan) {
        Objects.requireNonNull(olderThan, "olderThan");
        return database.withConnection(c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM audit_events WHERE ts < ?")) {
                delete.setLong(1, Timestamps.toEpochNanos(olderThan));
                return delete.executeUpdate();
            }
        });
    }

    /**
     * Deletes all but the newest {@code max} events, for retention.
     *
     * @return how many were deleted
     * @throws IllegalArgumentException if {@code max} is negative
     * @throws SandboxFailureException if the database fails
     */
    public int keepNewest(long max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must not be negative: " + max);
        }
        return database.withConnection(c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM audit_events WHERE id IN (SELECT id FROM "
                    + "audit_events ORDER BY ts DESC, id DESC LIMIT -1 OFFSET ?)")) {
                delete.setLong(1, max);
                return delete.executeUpdate();
            }
        });
    }

    private List<AuditEvent> newest(String where, Optional<String> sandbox, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        if (limit == 0) {
            return List.of();
        }
        return database.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT id, " + COLUMNS + " FROM audit_events "
                    + where + " ORDER BY ts DESC, id DESC LIMIT ?")) {
                int index = 1;
                if (sandbox.isPresent()) {
                    select.setString(index++, sandbox.get());
                }
                select.setInt(index, limit);
                List<AuditEvent> events = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        event(rows).ifPresent(events::add);
                    }
                }
                Collections.reverse(events);
                return List.copyOf(events);
            }
        });
    }

    /** The event of a row; empty (with a warning) for a type this version does not know. */
    private Optional<AuditEvent> event(ResultSet row) throws SQLException {
        long id = row.getLong("id");
        String typeId = row.getString("type");
        Optional<AuditEventType> type = AuditEventType.fromId(typeId);
        if (type.isEmpty()) {
            LOG.log(Level.WARNING, () -> "state database " + database.location() + ": skipping audit event #" + id
                    + " of unknown type '" + typeId + "'");
            return Optional.empty();
        }
        try {
            return Optional.of(new AuditEvent(
                    Timestamps.fromEpochNanos(row.getLong("ts")),
                    type.get(),
                    Optional.ofNullable(row.getString("sandbox")),
                    DetailsCodec.decode(row.getString("details"))));
        } catch (RuntimeException e) {
            throw new SandboxFailureException("state database " + database.location()
                    + " holds an unreadable audit event #" + id + ": " + e.getMessage(), e);
        }
    }
}
