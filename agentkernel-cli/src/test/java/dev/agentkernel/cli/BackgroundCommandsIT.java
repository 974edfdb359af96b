package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code exec -d}, {@code ps}, {@code logs [-f]} and {@code kill} against a real daemon and real sandboxes. */
class BackgroundCommandsIT {

    private static TestDaemon daemon;

    @BeforeAll
    static void startDaemon() throws IOException {
        TestDaemon.assumeSandboxHost();
        daemon = TestDaemon.start();
    }

    @AfterAll
    static void stopDaemon() throws IOException {
        if (daemon != null) {
            daemon.close();
        }
    }

    @AfterEach
    void nothingLeftBehind() {
        List<String> left = daemon.sandboxes();
        daemon.removeAll();
        assertThat(left).as("sandboxes left behind by the test").isEmpty();
    }

    record Result(int code, String out, String err) {
    }

    static Result cli(String... args) {
        List<String> argv = new ArrayList<>(List.of(args[0], "--url", daemon.url()));
        argv.addAll(List.of(args).subList(1, args.length));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err);
        int code = Main.execute(argv.toArray(String[]::new), o, e);
        o.flush();
        e.flush();
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void startFollowListAndKillBackgroundProcesses() throws Exception {
        String box = "bgcli-" + ProcessHandle.current().pid();
        assertThat(cli("create", box).code()).isZero();
        try {
            Result started = cli("exec", "-d", box, "--", "sh", "-c", "for i in 1 2 3; do echo tick$i; sleep 0.3; done; "
                    + "echo bye >&2; exit 2");
            assertThat(started.code()).as("%s", started).isZero();
            String id = started.out().strip();
            assertThat(id).matches("bg-[0-9a-f]{12}");

            Result followed = cli("logs", "-f", box, id);
            assertThat(followed.code()).as("%s", followed).isZero();
            assertThat(followed.out()).isEqualTo("tick1\ntick2\ntick3\n");
            assertThat(followed.err()).isEqualTo("bye\n");

            Result logs = cli("logs", box, id);
            assertThat(logs.out()).isEqualTo("tick1\ntick2\ntick3\n");
            assertThat(logs.err()).isEqualTo("bye\n");

            String sleeper = cli("exec", "-d", box, "--", "sh", "-c", "sleep 1007 & sleep 1007; wait").out().strip();
            CompletableFuture<Result> follower = CompletableFuture.supplyAsync(() -> cli("logs", "--follow", box, sleeper));
            Result ps = cli("ps", box);
            assertThat(ps.code()).as("%s", ps).isZero();
            assertThat(ps.out().lines().toList()).hasSize(3);
            assertThat(ps.out()).contains(id + " ").contains("failed").contains(sleeper + " ").contains("running");

            Result killed = cli("kill", box, sleeper);
            assertThat(killed.code()).as("%s", killed).isZero();
            assertThat(killed.out()).contains(sleeper);
            assertThat(follower.get(20, TimeUnit.SECONDS).code()).as("logs -f ends when the process is killed").isZero();
            assertThat(cli("ps", box, "--json").out()).contains("\"exit_code\" : 137");
            Result left = cli("exec", box, "--", "sh", "-c",
                    "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done | grep -c 'sleep 100[7]' || true");
            assertThat(left.out().strip()).as("processes of the killed group").isEqualTo("0");
        } finally {
            cli("remove", box);
        }
    }
}
