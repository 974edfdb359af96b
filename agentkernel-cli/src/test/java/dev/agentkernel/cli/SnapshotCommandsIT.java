package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.image.TestImages;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code snapshot create|ls|inspect|restore|rm}, {@code fork} and {@code create --snapshot} against a real
 * daemon and real sandboxes on a real image (from a registry on loopback, {@link TestImages}).
 */
class SnapshotCommandsIT {

    private static TestDaemon daemon;
    private static String base;

    @BeforeAll
    static void startDaemon() throws Exception {
        TestDaemon.assumeSandboxHost();
        TestImages images = TestImages.get();
        base = images.ref(images.plain, "test/base:1");
        daemon = TestDaemon.start();
    }

    @AfterAll
    static void stopDaemon() throws IOException {
        if (daemon != null) {
            daemon.close();
        }
    }

    record Result(int code, String out, String err) {
    }

    private static Result cli(String... args) {
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

    private static Result ok(String... args) {
        Result r = cli(args);
        assertThat(r.code()).as("agentkernel %s: %s", String.join(" ", args), r).isZero();
        return r;
    }

    private static String cat(String box) {
        return ok("exec", box, "--", "cat", "/workspace/kept.txt").out();
    }

    @Test
    void snapshotForkCreateRestoreAndRemove() {
        String box = "snapcli-" + ProcessHandle.current().pid();
        String snap = box + "-s";
        try {
            ok("create", box, "--image", base);
            ok("exec", box, "--", "sh", "-c", "echo as-taken > /workspace/kept.txt");
            assertThat(ok("snapshot", "create", box, "--name", snap).out())
                    .startsWith("agentkernel: took snapshot " + snap + " of sandbox " + box + " (");
            List<String> table = ok("snapshot", "ls").out().lines().toList();
            assertThat(table.getFirst()).startsWith("NAME").contains("SANDBOX", "SIZE", "CREATED");
            assertThat(table).anyMatch(l -> l.startsWith(snap + " ") && l.contains(" " + box + " "));
            assertThat(ok("snapshot", "ls", "--names").out().lines()).contains(snap);
            assertThat(ok("snapshot", "inspect", snap, "--json").out()).contains("\"name\" : \"" + snap + "\"",
                    "\"image_tag\" : \"agentkernel.local/snapshots:" + snap + "@sha256:");

            ok("exec", box, "--", "sh", "-c", "echo later > /workspace/kept.txt");
            Result fork = ok("fork", box, "-n", "2");
            assertThat(fork.out()).isEqualTo(box + "-1\n" + box + "-2\n");
            assertThat(cat(box + "-1")).isEqualTo("later\n");
            assertThat(cat(box + "-2")).isEqualTo("later\n");

            ok("create", box + "-c", "--snapshot", snap);
            assertThat(cat(box + "-c")).isEqualTo("as-taken\n");

            assertThat(ok("snapshot", "restore", snap).out()).startsWith("agentkernel: restored sandbox " + box
                    + " to snapshot " + snap);
            assertThat(cat(box)).isEqualTo("as-taken\n");

            Result inUse = cli("snapshot", "rm", snap);
            assertThat(inUse.code()).as("%s", inUse).isEqualTo(ExitCodes.CONFLICT);
            assertThat(cli("snapshot", "inspect", snap + "-none").code()).isEqualTo(ExitCodes.NOT_FOUND);
        } finally {
            daemon.removeAll();
        }
        for (String name : ok("snapshot", "ls", "--names").out().lines().toList()) {
            ok("snapshot", "rm", name);
        }
        assertThat(ok("snapshot", "ls", "--names").out()).isEmpty();
    }
}
