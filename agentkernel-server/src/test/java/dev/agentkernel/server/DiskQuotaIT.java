package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.testing.SandboxHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Disk quotas: every place where a sandbox writes to the host's disk is a size-limited,
 * loop-mounted ext4 image. Writing past {@code disk_mb} fails with ENOSPC inside the sandbox
 * and takes no more of the host's disk than the image; the files outlive stop/start and a
 * daemon restart; nothing is left mounted or attached after a stop or a remove, or after a
 * daemon that died; code sessions' and tasks' workspaces are limited too; bad sizes are 400s.
 */
class DiskQuotaIT extends SandboxTestBase {

    private static final long MIB = 1024 * 1024;

    @BeforeAll
    static void requireDiskTools() {
        for (String tool : List.of("mkfs.ext4", "losetup", "mount", "umount")) {
            SandboxHost.require(SandboxHost.onPath(tool).isPresent(),
                    "disk quota tests need " + tool + " (apt-get install -y e2fsprogs mount)");
        }
    }

    @Test
    void writingPastTheDiskFailsWithNoSpaceLeftAndTheHostKeepsItsSpace() throws IOException {
        long freeBefore = Files.getFileStore(fx.stateDir()).getUsableSpace();
        JsonNode created = api.createOk("dq-full", Map.of("disk_mb", 64));

        for (String dir : List.of("/workspace", "/tmp", "/var/tmp")) {
            JsonNode r = api.execOk("dq-full", List.of("sh", "-c",
                    "dd if=/dev/zero of=" + dir + "/big bs=1M count=100 2>&1; echo rc=$?"));
            assertThat(r.path("output").asText()).as("writing 100 MB to %s", dir)
                    .contains("No space left on device").doesNotContain("rc=0");
        }
        // the sandbox's directory on the host holds no more than the image, and the host lost no more
        long held = allocatedBytesOnTheHostsFileSystem(api.hostDir("dq-full"));
        assertThat(held).as("bytes the sandbox's directory takes on the host's file system").isLessThanOrEqualTo(64 * MIB);
        long dropped = freeBefore - Files.getFileStore(fx.stateDir()).getUsableSpace();
        // 300 MB were written; other processes on the machine may write meanwhile, hence the slack
        assertThat(dropped).as("host free space lost while 3 x 100 MB were written").isLessThan(64 * MIB + 96 * MIB);

        assertThat(created.path("disk_mb").asLong()).as("%s", created).isEqualTo(64);
        JsonNode info = api.get("dq-full").data();
        assertThat(info.path("disk_mb").asLong()).isEqualTo(64);
        assertThat(info.path("disk_used_mb").asLong()).as("%s", info).isBetween(40L, 64L);
        assertThat(info.path("disk_available_mb").asLong()).as("%s", info).isZero();

        // still works: commands run, and space freed can be used again
        assertThat(api.sh("dq-full", "rm -f /workspace/big /tmp/big /var/tmp/big; echo alive")).isEqualTo("alive\n");
        assertThat(api.sh("dq-full", "dd if=/dev/zero of=/workspace/again bs=1M count=10 2>/dev/null && ls -s "
                + "--block-size=1M /workspace/again")).startsWith("10 ");
        assertThat(api.get("dq-full").data().path("disk_used_mb").asLong()).isBetween(10L, 20L);
    }

    @Test
    void filesSurviveStopStartAndADaemonRestartAndNothingStaysMountedWhileStopped() throws IOException {
        api.createOk("dq-keep", Map.of("disk_mb", 32));
        api.sh("dq-keep", "echo ws > /workspace/a; echo tmp > /tmp/b; echo vartmp > /var/tmp/c");
        Path dir = api.hostDir("dq-keep");
        assertThat(mountsUnder(dir)).as("while running").hasSize(1);

        assertThat(api.stop("dq-keep").status()).isEqualTo(200);
        awaitNothingMountedOrAttached(dir);
        assertThat(api.get("dq-keep").data().path("disk_mb").asLong()).isEqualTo(32);

        assertThat(api.start("dq-keep").status()).isEqualTo(200);
        assertThat(api.sh("dq-keep", "cat /workspace/a /tmp/b /var/tmp/c")).isEqualTo("ws\ntmp\nvartmp\n");

        restartDaemon();
        assertThat(fx.daemon.restarted()).containsExactly("dq-keep");
        assertThat(api.sh("dq-keep", "cat /workspace/a /tmp/b /var/tmp/c")).isEqualTo("ws\ntmp\nvartmp\n");
        assertThat(api.get("dq-keep").data().path("disk_mb").asLong()).isEqualTo(32);
        assertThat(api.sh("dq-keep", "dd if=/dev/zero of=/workspace/big bs=1M count=64 2>&1; true"))
                .contains("No space left on device");
    }

    @Test
    void removeLeavesNoLoopDeviceAndNoMount() throws IOException {
        api.createOk("dq-gone", Map.of("disk_mb", 32));
        api.sh("dq-gone", "echo x > /workspace/x");
        Path dir = api.hostDir("dq-gone");
        assertThat(losetup()).contains(dir.resolve("disk.img").toString());

        assertThat(api.delete("dq-gone").status()).isEqualTo(200);
        api.forget("dq-gone");
        awaitNothingMountedOrAttached(dir);
        assertThat(dir).doesNotExist();
    }

    @Test
    void aNewDaemonCleansUpWhatADeadOneLeftMountedOrAttached() throws IOException {
        api.createOk("dq-crash", Map.of("disk_mb", 32));
        api.sh("dq-crash", "echo before > /workspace/f");
        Path dir = api.hostDir("dq-crash");
        assertThat(dir.resolve("disk.img")).as("the sandbox's disk image").isRegularFile();
        Path stray = fx.stateDir().resolve("stray.img");
        fx.closeKeepingState();
        try {
            assertNothingOfThisJvmLeft();
            // what a daemon killed with SIGKILL leaves: the sandbox's disk still mounted, and a loop
            // device attached to an image of its own that nothing mounts
            host("mount", "-o", "loop", dir.resolve("disk.img").toString(), dir.resolve("fs").toString());
            host("truncate", "-s", "16M", stray.toString());
            host("losetup", "-f", stray.toString());
            assertThat(losetup()).contains(stray.toString());
        } finally {
            ServerFixture next = ServerFixture.startIn(fx.dir, MAX_RUNNING, List.of(KEY), 0, c -> c);
            api = new SandboxApi(next, api);
            fx = next;
        }

        assertThat(losetup()).as("a stray loop device of the state directory").doesNotContain(stray.toString());
        assertThat(mountsUnder(dir)).as("the sandbox's disk, mounted once again").hasSize(1);
        assertThat(api.sh("dq-crash", "cat /workspace/f")).isEqualTo("before\n");
        assertThat(api.delete("dq-crash").status()).isEqualTo(200);
        api.forget("dq-crash");
        awaitNothingMountedOrAttached(dir);
        Files.delete(stray);
    }

    @Test
    void aCodeSessionsWorkspaceIsLimited() {
        JsonNode r = executeOk(Map.of("template", "python", "code", String.join("\n",
                "import os",
                "fd = os.open('/workspace/big', os.O_CREAT | os.O_WRONLY)",
                "try:",
                "    os.posix_fallocate(fd, 0, 1100 * 1024 * 1024)",
                "    print('allocated')",
                "except OSError as e:",
                "    print(e.errno, e.strerror)",
                "st = os.statvfs('/workspace')",
                "print(st.f_blocks * st.f_frsize // (1024 * 1024) <= 1024)")));
        String session = r.path("session_id").asText();
        try {
            assertThat(r.path("stdout").asText()).as("%s", r).isEqualTo("28 No space left on device\nTrue\n");
            assertThat(mountsUnder(fx.stateDir().resolve("sessions"))).as("the session's disk").hasSize(1);
        } finally {
            assertThat(fx.send(fx.request("/sessions/" + session).DELETE().build()).status()).isEqualTo(200);
        }
        awaitNothingMountedOrAttached(fx.stateDir().resolve("sessions"));
    }

    @Test
    void theTaskWorkspaceIsLimited() {
        ServerFixture.Response r = fx.postJson("/tasks", Map.of("code", String.join("\n",
                "import os",
                "fd = os.open('/workspace/big', os.O_CREAT | os.O_WRONLY)",
                "try:",
                "    os.posix_fallocate(fd, 0, 1100 * 1024 * 1024)",
                "    print('allocated')",
                "except OSError as e:",
                "    print(e.errno, e.strerror)",
                "os.unlink('/workspace/big')")));
        assertThat(r.status()).as("%s", r).isEqualTo(202);
        String id = r.data().path("task_id").asText();
        JsonNode done = fx.postJson("/tasks/" + id + "/wait", Map.of("timeout", 60)).data();
        assertThat(done.path("status").asText()).as("%s", done).isEqualTo("completed");
        assertThat(done.path("output").asText()).isEqualTo("28 No space left on device\n");
        assertThat(mountsUnder(fx.stateDir().resolve("workspace"))).hasSize(1);
    }

    @Test
    void badDiskSizesAreRefusedWith400() {
        Map<Object, String> bad = new LinkedHashMap<>();
        bad.put(0, "positive");
        bad.put(-64, "positive");
        bad.put(1.5, "whole number");
        bad.put("64", "whole number");
        bad.put(true, "whole number");
        bad.put(8, "minimum");
        bad.put(100_000_000L, "maximum");
        for (Map.Entry<Object, String> e : bad.entrySet()) {
            ServerFixture.Response r = api.create("dq-bad", Map.of("disk_mb", e.getKey()));
            JsonNode json = ServerTestBase.assertErrorEnvelope(r, 400);
            assertThat(json.path("error").asText()).as("disk_mb %s", e.getKey()).contains("disk_mb").contains(e.getValue());
        }
        ServerTestBase.assertErrorEnvelope(api.get("dq-bad"), 404);
        assertThat(Files.exists(api.hostDir("dq-bad"))).isFalse();
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static JsonNode executeOk(Map<String, ?> body) {
        ServerFixture.Response r = fx.postJson("/execute", body);
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return r.data();
    }

    /** Mount points at or under {@code dir}, from this process's mount table. */
    private static List<String> mountsUnder(Path dir) {
        List<String> found = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String mountPoint = line.split(" ")[4];
                if (mountPoint.equals(dir.toString()) || mountPoint.startsWith(dir + "/")) {
                    found.add(mountPoint);
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return found;
    }

    private static void awaitNothingMountedOrAttached(Path dir) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((!mountsUnder(dir).isEmpty() || losetup().contains(dir.toString())) && System.nanoTime() < deadline) {
            ServerFixture.sleep(100);
        }
        assertThat(mountsUnder(dir)).as("mounts under %s", dir).isEmpty();
        assertThat(losetup()).as("loop devices of files under %s", dir).doesNotContain(dir.toString());
    }

    /** {@code losetup -a}: every attached loop device and its file. */
    private static String losetup() {
        return host("losetup", "-a");
    }

    /** Bytes allocated under {@code dir} on its own file system ({@code du -x}: not what is mounted in it). */
    private static long allocatedBytesOnTheHostsFileSystem(Path dir) {
        return Long.parseLong(host("du", "-s", "-x", "-B1", dir.toString()).split("\\s+")[0]);
    }

    private static String host(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String text = new String(out, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as("%s: %s", String.join(" ", argv), text).isZero();
            return text;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
