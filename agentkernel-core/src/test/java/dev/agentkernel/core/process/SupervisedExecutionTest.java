package dev.agentkernel.core.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.core.backend.Stdio;
import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.Termination;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Supervises plain host processes ({@code sh}, {@code sleep}) with a fake control group: no sandbox. */
@Timeout(30)
class SupervisedExecutionTest {

    private final FakeCgroup cgroup = new FakeCgroup();
    private final AtomicInteger cleanups = new AtomicInteger();
    private final Map<OutputStreamKind, ByteArrayOutputStream> output = new ConcurrentHashMap<>();
    private SupervisedExecution execution;
    private Process process;

    @AfterEach
    void tearDown() {
        if (execution != null) {
            execution.close();
        }
        if (process != null) {
            process.destroyForcibly();
        }
    }

    private Stdio capture() {
        return Stdio.capture(this::collect);
    }

    private void collect(OutputStreamKind kind, byte[] bytes, int offset, int length) {
        ByteArrayOutputStream stream = output.computeIfAbsent(kind, k -> new ByteArrayOutputStream());
        synchronized (stream) {
            stream.write(bytes, offset, length);
        }
    }

    private String out(OutputStreamKind kind) {
        ByteArrayOutputStream stream = output.get(kind);
        return stream == null ? "" : stream.toString(StandardCharsets.UTF_8);
    }

    private SupervisedExecution run(Stdio stdio, Optional<Duration> timeout, Duration grace, String... argv) {
        ProcessBuilder builder = new ProcessBuilder(argv);
        SupervisedExecution.applyRedirects(builder, stdio);
        process = Spawner.start(builder);
        execution = SupervisedExecution.supervise("t1", process, stdio, timeout, grace, cgroup, 64,
                cleanups::incrementAndGet);
        return execution;
    }

    @Test
    void theExitCodeIsReportedAndEverythingIsCleanedUpOnceBeforeAwaitReturns() throws Exception {
        Termination end = run(capture(), Optional.empty(), Duration.ofSeconds(1), "sh", "-c", "exit 3").await();

        assertThat(end).isEqualTo(new Termination.Exited(3));
        assertThat(cleanups).hasValue(1);
        assertThat(cgroup.destroyed).hasValue(1);

        execution.close();
        assertThat(execution.await()).isEqualTo(new Termination.Exited(3));
        assertThat(cleanups).as("clean-up runs once").hasValue(1);
        assertThat(cgroup.destroyed).hasValue(1);
        assertThat(execution.id()).isEqualTo("t1");
    }

    @Test
    void theEndIsSeenWhileEveryThreadOfTheCommonPoolIsBusy() throws Exception {
        // The JDK's Process.onExit() completes through the common pool (one thread on two CPUs): a run supervised
        // through it never ended while a test read a child's output there.
        int threads = java.util.concurrent.ForkJoinPool.getCommonPoolParallelism();
        java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(threads);
        java.util.concurrent.atomic.AtomicBoolean release = new java.util.concurrent.atomic.AtomicBoolean();
        for (int i = 0; i < threads; i++) {
            java.util.concurrent.CompletableFuture.runAsync(() -> {
                busy.countDown();
                while (!release.get()) {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // not a managed block: no spare thread
                }
            });
        }
        try {
            assertThat(busy.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

            Optional<Termination> end = run(capture(), Optional.of(Duration.ofSeconds(30)), Duration.ofSeconds(1),
                    "sh", "-c", "echo out; exit 3").await(Duration.ofSeconds(10));

            assertThat(end).contains(new Termination.Exited(3));
            assertThat(out(OutputStreamKind.STDOUT)).isEqualTo("out\n");
        } finally {
            release.set(true);
        }
    }

    @Test
    void stdoutAndStderrAreDeliveredSeparatelyAndCompletely() throws Exception {
        Termination end = run(capture(), Optional.empty(), Duration.ofSeconds(1), "sh", "-c",
                "printf out; printf err >&2; head -c 1000000 /dev/zero | tr '\\0' x").await();

        assertThat(end.exitCode()).isZero();
        assertThat(out(OutputStreamKind.STDERR)).isEqualTo("err");
        String stdout = out(OutputStreamKind.STDOUT);
        assertThat(stdout).startsWith("out").hasSize(3 + 1_000_000);
        assertThat(stdout.substring(3)).containsOnlyOnce("x".repeat(1_000_000));
    }

    @Test
    void stdinIsCopiedFromTheSource() throws Exception {
        Stdio stdio = new Stdio(new Stdio.Input.From(new ByteArrayInputStream("hello\nworld\n".getBytes(StandardCharsets.UTF_8))),
                new Stdio.Output.To(this::collect), new Stdio.Output.To(this::collect));

        Termination end = run(stdio, Optional.empty(), Duration.ofSeconds(1), "wc", "-l").await();

        assertThat(end.exitCode()).isZero();
        assertThat(out(OutputStreamKind.STDOUT).strip()).isEqualTo("2");
    }

    @Test
    void awaitWithAWaitGivesUpWhileTheCommandRuns() throws Exception {
        run(capture(), Optional.empty(), Duration.ofSeconds(1), "sleep", "30");

        assertThat(execution.await(Duration.ofMillis(50))).isEmpty();
        assertThat(cleanups).hasValue(0);
    }

    @Test
    void killEndsTheCommandAsSignal9() throws Exception {
        run(capture(), Optional.empty(), Duration.ofSeconds(1), "sleep", "30");

        execution.kill();
        Termination end = execution.await();

        assertThat(end).isEqualTo(new Termination.Signaled(9));
        assertThat(end.exitCode()).isEqualTo(137);
        assertThat(cgroup.killAll.get()).isPositive();
        assertThat(cleanups).hasValue(1);
    }

    @Test
    void closeKillsARunningCommandAndCleansUp() {
        run(capture(), Optional.empty(), Duration.ofSeconds(1), "sleep", "30");

        execution.close();

        assertThat(process.isAlive()).isFalse();
        assertThat(cleanups).hasValue(1);
        assertThat(cgroup.destroyed).hasValue(1);
    }

    @Test
    void theTimeoutFirstSendsSigtermToTheSandboxsProcesses() throws Exception {
        long start = System.nanoTime();
        run(capture(), Optional.of(Duration.ofMillis(200)), Duration.ofSeconds(20), "sleep", "30");
        cgroup.pids.add(process.pid());

        Optional<Termination> end = execution.await(Duration.ofSeconds(10));

        assertThat(end).as("SIGTERM ends it long before the 20 s grace").isPresent();
        assertThat(end.get()).isEqualTo(new Termination.TimedOut(Duration.ofMillis(200)));
        assertThat(end.get().exitCode()).isEqualTo(124);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(cgroup.killAll).as("no SIGKILL needed").hasValue(0);
    }

    @Test
    void aCommandIgnoringSigtermIsKilledAfterTheGracePeriod() throws Exception {
        Stdio quiet = new Stdio(new Stdio.Input.Empty(), new Stdio.Output.Discard(), new Stdio.Output.Discard());
        long start = System.nanoTime();
        run(quiet, Optional.of(Duration.ofMillis(100)), Duration.ofMillis(300), "sh", "-c", "trap '' TERM; exec sleep 30");
        cgroup.pids.add(process.pid());

        Termination end = execution.await();

        assertThat(end).isEqualTo(new Termination.TimedOut(Duration.ofMillis(100)));
        assertThat(cgroup.killAll.get()).isPositive();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(cleanups).hasValue(1);
    }

    @Test
    void aNonZeroExitAfterAnOomKillIsOutOfMemory() throws Exception {
        cgroup.oomKilled = true;

        Termination end = run(capture(), Optional.empty(), Duration.ofSeconds(1), "sh", "-c", "exit 137").await();

        assertThat(end).isEqualTo(new Termination.OutOfMemory(64));
    }

    @Test
    void aZeroExitIsNotOutOfMemoryEvenIfTheKernelKilledSomething() throws Exception {
        cgroup.oomKilled = true;

        assertThat(run(capture(), Optional.empty(), Duration.ofSeconds(1), "true").await())
                .isEqualTo(new Termination.Exited(0));
    }

    @Test
    void aFailingSinkDoesNotBlockTheCommand() throws Exception {
        AtomicLong calls = new AtomicLong();
        Stdio stdio = Stdio.capture((kind, bytes, offset, length) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("client went away");
        });

        Termination end = run(stdio, Optional.empty(), Duration.ofSeconds(1), "sh", "-c",
                "head -c 2000000 /dev/zero; exit 5").await();

        assertThat(end).isEqualTo(new Termination.Exited(5));
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void redirectsMatchTheStdio() {
        ProcessBuilder builder = new ProcessBuilder("true");
        SupervisedExecution.applyRedirects(builder, Stdio.inherit());
        assertThat(builder.redirectInput()).isEqualTo(ProcessBuilder.Redirect.INHERIT);
        assertThat(builder.redirectOutput()).isEqualTo(ProcessBuilder.Redirect.INHERIT);
        assertThat(builder.redirectError()).isEqualTo(ProcessBuilder.Redirect.INHERIT);

        SupervisedExecution.applyRedirects(builder, Stdio.capture((k, b, o, l) -> { }));
        assertThat(builder.redirectInput()).isEqualTo(ProcessBuilder.Redirect.from(new File("/dev/null")));
        assertThat(builder.redirectOutput()).isEqualTo(ProcessBuilder.Redirect.PIPE);
        assertThat(builder.redirectError()).isEqualTo(ProcessBuilder.Redirect.PIPE);

        SupervisedExecution.applyRedirects(builder, new Stdio(new Stdio.Input.From(new ByteArrayInputStream(new byte[0])),
                new Stdio.Output.Discard(), new Stdio.Output.Discard()));
        assertThat(builder.redirectInput()).isEqualTo(ProcessBuilder.Redirect.PIPE);
        assertThat(builder.redirectOutput()).isEqualTo(ProcessBuilder.Redirect.DISCARD);
        assertThat(builder.redirectError()).isEqualTo(ProcessBuilder.Redirect.DISCARD);
    }

    @Test
    void argumentsReachTheProgramUnchanged() throws Exception {
        // sh -c SCRIPT NAME ARGS...: the script prints every argument in brackets
        run(capture(), Optional.empty(), Duration.ofSeconds(1), "sh", "-c",
                "for a in \"$@\"; do printf '[%s]' \"$a\"; done", "sh",
                "a b", "", "--bind", "$HOME", "'quoted'", "a\"b").await();

        assertThat(out(OutputStreamKind.STDOUT)).isEqualTo("[a b][][--bind][$HOME]['quoted'][a\"b]");
    }
}
