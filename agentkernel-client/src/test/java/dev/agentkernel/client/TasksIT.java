package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Background tasks and tool discovery through the SDK against the real daemon: dispatch and
 * collect, failures, timeouts, cancellation, the shared workspace, required tools, the
 * {@link TaskManager}'s shutdown and close, and one-off {@code executeTask}. Every test leaves
 * no task running.
 */
class TasksIT extends DaemonTestBase {

    @AfterEach
    void noTaskLeftRunning() {
        try (AgentKernel check = fx.client()) {
            List<TaskInfo> running = check.listTasks().stream().filter(t -> !t.isFinal()).toList();
            running.forEach(t -> check.cancelTask(t.taskId()));
            assertThat(running).as("tasks left running by the test").isEmpty();
        }
    }

    @Test
    void tasksAreDispatchedAtOnceAndCollected() {
        List<TaskInfo> dispatched = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            dispatched.add(client.dispatchTask("print(" + i + " ** 3)"));
        }
        for (TaskInfo t : dispatched) {
            assertThat(t.status()).isEqualTo(TaskStatus.RUNNING);
            assertThat(t.taskId()).matches("task-[0-9a-f]{16}");
            assertThat(t.template()).isEqualTo("python");
            assertThat(t.createdAt()).isPresent();
        }
        for (int i = 0; i < 4; i++) {
            TaskInfo done = client.waitForTask(dispatched.get(i).taskId(), Duration.ofSeconds(60));
            assertThat(done.status()).as("%s", done).isEqualTo(TaskStatus.COMPLETED);
            assertThat(done.output()).isEqualTo((i * i * i) + "\n");
            assertThat(done.exitCode()).contains(0);
            assertThat(done.error()).isEmpty();
            assertThat(done.finishedAt()).isPresent();
            assertThat(client.getTask(done.taskId())).isEqualTo(done);
        }
        assertThat(client.listTasks()).extracting(TaskInfo::taskId)
                .containsAll(dispatched.stream().map(TaskInfo::taskId).toList());
    }

    @Test
    void aFailingTaskCarriesItsTracebackAndATimeoutIsKilled() {
        TaskResult failed = client.executeTask("print('before')\nx = 1 / 0");
        assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(failed.output()).isEqualTo("before\n");
        assertThat(failed.error()).hasValueSatisfying(e -> assertThat(e).contains("Traceback")
                .contains("ZeroDivisionError: division by zero"));
        assertThat(failed.exitCode()).contains(1);

        TaskResult spun = client.executeTask("while True:\n    pass", TaskOptions.defaults().withTimeout(Duration.ofSeconds(1)));
        assertThat(spun.status()).isEqualTo(TaskStatus.TIMEOUT);
        assertThat(spun.error()).hasValueSatisfying(e -> assertThat(e).contains("timeout of 1 s"));
    }

    @Test
    void aShortWaitReturnsTheTaskRunningAndCancelKillsIt() {
        TaskInfo task = client.dispatchTask("import time\nprint('started', flush=True)\ntime.sleep(300)");
        TaskInfo still = client.waitForTask(task.taskId(), Duration.ofMillis(1500));
        assertThat(still.status()).isEqualTo(TaskStatus.RUNNING);
        Cancellation c = client.cancelTask(task.taskId());
        assertThat(c.cancelled()).isTrue();
        assertThat(c.task().status()).isEqualTo(TaskStatus.CANCELLED);
        Cancellation again = client.cancelTask(task.taskId());
        assertThat(again.cancelled()).isFalse();
        assertThat(again.message()).contains("already ended");
        assertThatThrownBy(() -> client.getTask("task-0000000000000000")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.cancelTask("task-0000000000000000")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void otherTemplatesVerboseOutputAndTheSharedWorkspace() {
        String file = "/workspace/tasks-it-" + ProcessHandle.current().pid() + ".txt";
        TaskResult wrote = client.executeTask("echo shared > " + file + " && echo wrote", TaskOptions.defaults().withTemplate("bash"));
        assertThat(wrote.status()).as("%s", wrote).isEqualTo(TaskStatus.COMPLETED);
        TaskResult read = client.executeTask("const fs = require('fs');\nconsole.log(fs.readFileSync('" + file + "', 'utf8').trim());\n"
                + "fs.unlinkSync('" + file + "');", TaskOptions.defaults().withTemplate("node"));
        assertThat(read.status()).as("%s", read).isEqualTo(TaskStatus.COMPLETED);
        assertThat(read.output()).isEqualTo("shared\n");
        TaskResult verbose = client.executeTask("import sys\nprint('out')\nprint('err', file=sys.stderr)",
                TaskOptions.defaults().withVerbose(true));
        assertThat(verbose.output()).contains("out\n").contains("err\n");
        assertThatThrownBy(() -> client.dispatchTask("1", TaskOptions.defaults().withTemplate("cobol")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.getMessage()).contains("unknown template"));
    }

    @Test
    void toolLibrariesAreDiscoveredAndImportable() {
        ToolCatalog all = client.searchTools();
        assertThat(all.toolsDir()).isPresent();
        assertThat(all.libraries()).extracting(ToolLibrary::name).containsExactly("stats");
        ToolLibrary stats = all.libraries().getFirst();
        assertThat(stats.language()).isEqualTo("python");
        assertThat(stats.functions()).extracting(ToolFunction::signature).containsExactly("mean(xs)");
        assertThat(client.searchTools("arithmetic mean").libraries()).hasSize(1);
        assertThat(client.searchTools("weather").libraries()).isEmpty();
        client.clearToolCache();

        TaskResult used = client.executeTask("import stats\nprint(stats.mean([1, 2, 3, 4]))",
                TaskOptions.defaults().withRequiredTool("stats"));
        assertThat(used.status()).as("%s", used).isEqualTo(TaskStatus.COMPLETED);
        assertThat(used.output()).isEqualTo("2.5\n");
        TaskResult missing = client.executeTask("print(1)", TaskOptions.defaults().withRequiredTool("weather"));
        assertThat(missing.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(missing.error()).hasValueSatisfying(e -> assertThat(e).contains("'weather'"));
    }

    @Test
    void aManagerCollectsListsItsOwnAndCancelsWhatIsLeftOnClose() {
        String sleeper;
        TaskManager manager = client.taskManager(TaskOptions.defaults().withTimeout(Duration.ofMinutes(2)));
        try (manager) {
            String quick = manager.dispatchTask("print('quick')");
            sleeper = manager.dispatchTask("import time\ntime.sleep(300)");
            assertThat(manager.waitForTask(quick).output()).isEqualTo("quick\n");
            assertThat(manager.listTasks()).extracting(TaskInfo::taskId).containsExactlyInAnyOrder(quick, sleeper);
            assertThat(manager.getTaskStatus(sleeper).timeout()).isEqualTo(Duration.ofMinutes(2));
        }
        assertThat(client.getTask(sleeper).status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(manager.isShutdown()).isTrue();
        assertThatThrownBy(() -> manager.dispatchTask("1")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shutdownWithWaitLetsTheTasksFinish() {
        TaskManager manager = client.taskManager();
        String a = manager.dispatchTask("import time\ntime.sleep(1)\nprint('a')");
        String b = manager.dispatchTask("print('b')");
        manager.shutdown(true);
        assertThat(client.getTask(a).output()).isEqualTo("a\n");
        assertThat(client.getTask(b).status()).isEqualTo(TaskStatus.COMPLETED);
        manager.close();
        assertThat(client.getTask(a).status()).isEqualTo(TaskStatus.COMPLETED);
    }

    @Test
    void theAsyncClientExecutesTasksInParallel() {
        List<CompletableFuture<TaskResult>> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            all.add(async.executeTask("print(" + i + ")", TaskOptions.defaults()));
        }
        for (int i = 0; i < 3; i++) {
            TaskResult r = all.get(i).join();
            assertThat(r.status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(r.output()).isEqualTo(i + "\n");
        }
    }
}
