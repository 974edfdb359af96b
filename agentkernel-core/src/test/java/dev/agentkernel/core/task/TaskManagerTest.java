package dev.agentkernel.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.core.session.InterpreterTemplate;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.NotFoundException;
import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.ResourceExhaustedException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The task manager's bookkeeping with a scripted runner (no sandboxes: those are tested in
 * the server's integration tests): queueing in order, statuses, output so far, cancellation,
 * retries of infrastructure failures only, and records that survive a restart.
 */
class TaskManagerTest {

    /** Runs "sleep:MS", "print:TEXT", "exit:N", "infra:N" (fails N times), "timeout". */
    static final class ScriptedRunner implements TaskRunner {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        final List<String> started = new ArrayList<>();
        final AtomicInteger infraFailures = new AtomicInteger();

        @Override
        public TaskOutcome run(TaskSpec spec, dev.agentkernel.agent.OutputSink output, java.util.function.BooleanSupplier cancelled)
                throws InterruptedException {
            synchronized (started) {
                started.add(spec.code());
            }
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                String[] op = spec.code().split(":", 2);
                switch (op[0]) {
                    case "sleep" -> {
                        long end = System.nanoTime() + Long.parseLong(op[1]) * 1_000_000;
                        byte[] b = "tick\n".getBytes(StandardCharsets.UTF_8);
                        output.accept(OutputStreamKind.STDOUT, b, 0, b.length);
                        while (System.nanoTime() < end) {
                            if (cancelled.getAsBoolean()) {
                                return new TaskOutcome.Cancelled();
                            }
                            Thread.sleep(5);
                        }
                        return new TaskOutcome.Exited(0);
                    }
                    case "print" -> {
                        byte[] b = op[1].getBytes(StandardCharsets.UTF_8);
                        output.accept(OutputStreamKind.STDOUT, b, 0, b.length);
                        byte[] e = "warning\n".getBytes(StandardCharsets.UTF_8);
                        output.accept(OutputStreamKind.STDERR, e, 0, e.length);
                        return new TaskOutcome.Exited(0);
                    }
                    case "exit" -> {
                        byte[] e = "Traceback: boom\n".getBytes(StandardCharsets.UTF_8);
                        output.accept(OutputStreamKind.STDERR, e, 0, e.length);
                        return new TaskOutcome.Exited(Integer.parseInt(op[1]));
                    }
                    case "infra" -> {
                        if (infraFailures.incrementAndGet() <= Integer.parseInt(op[1])) {
                            return new TaskOutcome.InfrastructureFailure("sandbox did not start");
                        }
                        return new TaskOutcome.Exited(0);
                    }
                    case "timeout" -> {
                        return new TaskOutcome.TimedOut(spec.timeout());
                    }
                    default -> throw new IllegalArgumentException(spec.code());
                }
            } finally {
                running.decrementAndGet();
            }
        }
    }

    final ScriptedRunner runner = new ScriptedRunner();
    final TaskStore store = TaskStore.inMemory();

    TaskManager manager(int workers, int retries) {
        return new TaskManager(runner, store, TaskSettings.defaults().withMaxWorkers(workers).withMaxRetries(retries),
                Clock.systemUTC());
    }

    static TaskInfo dispatch(TaskManager m, String code) {
        return dispatch(m, code, false);
    }

    static TaskInfo dispatch(TaskManager m, String code, boolean verbose) {
        return m.dispatch(code, InterpreterTemplate.PYTHON, Optional.empty(), verbose, List.of());
    }

    @Test
    void aTaskCompletesWithItsOutput() throws Exception {
        try (TaskManager m = manager(2, 0)) {
            TaskInfo t = dispatch(m, "print:hello\n");
            assertThat(t.id()).matches("task-[0-9a-f]{16}");
            assertThat(t.status()).isEqualTo(TaskStatus.RUNNING);
            TaskInfo done = m.await(t.id(), Duration.ofSeconds(5));
            assertThat(done.status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(done.output()).isEqualTo("hello\n");
            assertThat(done.exitCode()).contains(0);
            assertThat(done.error()).isEmpty();
            assertThat(done.startedAt()).isPresent();
            assertThat(done.finishedAt()).isPresent();
            assertThat(m.status(t.id())).isEqualTo(done);
            assertThat(store.find(t.id())).contains(done);
        }
    }

    @Test
    void verboseOutputAlsoHasStderrAndHowItEnded() throws Exception {
        try (TaskManager m = manager(2, 0)) {
            TaskInfo done = m.await(dispatch(m, "print:hello\n", true).id(), Duration.ofSeconds(5));
            assertThat(done.output()).startsWith("hello\nwarning\n").contains("[attempt 1 ended after").contains("exit code 0");
        }
    }

    @Test
    void aFailingTaskCarriesItsErrorAndExitCode() throws Exception {
        try (TaskManager m = manager(2, 3)) {
            TaskInfo done = m.await(dispatch(m, "exit:3").id(), Duration.ofSeconds(5));
            assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(done.exitCode()).contains(3);
            assertThat(done.error().orElseThrow()).contains("Traceback: boom").contains("exit code 3");
            assertThat(done.attempts()).as("its own failure is never retried").isEqualTo(1);
        }
    }

    @Test
    void infrastructureFailuresAreRetriedUpToTheLimit() throws Exception {
        try (TaskManager m = manager(2, 2)) {
            TaskInfo ok = m.await(dispatch(m, "infra:2").id(), Duration.ofSeconds(10));
            assertThat(ok.status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(ok.attempts()).isEqualTo(3);
            runner.infraFailures.set(0);
            TaskInfo failed = m.await(dispatch(m, "infra:5").id(), Duration.ofSeconds(10));
            assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(failed.attempts()).isEqualTo(3);
            assertThat(failed.error().orElseThrow()).contains("could not be run (3 attempts): sandbox did not start");
        }
    }

    @Test
    void aTimeoutIsItsOwnStatus() throws Exception {
        try (TaskManager m = manager(1, 0)) {
            TaskInfo t = m.dispatch("timeout", InterpreterTemplate.PYTHON, Optional.of(Duration.ofSeconds(7)), false, List.of());
            TaskInfo done = m.await(t.id(), Duration.ofSeconds(5));
            assertThat(done.status()).isEqualTo(TaskStatus.TIMEOUT);
            assertThat(done.error().orElseThrow()).contains("timeout of 7 s");
        }
    }

    @Test
    void tasksPastTheWorkerLimitWaitInOrderAndAreReportedAsQueued() throws Exception {
        try (TaskManager m = manager(2, 0)) {
            List<TaskInfo> tasks = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                tasks.add(dispatch(m, "sleep:" + (150 + i)));
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (runner.running.get() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            long queued = tasks.stream().map(t -> m.status(t.id())).filter(TaskInfo::queued).count();
            assertThat(queued).isEqualTo(4);
            for (TaskInfo t : tasks) {
                assertThat(m.await(t.id(), Duration.ofSeconds(10)).status()).isEqualTo(TaskStatus.COMPLETED);
            }
            assertThat(runner.maxRunning.get()).isEqualTo(2);
            // in order, but two workers take the next two tasks at about the same time: pairs in either order
            List<String> codes = tasks.stream().map(t -> t.spec().code()).toList();
            assertThat(runner.started).hasSameSizeAs(codes);
            for (int i = 0; i < codes.size(); i += 2) {
                assertThat(runner.started.subList(i, i + 2)).containsExactlyInAnyOrderElementsOf(codes.subList(i, i + 2));
            }
        }
    }

    @Test
    void waitingReturnsTheRunningTaskWithItsOutputSoFarWhenTimeRunsOut() throws Exception {
        try (TaskManager m = manager(1, 0)) {
            TaskInfo t = dispatch(m, "sleep:2000");
            TaskInfo mid = m.await(t.id(), Duration.ofMillis(200));
            assertThat(mid.status()).isEqualTo(TaskStatus.RUNNING);
            assertThat(mid.output()).isEqualTo("tick\n");
            m.cancel(t.id());
        }
    }

    @Test
    void cancellingARunningOrQueuedTaskStopsIt() throws Exception {
        try (TaskManager m = manager(1, 0)) {
            TaskInfo running = dispatch(m, "sleep:10000");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (m.status(running.id()).startedAt().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            TaskInfo queued = dispatch(m, "sleep:10000");
            TaskManager.Cancellation q = m.cancel(queued.id());
            assertThat(q.cancelled()).isTrue();
            assertThat(q.task().error().orElseThrow()).contains("before it started");
            assertThat(m.status(running.id()).status()).isEqualTo(TaskStatus.RUNNING);
            long begin = System.nanoTime();
            TaskManager.Cancellation c = m.cancel(running.id());
            assertThat(c.cancelled()).isTrue();
            assertThat(c.task().status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat((System.nanoTime() - begin) / 1_000_000).isLessThan(2000);
            TaskManager.Cancellation again = m.cancel(running.id());
            assertThat(again.cancelled()).isFalse();
            assertThat(again.message()).contains("already ended: cancelled");
        }
    }

    @Test
    void tasksLeftRunningByAnEarlierDaemonAreReportedFailed() throws Exception {
        TaskInfo unfinished;
        TaskManager first = manager(1, 0);
        unfinished = dispatch(first, "sleep:10000");
        TaskInfo finished = first.await(dispatch(first, "print:x").id(), Duration.ofMillis(10));
        // The first manager "dies" without recording anything more: a new one opens the same store.
        TaskManager second = manager(1, 0);
        assertThat(second.interruptedAtStart()).isEqualTo(2);
        TaskInfo after = second.status(unfinished.id());
        assertThat(after.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(after.error().orElseThrow()).contains("daemon stopped");
        assertThat(second.status(finished.id()).status()).isIn(TaskStatus.FAILED, TaskStatus.COMPLETED);
        first.close();
        second.close();
    }

    @Test
    void listShowsNewestFirstAndUnknownIdsAreNotFound() throws Exception {
        try (TaskManager m = manager(2, 0)) {
            TaskInfo a = m.await(dispatch(m, "print:a").id(), Duration.ofSeconds(5));
            Thread.sleep(2);
            TaskInfo b = m.await(dispatch(m, "print:b").id(), Duration.ofSeconds(5));
            assertThat(m.list()).extracting(TaskInfo::id).containsSubsequence(b.id(), a.id());
            assertThatThrownBy(() -> m.status("task-0000000000000000")).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> m.status("../x")).isInstanceOf(NotFoundException.class).hasMessageContaining("invalid id");
        }
    }

    @Test
    void badDispatchesAreRefused() throws Exception {
        try (TaskManager m = new TaskManager(runner, store, new TaskSettings(1, Duration.ofSeconds(5), Duration.ofSeconds(10),
                0, 2, 4096, 10), Clock.systemUTC())) {
            assertThatThrownBy(() -> dispatch(m, " ")).isInstanceOf(InvalidRequestException.class);
            assertThatThrownBy(() -> m.dispatch("print:x", InterpreterTemplate.PYTHON, Optional.of(Duration.ofSeconds(11)),
                    false, List.of())).isInstanceOf(InvalidRequestException.class).hasMessageContaining("at most 10 seconds");
            dispatch(m, "sleep:5000");
            dispatch(m, "sleep:5000");
            assertThatThrownBy(() -> dispatch(m, "print:x")).isInstanceOf(ResourceExhaustedException.class);
        }
    }

    @Test
    void shutdownWaitsOrCancels() throws Exception {
        TaskManager m = manager(2, 0);
        TaskInfo t = dispatch(m, "sleep:200");
        m.shutdown(true);
        assertThat(m.status(t.id()).status()).isEqualTo(TaskStatus.COMPLETED);
        assertThatThrownBy(() -> dispatch(m, "print:x")).isInstanceOf(dev.agentkernel.model.ConflictException.class);
        TaskManager n = manager(2, 0);
        TaskInfo u = dispatch(n, "sleep:10000");
        CountDownLatch closed = new CountDownLatch(1);
        Thread.ofVirtual().start(() -> {
            n.close();
            closed.countDown();
        });
        assertThat(closed.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(n.status(u.id()).status()).isEqualTo(TaskStatus.FAILED);
        assertThat(n.status(u.id()).error().orElseThrow()).contains("the daemon stopped");
    }

    @Test
    void outputBeyondTheLimitKeepsItsEnd() {
        TailBuffer b = new TailBuffer(8);
        b.append("0123456789abc");
        assertThat(b.text()).isEqualTo("[... 5 earlier bytes dropped ...]\n56789abc");
        TailBuffer c = new TailBuffer(8);
        c.append("abc");
        c.append("defghij");
        assertThat(c.text()).isEqualTo("[... 2 earlier bytes dropped ...]\ncdefghij");
    }
}
