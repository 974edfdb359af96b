package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.core.audit.AuditEvent;
import dev.agentkernel.core.audit.AuditEventType;
import dev.agentkernel.core.session.InterpreterTemplate;
import dev.agentkernel.core.task.TaskInfo;
import dev.agentkernel.core.task.TaskSpec;
import dev.agentkernel.core.task.TaskStatus;
import dev.agentkernel.store.Database;
import dev.agentkernel.store.SqliteAuditLog;
import dev.agentkernel.store.SqliteTaskStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's retention: old and surplus audit events and long-finished tasks go, at start and on its interval. */
class RetentionSweeperTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    @TempDir
    Path dir;

    private static AuditEvent event(Instant at) {
        return new AuditEvent(at, AuditEventType.COMMAND_EXECUTED, Optional.of("s"), Map.of());
    }

    private static TaskInfo task(String id, TaskStatus status, Instant finished) {
        TaskSpec spec = new TaskSpec("print(1)", InterpreterTemplate.PYTHON, Duration.ofSeconds(10), false, List.of());
        return new TaskInfo(id, spec, status, "", Optional.empty(), Optional.empty(), 1, finished.minusSeconds(5),
                Optional.of(finished.minusSeconds(4)), status.isFinal() ? Optional.of(finished) : Optional.empty());
    }

    @Test
    void deletesByAgeAndCountAndNeverRunningTasks() {
        try (Database db = Database.open(dir.resolve("agentkernel.db"))) {
            SqliteAuditLog audit = new SqliteAuditLog(db);
            SqliteTaskStore tasks = new SqliteTaskStore(db);
            audit.append(event(NOW.minus(Duration.ofDays(31))));
            for (int i = 5; i > 0; i--) {
                audit.append(event(NOW.minusSeconds(i)));
            }
            tasks.save(task("task-0000000000000001", TaskStatus.COMPLETED, NOW.minus(Duration.ofDays(8))));
            tasks.save(task("task-0000000000000002", TaskStatus.FAILED, NOW.minus(Duration.ofDays(6))));
            tasks.save(task("task-0000000000000003", TaskStatus.RUNNING, NOW.minus(Duration.ofDays(30))));
            RetentionConfig config = RetentionConfig.defaults().withAuditMaxEvents(3);

            RetentionSweeper.Swept swept = new RetentionSweeper(config, audit, tasks,
                    Clock.fixed(NOW, ZoneOffset.UTC)).sweep();

            assertThat(swept).isEqualTo(new RetentionSweeper.Swept(3, 1));
            assertThat(audit.recent(10)).containsExactly(event(NOW.minusSeconds(3)), event(NOW.minusSeconds(2)),
                    event(NOW.minusSeconds(1)));
            assertThat(tasks.list(10)).extracting(TaskInfo::id)
                    .containsExactlyInAnyOrder("task-0000000000000002", "task-0000000000000003");
        }
    }

    @Test
    void sweepsWhenStartedAndThenOnItsInterval() throws Exception {
        try (Database db = Database.open(dir.resolve("agentkernel.db"))) {
            SqliteAuditLog audit = new SqliteAuditLog(db);
            SqliteTaskStore tasks = new SqliteTaskStore(db);
            RetentionConfig config = RetentionConfig.defaults().withAuditMaxEvents(1).withInterval(Duration.ofMillis(50));
            audit.append(event(Instant.now().minusSeconds(2)));
            audit.append(event(Instant.now().minusSeconds(1)));
            try (RetentionSweeper sweeper = new RetentionSweeper(config, audit, tasks, Clock.systemUTC()).start()) {
                assertThat(audit.recent(10)).hasSize(1); // at start, before start() returned
                audit.append(event(Instant.now()));
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (audit.recent(10).size() > 1 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(audit.recent(10)).hasSize(1);
            }
        }
    }
}
