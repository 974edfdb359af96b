package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.TaskInfo;
import dev.agentkernel.testing.TestDirectories;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code task} and {@code tools} against a real daemon in this JVM (with a tools directory), and
 * {@code task dispatch --wait -} once as the launcher jar with piped stdin, for its exit code.
 * Every test leaves no task running.
 */
class TasksIT {

    private static Path tools;
    private static TestDaemon daemon;

    @BeforeAll
    static void startDaemon() throws IOException {
        TestDaemon.assumeSandboxHost();
        tools = Files.createTempDirectory("ak-cli-tools-");
        Files.writeString(tools.resolve("finance.py"), "\"\"\"Money helpers.\"\"\"\n\n\ndef average(xs):\n"
                + "    \"\"\"The mean of xs.\"\"\"\n    return sum(xs) / len(xs)\n");
        daemon = TestDaemon.start(List.of(), c -> c.withTasks(dev.agentkernel.server.TaskConfig.defaults().withToolsDir(tools)));
    }

    @AfterAll
    static void stopDaemon() throws IOException {
        if (daemon != null) {
            daemon.close();
        }
        if (tools != null) {
            TestDirectories.delete(tools);
        }
    }

    @AfterEach
    void noTaskLeftRunning() {
        try (AgentKernel client = daemon.client()) {
            List<TaskInfo> running = client.listTasks().stream().filter(t -> !t.isFinal()).toList();
            running.forEach(t -> client.cancelTask(t.taskId()));
            assertThat(running).as("tasks left running by the test").isEmpty();
        }
    }

    private static SandboxCommandsIT.Result cli(String... args) {
        List<String> argv = new ArrayList<>(List.of(args[0], "--url", daemon.url()));
        argv.addAll(List.of(args).subList(1, args.length));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(argv.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new SandboxCommandsIT.Result(code, out.toString(), err.toString());
    }

    @Test
    void aTaskIsDispatchedWaitedForListedAndShown() {
        SandboxCommandsIT.Result dispatched = cli("task", "dispatch", "import time\ntime.sleep(1)\nprint(6 * 7)");
        assertThat(dispatched.code()).as(dispatched.toString()).isZero();
        String id = dispatched.out().strip();
        assertThat(id).matches("task-[0-9a-f]{16}");
        assertThat(cli("task", "list", "--ids").out().lines().toList()).contains(id);
        assertThat(cli("task", "list").out()).contains(id).contains("python");

        SandboxCommandsIT.Result waited = cli("task", "wait", id);
        assertThat(waited.code()).as(waited.toString()).isZero();
        assertThat(waited.out()).isEqualTo("42\n");
        assertThat(waited.err()).isEmpty();
        assertThat(cli("task", "status", id).out()).contains("status:     completed").contains("output:\n  42\n");
        assertThat(cli("task", "status", id, "--json").out()).contains("\"status\" : \"completed\"");
        assertThat(cli("task", "cancel", id).code()).as("it already ended").isEqualTo(5);
    }

    @Test
    void theStatusesOfTheEndAreExitCodes() {
        SandboxCommandsIT.Result failed = cli("task", "dispatch", "--wait", "print('before')\n1 / 0");
        assertThat(failed.code()).as(failed.toString()).isEqualTo(1);
        assertThat(failed.out()).isEqualTo("before\n");
        assertThat(failed.err()).startsWith("task: task-").contains("ZeroDivisionError: division by zero");

        SandboxCommandsIT.Result timedOut = cli("task", "dispatch", "--wait", "--timeout", "1", "while True:\n    pass");
        assertThat(timedOut.code()).as(timedOut.toString()).isEqualTo(124);
        assertThat(timedOut.err()).contains("timeout of 1 s");

        String id = cli("task", "dispatch", "import time\ntime.sleep(300)").out().strip();
        SandboxCommandsIT.Result running = cli("task", "wait", id, "--timeout", "1");
        assertThat(running.code()).as(running.toString()).isEqualTo(75);
        assertThat(running.err()).contains("is still ");
        SandboxCommandsIT.Result cancelled = cli("task", "cancel", id);
        assertThat(cancelled.code()).as(cancelled.toString()).isZero();
        assertThat(cancelled.err()).contains("cancelled");
        assertThat(cli("task", "wait", id).code()).isEqualTo(130);
        assertThat(cli("task", "status", "task-0000000000000000").code()).isEqualTo(4);
        assertThat(cli("task", "dispatch", "-t", "cobol", "1").code()).isEqualTo(2);
    }

    @Test
    void toolsAreListedAndATaskUsesOne() {
        SandboxCommandsIT.Result listed = cli("tools");
        assertThat(listed.code()).as(listed.toString()).isZero();
        assertThat(listed.out()).contains("finance  python  Money helpers.").contains("average(xs)").contains("The mean of xs.");
        assertThat(cli("tools", "--names").out()).isEqualTo("finance\n");
        assertThat(cli("tools", "weather").err()).contains("no tool library matches 'weather'");
        assertThat(cli("tools", "--clear-cache").code()).isZero();
        SandboxCommandsIT.Result used = cli("task", "dispatch", "--wait", "--tool", "finance", "-t", "python",
                "import finance\nprint(finance.average([2, 4]))");
        assertThat(used.code()).as(used.toString()).isZero();
        assertThat(used.out()).isEqualTo("3.0\n");
    }

    @Test
    void dispatchWaitReadsStdinAsTheLauncherJar() throws Exception {
        byte[] code = "echo from-bash; exit 3\n".getBytes(StandardCharsets.UTF_8);
        SandboxCommandsIT.Process p = SandboxCommandsIT.subprocess(Map.of(), code, "task", "dispatch", "--url", daemon.url(),
                "--wait", "-t", "bash", "-");
        assertThat(p.code()).as(p.stderr()).isEqualTo(1);
        assertThat(p.out()).isEqualTo("from-bash\n");
        assertThat(p.stderr()).startsWith("task: task-");
    }
}
