package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.testing.HostProcesses;
import dev.agentkernel.testing.SandboxHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agentkernel attach} on a real terminal: the packaged CLI runs in a tmux pane of a given
 * size (on a tmux server of its own), keys are typed with {@code send-keys}, the screen is read
 * with {@code capture-pane}, the window is resized; a wrapper records the CLI's exit code and the
 * terminal's settings after it ended (restored: canonical mode and echo back on).
 */
class AttachIT {

    private static TestDaemon daemon;
    private static int counter;

    @TempDir
    Path dir;

    private String socket;
    private String box;

    @BeforeAll
    static void startDaemon() throws IOException {
        TestDaemon.assumeSandboxHost();
        SandboxHost.require(SandboxHost.onPath("tmux").isPresent(), "needs tmux");
        daemon = TestDaemon.start();
    }

    @AfterAll
    static void stopDaemon() throws IOException {
        if (daemon != null) {
            daemon.close();
        }
    }

    @BeforeEach
    void sandbox() {
        // A tmux server of the test's own, its socket in the test's directory (deleted with it).
        socket = dir.resolve("tmux.sock").toString();
        box = "attach-" + (++counter);
        try (AgentKernel client = daemon.client()) {
            client.createSandbox(box);
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        tmux("kill-server");
        daemon.removeAll();
        assertThat(daemon.sandboxes()).isEmpty();
    }

    // ---- tmux -----------------------------------------------------------------------------

    private String tmux(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("tmux", "-S", socket, "-f", "/dev/null"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    /** Starts {@code agentkernel attach ARGS} in a detached pane of {@code cols} x {@code rows}; the wrapper writes EXIT= and stty -a. */
    private void start(int cols, int rows, String url, String... args) throws Exception {
        assertThat(SandboxCommandsIT.JAR).as("run after 'package'").exists();
        StringBuilder cli = new StringBuilder();
        cli.append(quote(ProcessHandle.current().info().command().orElseThrow()))
                .append(" --enable-native-access=ALL-UNNAMED -cp ").append(quote(SandboxCommandsIT.JAR.toString()))
                .append(" dev.agentkernel.cli.Main attach --url ").append(quote(url));
        for (String a : args) {
            cli.append(' ').append(quote(a));
        }
        Path wrapper = dir.resolve("wrapper.sh");
        Files.writeString(wrapper, "#!/bin/sh\n" + "export TERM=xterm-256color\n" + cli + "\n"
                + "echo \"EXIT=$?\" > " + quote(dir.resolve("exit").toString()) + "\n"
                + "stty -a > " + quote(dir.resolve("stty").toString()) + "\n"
                + "exec sleep 120\n");
        tmux("new-session", "-d", "-s", "it", "-x", Integer.toString(cols), "-y", Integer.toString(rows),
                "sh " + quote(wrapper.toString()));
    }

    private String screen() throws Exception {
        return tmux("capture-pane", "-p", "-J", "-t", "it");
    }

    private String awaitScreen(Predicate<String> condition, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String screen = screen();
        while (!condition.test(screen)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not appear; the screen:\n" + screen);
            }
            Thread.sleep(50);
            screen = screen();
        }
        return screen;
    }

    private String awaitLine(String line) throws Exception {
        return awaitScreen(s -> s.lines().anyMatch(l -> l.strip().equals(line)), "the line '" + line + "'");
    }

    private void type(String keys) throws Exception {
        tmux("send-keys", "-t", "it", "-l", keys);
        tmux("send-keys", "-t", "it", "Enter");
    }

    private int awaitExit() throws Exception {
        Path exit = dir.resolve("exit");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(exit) || Files.readString(exit).isBlank()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("agentkernel attach did not end; the screen:\n" + screen());
            }
            Thread.sleep(50);
        }
        Thread.sleep(200); // the wrapper's stty -a
        String text = Files.readString(exit).strip();
        assertThat(text).startsWith("EXIT=");
        return Integer.parseInt(text.substring(5));
    }

    /** After the CLI: canonical mode, echo, signals from keys and output processing are on again. */
    private void assertTerminalRestored() throws Exception {
        Path stty = dir.resolve("stty");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!Files.exists(stty) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        List<String> flags = List.of(Files.readString(stty).split("[\\s;]+"));
        assertThat(flags).as("terminal settings after attach").contains("icanon", "echo", "isig", "opost", "icrnl")
                .doesNotContain("-icanon", "-echo", "-isig", "-opost");
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    // ---- tests ----------------------------------------------------------------------------

    @Test
    void aShellTypedIntoResizedAndLeftWithAnExitCode() throws Exception {
        start(100, 30, daemon.url(), box);
        awaitScreen(s -> !s.isBlank(), "the prompt");
        type("echo $((6*7))");
        awaitLine("42");
        type("stty size");
        awaitLine("30 100");
        tmux("resize-window", "-t", "it", "-x", "120", "-y", "40");
        type("stty size");
        awaitLine("40 120");
        type("echo \"term=$TERM\"");
        awaitLine("term=xterm-256color");
        type("exit 3");
        assertThat(awaitExit()).isEqualTo(3);
        assertTerminalRestored();
    }

    @Test
    void ctrlCGoesToTheSandboxAndCtrlDEndsTheShell() throws Exception {
        start(80, 24, daemon.url(), box);
        awaitScreen(s -> !s.isBlank(), "the prompt");
        type("sleep 300");
        Thread.sleep(500);
        tmux("send-keys", "-t", "it", "C-c");
        type("echo still-here");
        awaitLine("still-here");
        tmux("send-keys", "-t", "it", "C-d");
        assertThat(awaitExit()).isZero();
        assertTerminalRestored();
    }

    @Test
    void aGivenCommandRunsInsteadOfTheShell() throws Exception {
        start(80, 24, daemon.url(), box, "-w", "/tmp", "-e", "X=y", "--", "sh", "-c",
                "echo \"in $(pwd) X=$X\"; read line; echo \"got $line\"; exit 5");
        awaitLine("in /tmp X=y");
        type("abc");
        awaitLine("got abc");
        assertThat(awaitExit()).isEqualTo(5);
        assertTerminalRestored();
    }

    @Test
    void anUnknownOrStoppedSandboxIsOneLineOnTheTerminal() throws Exception {
        start(100, 30, daemon.url(), "no-such-box");
        assertThat(awaitExit()).isEqualTo(4);
        assertThat(screen()).contains("agentkernel: error: Sandbox 'no-such-box' not found");
        assertTerminalRestored();
        tmux("kill-server");
        Files.delete(dir.resolve("exit"));
        Files.delete(dir.resolve("stty"));

        try (AgentKernel client = daemon.client()) {
            client.stopSandbox(box);
        }
        start(100, 30, daemon.url(), box);
        assertThat(awaitExit()).isEqualTo(5);
        assertThat(screen()).contains("agentkernel: error: sandbox '" + box + "' is stopped; start it with 'agentkernel start "
                + box + "'");
    }

    @Test
    void theDaemonGoingAwayEndsAttachWithExit69AndARestoredTerminal() throws Exception {
        TestDaemon doomed = TestDaemon.start();
        try {
            try (AgentKernel client = doomed.client()) {
                client.createSandbox("doomed");
            }
            String url = doomed.url();
            start(100, 30, url, "doomed");
            awaitScreen(s -> !s.isBlank(), "the prompt");
            type("echo alive");
            awaitLine("alive");
            doomed.daemon.close();
            assertThat(awaitExit()).isEqualTo(69);
            assertThat(awaitScreen(s -> s.contains("agentkernel: error: lost the connection to the AgentKernel daemon at "
                    + url + ": "), "the error")).isNotNull();
            assertTerminalRestored();
        } finally {
            doomed.close();
        }
        assertThat(HostProcesses.mentioning(doomed.dir.toString())).as("sandbox processes of the stopped daemon")
                .isEmpty();
    }
}
