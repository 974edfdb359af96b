package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentkernel.backend.bwrap.Sandboxes.Result;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.testing.HostProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What a sandbox cannot see or do on the host: files, processes, identity, privileges, environment. */
class IsolationIT extends SandboxTestBase {

    /** Set in the test JVM's environment by the failsafe configuration of this module's pom. */
    static final String CANARY = "AK_IT_HOST_CANARY";

    @Test
    void hostShadowFileIsAbsent() {
        assertThat(Path.of("/etc/shadow")).as("the host has an /etc/shadow to hide").exists();
        Result r = sandboxes.run(sandboxes.offline(Profile.PERMISSIVE), "sh", "-c",
                "cat /etc/shadow; echo \"cat=$?\"; ls /etc");
        assertThat(r.out()).as(r.describe()).contains("cat=1").doesNotContain("root:");
        assertThat(r.err()).as(r.describe()).contains("No such file");
        assertThat(r.out().lines().toList()).as("sandbox /etc listing")
                .contains("passwd", "hosts")
                .doesNotContain("shadow", "gshadow", "ssh", "sudoers");
    }

    @Test
    void moderateProfileCannotSeeTheHostHome() throws IOException {
        Path home = Path.of(System.getProperty("user.home"));
        String secret = "ak-it-secret-" + UUID.randomUUID();
        Path planted = Files.createTempFile(home, "ak-it-planted-", ".txt");
        try {
            Files.writeString(planted, secret);
            Result r = sandboxes.run(sandboxes.offline(Profile.MODERATE), "sh", "-c",
                    "cat \"$1\"; if [ -e \"$2\" ]; then echo HOME_VISIBLE; ls -la \"$2\"; else echo HOME_ABSENT; fi",
                    "sh", planted.toString(), home.toString());
            assertThat(r.out()).as(r.describe()).contains("HOME_ABSENT").doesNotContain(secret);
            assertThat(r.err()).as(r.describe()).contains("No such file");
        } finally {
            Files.deleteIfExists(planted);
        }
    }

    @Test
    void hostProcessesAreInvisible() throws Exception {
        String marker = "9876." + ThreadLocalRandom.current().nextInt(100_000, 999_999);
        Process sleeper = new ProcessBuilder("sleep", marker).start();
        try {
            assertThat(HostProcesses.mentioning(marker)).as("host sees its own sleep").hasSize(1);
            Result r = sandboxes.run(sandboxes.offline(Profile.MODERATE), "sh", "-c",
                    "ps -eo pid=,args=; echo ---; for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; done");
            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(r.out()).as(r.describe()).doesNotContain(marker);
            List<String> ps = r.out().substring(0, r.out().indexOf("---")).lines().map(String::strip).toList();
            assertThat(ps).as("ps in the sandbox sees itself").anyMatch(l -> l.contains("ps -eo"));
            assertThat(ps).as("ps in the sandbox lists only the sandbox's own processes").allMatch(l ->
                    l.matches("\\d+ (/usr/bin/bwrap|bwrap|sh -c|ps -eo|tr ).*"));
            assertThat(ps.size()).isLessThan(8);
            assertThat(ps).as("the sandbox has its own pid namespace").anyMatch(l -> l.startsWith("1 "));
        } finally {
            sleeper.destroyForcibly();
            sleeper.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void sandboxCannotSignalHostProcesses() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            long pid = sleeper.pid();
            Result r = sandboxes.run(sandboxes.offline(Profile.MODERATE), "sh", "-c",
                    "kill -KILL \"$1\"; echo \"kill=$?\"", "sh", Long.toString(pid));
            assertThat(r.out()).as(r.describe()).doesNotContain("kill=0");
            Thread.sleep(50);
            assertThat(sleeper.isAlive()).as("host process " + pid + " after the sandbox tried to kill it").isTrue();
        } finally {
            sleeper.destroyForcibly();
            sleeper.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void onlyHarmlessDevicesAndNoSysfs() {
        Result r = sandboxes.run(sandboxes.offline(Profile.PERMISSIVE), "sh", "-c",
                "ls -A /dev; echo ---; ls /sys/fs/cgroup >/dev/null 2>&1 && echo SYSFS_VISIBLE; echo end");
        String dev = r.out().substring(0, r.out().indexOf("---"));
        assertThat(dev.lines().toList()).as(r.describe()).contains("null", "zero", "urandom")
                .isSubsetOf("core", "fd", "full", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout",
                        "tty", "urandom", "zero", "console", "mqueue");
        assertThat(r.out()).doesNotContain("SYSFS_VISIBLE").contains("end");
    }

    @Test
    void hostnameDiffersFromTheHost() throws IOException {
        String hostHostname = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        SandboxSpec spec = sandboxes.offline(Profile.MODERATE);
        Result r = sandboxes.run(spec, "cat", "/proc/sys/kernel/hostname");
        assertThat(r.out().strip()).as(r.describe()).isEqualTo(spec.hostname()).isNotEqualTo(hostHostname);
        SandboxSpec other = sandboxes.offline(Profile.MODERATE);
        assertThat(other.hostname()).as("each sandbox gets its own hostname").isNotEqualTo(spec.hostname());
    }

    @ParameterizedTest
    @EnumSource(Profile.class)
    void noCapabilitiesNoNewPrivilegesAndSeccomp(Profile profile) {
        Result r = sandboxes.run(sandboxes.offline(profile), "cat", "/proc/self/status");
        Map<String, String> status = new HashMap<>();
        r.out().lines().forEach(l -> {
            int colon = l.indexOf(':');
            if (colon > 0) {
                status.put(l.substring(0, colon), l.substring(colon + 1).strip());
            }
        });
        assertThat(status).as(r.describe())
                .containsEntry("CapEff", "0000000000000000")
                .containsEntry("CapPrm", "0000000000000000")
                .containsEntry("CapInh", "0000000000000000")
                .containsEntry("CapAmb", "0000000000000000")
                .containsEntry("NoNewPrivs", "1")
                .containsEntry("Seccomp", "2");
    }

    @Test
    void unshareIsDenied() {
        Result r = sandboxes.run(sandboxes.offline(Profile.MODERATE), "sh", "-c",
                "command -v unshare >/dev/null || { echo NO_UNSHARE; exit 99; }; unshare -r true; echo \"rc=$?\"; "
                        + "unshare -n true; echo \"rc=$?\"");
        assertThat(r.out()).as(r.describe()).doesNotContain("NO_UNSHARE").doesNotContain("rc=0").contains("rc=1");
        assertThat(r.err()).as(r.describe()).contains("Operation not permitted");
    }

    @Test
    void mountIsDenied() {
        // /tmp exists in every sandbox: the mount can only fail for lack of permission
        Result r = sandboxes.run(sandboxes.offline(Profile.MODERATE), "sh", "-c",
                "mount -t tmpfs x /tmp; echo \"mount=$?\"; python3 -c '"
                        + "import ctypes, errno\n"
                        + "libc = ctypes.CDLL(None, use_errno=True)\n"
                        + "r = libc.mount(b\"x\", b\"/tmp\", b\"tmpfs\", 0, None)\n"
                        + "print(\"syscall\", r, errno.errorcode.get(ctypes.get_errno(), ctypes.get_errno()))'; "
                        + "grep -c ' /tmp ' /proc/self/mounts");
        assertThat(r.out()).as(r.describe()).doesNotContain("mount=0").contains("syscall -1 EPERM");
        assertThat(r.out().strip().lines().reduce((a, b) -> b).orElse("")).as("mounts on /tmp").isEqualTo("1");
    }

    @Test
    void bpfIsDenied() {
        String machine = System.getProperty("os.arch");
        assumeTrue(machine.equals("amd64") || machine.equals("aarch64"), "bpf syscall number known for x86_64/aarch64 only");
        Result r = sandboxes.run(sandboxes.offline(Profile.MODERATE), "python3", "-c", """
                import ctypes, errno, os
                nr = {"x86_64": 321, "aarch64": 280}[os.uname().machine]
                libc = ctypes.CDLL(None, use_errno=True)
                # BPF_MAP_CREATE with a zeroed attribute block
                attr = ctypes.create_string_buffer(128)
                r = libc.syscall(nr, 0, attr, 128)
                print("bpf", r, errno.errorcode.get(ctypes.get_errno(), ctypes.get_errno()))
                """);
        assertThat(r.out().strip()).as(r.describe()).isEqualTo("bpf -1 EPERM");
    }

    @Test
    void moderateHasNoHostEnvironment() {
        Map<String, String> hostEnv = System.getenv();
        Result r = sandboxes.run(sandboxes.offline(Profile.MODERATE), "env", "-0");
        Map<String, String> env = Sandboxes.parseEnv0(r.stdout());
        // PWD is set by bubblewrap's --chdir, not taken from the host
        assertThat(env.keySet()).as(r.describe()).containsExactlyInAnyOrder("PATH", "HOME", "LANG", "PWD");
        assertThat(env).containsEntry("HOME", "/workspace").containsEntry("PWD", "/workspace")
                .containsEntry("LANG", "C.UTF-8");
        assertThat(hostEnv.keySet()).as("the host has variables to leak").isNotEmpty();
        if (hostEnv.containsKey(CANARY)) {
            assertThat(r.out()).doesNotContain(hostEnv.get(CANARY));
        }
    }

    @Test
    void permissivePassesOnlyTheListedHostVariables() {
        Result r = sandboxes.run(sandboxes.offline(Profile.PERMISSIVE), "env", "-0");
        Map<String, String> env = Sandboxes.parseEnv0(r.stdout());
        Set<String> allowed = new HashSet<>(List.of("PATH", "HOME", "LANG", "PWD"));
        allowed.addAll(dev.agentkernel.core.policy.PolicyResolver.PASSED_ENV);
        assertThat(env.keySet()).as(r.describe()).isSubsetOf(allowed).contains("PATH", "HOME");
        assertThat(env).doesNotContainKey(CANARY);
    }

    @Test
    void requestAndCommandVariablesAreVisibleUnchanged() {
        String tricky = "a value with spaces, = signs, $HOME, `id`, quotes \"'\" and ünïcödé ✓ 日本";
        SandboxSpec spec = sandboxes.spec(new SandboxRequest(Optional.of(Profile.MODERATE), Optional.empty(),
                Optional.of(false), java.util.OptionalLong.empty(), java.util.OptionalDouble.empty(),
                Map.of("AK_IT_REQUEST_VAR", "from-request", "AK_IT_BOTH", "request"), Optional.empty(), Optional.empty()));
        CommandSpec cmd = Sandboxes.command(List.of("env", "-0"),
                Map.of("AK_IT_COMMAND_VAR", tricky, "AK_IT_EMPTY", "", "AK_IT_BOTH", "command"), null);
        Result r = sandboxes.run(spec, cmd);
        Map<String, String> env = Sandboxes.parseEnv0(r.stdout());
        assertThat(env).as(r.describe())
                .containsEntry("AK_IT_REQUEST_VAR", "from-request")
                .containsEntry("AK_IT_COMMAND_VAR", tricky)
                .containsEntry("AK_IT_EMPTY", "")
                .containsEntry("AK_IT_BOTH", "command")
                .containsKeys("PATH", "HOME", "LANG", "PWD")
                .hasSize(8);
        assertThat(new String(r.stdout(), StandardCharsets.UTF_8)).doesNotContain("\uFFFD");
    }
}
