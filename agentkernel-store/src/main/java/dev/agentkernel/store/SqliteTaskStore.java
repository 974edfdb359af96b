package dev.agentkernel.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.core.session.InterpreterTemplate;
import dev.agentkernel.core.task.TaskInfo;
import dev.agentkernel.core.task.TaskSpec;
import dev.agentkernel.model.ImagePull;
import dev.agentkernel.core.task.TaskStatus;
import dev.agentkernel.core.task.TaskStore;
import dev.agentkernel.model.SandboxFailureException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Background tasks in the {@code tasks} table of a {@link Database}: one row per task, written
 * through on every change, so finished results are readable after a restart. Thread-safe.
 */
public final class SqliteTaskStore implements TaskStore {

    private static final String COLUMNS = "id, code, template, timeout_ms, verbose, required_tools, status, output, error, "
            + "exit_code, attempts, created_at, started_at, finished_at, image, pull, backend, network_policy";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database database;

    /** A store in {@code database}, which the caller keeps and closes. */
    public SqliteTaskStore(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    @Override
    public void save(TaskInfo task) {
        Objects.requireNonNull(task, "task");
        database.withConnection(c -> {
            try (PreparedStatement upsert = c.prepareStatement("INSERT OR REPLACE INTO tasks (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                upsert.setString(1, task.id());
                upsert.setString(2, task.spec().code());
                upsert.setString(3, task.spec().template().id());
                upsert.setLong(4, task.spec().timeout().toMillis());
                upsert.setInt(5, task.spec().verbose() ? 1 : 0);
                upsert.setString(6, json(task.spec().requiredTools()));
                upsert.setString(7, task.status().id());
                upsert.setString(8, task.output());
                upsert.setString(9, task.error().orElse(null));
                if (task.exitCode().isPresent()) {
                    upsert.setInt(10, task.exitCode().get());
                } else {
                    upsert.setNull(10, Types.INTEGER);
                }
                upsert.setInt(11, task.attempts());
                upsert.setString(12, Timestamps.toText(task.createdAt()));
                upsert.setString(13, task.startedAt().map(Timestamps::toText).orElse(null));
                upsert.setString(14, task.finishedAt().map(Timestamps::toText).orElse(null));
                upsert.setString(15, task.spec().image().orElse(null));
                upsert.setString(16, task.spec().pull() == ImagePull.MISSING ? null : task.spec().pull().id());
                upsert.setString(17, task.spec().backend().orElse(null));
                upsert.setString(18, NetworkPolicyJson.write(task.spec().egress()));
                return upsert.executeUpdate();
            }
        });
    }

    @Override
    public Optional<TaskInfo> find(String id) {
        Objects.requireNonNull(id, "id");
        return database.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM tasks WHERE id = ?")) {
                select.setString(1, id);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(task(rows)) : Optional.<TaskInfo>empty();
                }
            }
        });
    }

    @Override
    public List<TaskInfo> list(int limit) {
        return database.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM tasks ORDER BY created_at DESC, id LIMIT ?")) {
                select.setInt(1, limit);
                try (ResultSet rows = select.executeQuery()) {
                    List<TaskInfo> tasks = new ArrayList<>();
                    while (rows.next()) {
                        tasks.add(task(rows));
                    }
                    return List.copyOf(tasks);
                }
            }
        });
    }

    @Override
    public int failUnfinished(String reason, Instant at) {
        return database.withConnection(c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE tasks SET status = ?, error = ?, finished_at = ? WHERE status = ?")) {
                update.setString(1, TaskStatus.FAILED.id());
                update.setString(2, reason);
                update.setString(3, Timestamps.toText(at));
                update.setString(4, TaskStatus.RUNNING.id());
                return update.executeUpdate();
            }
        });
    }

    @Override
    public int pruneFinished(Instant finishedBefore) {
        Objects.requireNonNull(finishedBefore, "finishedBefore");
        return database.withConnection(c -> {
            try (PreparedStatement delete = c.prepareStatement(
                    "DELETE FROM tasks WHERE status <> ? AND finished_at IS NOT NULL AND finished_at < ?")) {
                delete.setString(1, TaskStatus.RUNNING.id());
                delete.setString(2, Timestamps.toText(finishedBefore));
                return delete.executeUpdate();
            }
        });
    }

    private static TaskInfo task(ResultSet r) throws SQLException {
        String pull = r.getString("pull");
        TaskSpec spec = new TaskSpec(r.getString("code"), InterpreterTemplate.fromName(r.getString("template")),
                Duration.ofMillis(r.getLong("timeout_ms")), r.getInt("verbose") == 1, tools(r.getString("required_tools")),
                Optional.ofNullable(r.getString("image")),
                pull == null ? ImagePull.MISSING : ImagePull.parse(pull), Optional.ofNullable(r.getString("backend")),
                NetworkPolicyJson.read(r.getString("network_policy")));
        int exit = r.getInt("exit_code");
        Optional<Integer> exitCode = r.wasNull() ? Optional.empty() : Optional.of(exit);
        return new TaskInfo(r.getString("id"), spec, TaskStatus.fromId(r.getString("status")), r.getString("output"),
                Optional.ofNullable(r.getString("error")), exitCode, r.getInt("attempts"),
                Timestamps.fromText(r.getString("created_at")),
                Optional.ofNullable(r.getString("started_at")).map(Timestamps::fromText),
                Optional.ofNullable(r.getString("finished_at")).map(Timestamps::fromText));
    }

    private static String json(List<String> tools) {
        try {
            return JSON.writeValueAsString(tools);
        } catch (JsonProcessingException e) {
            throw new SandboxFailureException("cannot encode a task's required tools: " + e.getMessage(), e);
        }
    }

    private static List<String> tools(String json) {
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            throw new SandboxFailureException("a task record holds unreadable required tools: " + e.getMessage(), e);
        }
    }
}
