package dev.agentkernel.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.core.session.InterpreterTemplate;
import dev.agentkernel.core.task.TaskInfo;
import dev.agentkernel.core.task.TaskSpec;
import dev.agentkernel.core.task.TaskStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Task records read back equal, are listed newest first, and unfinished ones can be failed after a restart. */
class SqliteTaskStoreTest {

    @TempDir
    Path dir;

    static TaskInfo task(String id, TaskStatus status, Instant created) {
        TaskSpec spec = new TaskSpec("print('h\u00e9')\n", InterpreterTemplate.NODE, Duration.ofMillis(1500), true,
                List.of("finance", "text"));
        boolean done = status.isFinal();
        return new TaskInfo(id, spec, status, "out\n", done ? Optional.of("boom") : Optional.empty(),
                done ? Optional.of(3) : Optional.empty(), 2, created, Optional.of(created.plusMillis(5)),
                done ? Optional.of(created.plusSeconds(1)) : Optional.empty());
    }

    @Test
    void recordsReadBackEqualAndSurviveReopening() {
        Instant t0 = Instant.parse("2026-11-22T09:00:00.123456789Z");
        TaskInfo failed = task("task-0000000000000001", TaskStatus.FAILED, t0);
        TaskInfo running = task("task-0000000000000002", TaskStatus.RUNNING, t0.plusSeconds(1));
        TaskSpec onImage = new TaskSpec("echo hi", InterpreterTemplate.BASH, Duration.ofSeconds(2), false, List.of(),
                Optional.of("127.0.0.1:5000/team/tool:1"), dev.agentkernel.model.ImagePull.ALWAYS, Optional.of("gvisor"));
        TaskInfo queued = new TaskInfo("task-0000000000000003", onImage, TaskStatus.RUNNING, "", Optional.empty(),
                Optional.empty(), 0, t0.plusSeconds(2), Optional.empty(), Optional.empty());
        try (Database db = Database.open(dir.resolve("a.db"))) {
            SqliteTaskStore store = new SqliteTaskStore(db);
            store.save(failed);
            store.save(running);
            store.save(queued);
            assertThat(store.find(failed.id())).contains(failed);
            assertThat(store.find(queued.id())).contains(queued);
            assertThat(store.find("task-nope")).isEmpty();
            assertThat(store.list(10)).extracting(TaskInfo::id).containsExactly(queued.id(), running.id(), failed.id());
            assertThat(store.list(1)).hasSize(1);
        }
        try (Database db = Database.open(dir.resolve("a.db"))) {
            SqliteTaskStore store = new SqliteTaskStore(db);
            Instant now = t0.plusSeconds(60);
            assertThat(store.failUnfinished("daemon stopped", now)).isEqualTo(2);
            TaskInfo after = store.find(running.id()).orElseThrow();
            assertThat(after.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(after.error()).contains("daemon stopped");
            assertThat(after.finishedAt()).contains(now);
            assertThat(after.output()).isEqualTo("out\n");
            assertThat(store.find(failed.id())).contains(failed);
            assertThat(store.failUnfinished("again", now)).isZero();
        }
    }

    @Test
    void pruneFinishedDeletesTasksThatEndedBeforeTheCutOffAndNeverRunningOnes() {
        Instant t0 = Instant.parse("2026-11-22T09:00:00Z");
        TaskInfo old = task("task-0000000000000001", TaskStatus.COMPLETED, t0);              // ended t0 + 1 s
        TaskInfo recent = task("task-0000000000000002", TaskStatus.FAILED, t0.plusSeconds(100)); // ended t0 + 101 s
        TaskInfo running = task("task-0000000000000003", TaskStatus.RUNNING, t0.minusSeconds(1000));
        try (Database db = Database.open(dir.resolve("p.db"))) {
            SqliteTaskStore store = new SqliteTaskStore(db);
            store.save(old);
            store.save(recent);
            store.save(running);
            assertThat(store.pruneFinished(t0.plusSeconds(50))).isEqualTo(1);
            assertThat(store.find(old.id())).isEmpty();
            assertThat(store.find(recent.id())).contains(recent);
            assertThat(store.pruneFinished(Instant.parse("2100-01-01T00:00:00Z"))).isEqualTo(1);
            assertThat(store.list(10)).extracting(TaskInfo::id).containsExactly(running.id());
        }
    }
}
