package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.backend.bwrap.Sandboxes.Result;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The ways out of a sandbox that a review found in the code before user namespaces (issue 12):
 * sandbox root was host root, so {@code /proc/sys} (the host's kernel settings, including
 * {@code core_pattern}, a path to a program the kernel runs as host root) was writable, and
 * host-wide kernel data was readable. Every profile, through the backend that every interface
 * uses.
 */
class EscapeIT extends SandboxTestBase {

    private static final Path RATELIMIT = Path.of("/proc/sys/kernel/printk_ratelimit");

    @ParameterizedTest
    @EnumSource(Profile.class)
    void theHostsKernelSettingsCannotBeChanged(Profile profile) throws IOException {
        String before = Files.readString(RATELIMIT).trim();
        String other = Integer.toString(Integer.parseInt(before) + 1);
        try {
            Result r = sandboxes.run(sandboxes.offline(profile), "sh", "-c",
                    "echo " + other + " > /proc/sys/kernel/printk_ratelimit; echo \"rc=$?\";"
                            + " cat /proc/sys/kernel/core_pattern > /proc/sys/kernel/core_pattern; echo \"core=$?\"");
            assertThat(Files.readString(RATELIMIT).trim()).as("the host's value after " + r.describe()).isEqualTo(before);
            assertThat(r.out()).as(r.describe()).doesNotContain("rc=0").doesNotContain("core=0");
        } finally {
            if (!Files.readString(RATELIMIT).trim().equals(before)) {
                Files.writeString(RATELIMIT, before);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Profile.class)
    void sandboxRootIsAnUnprivilegedHostUidAndCommandsRunAsAnUnprivilegedUserInside(Profile profile) {
        Result r = sandboxes.run(sandboxes.offline(profile), "sh", "-c", "cat /proc/self/uid_map; id -u; id -g");
        List<String> lines = r.out().lines().map(String::trim).toList();
        assertThat(lines).as(r.describe()).hasSize(3);
        String[] map = lines.getFirst().split("\\s+");
        assertThat(map).as(r.describe()).hasSize(3);
        assertThat(map[0]).isEqualTo("0");
        assertThat(Long.parseLong(map[1])).as("host uid of sandbox root").isGreaterThanOrEqualTo(65_536);
        assertThat(lines.get(1)).as("uid of a command inside").isEqualTo("1000");
        assertThat(lines.get(2)).as("gid of a command inside").isEqualTo("1000");
    }

    @ParameterizedTest
    @EnumSource(Profile.class)
    void aCommandThatAsksForRootIsSandboxRootWhichIsStillUnprivilegedOnTheHost(Profile profile) throws IOException {
        String before = Files.readString(RATELIMIT).trim();
        CommandSpec asRoot = CommandSpec.of("sh", "-c",
                "id -u; echo 7 > /proc/sys/kernel/printk_ratelimit; echo \"rc=$?\"").asRoot(true);
        try {
            Result r = sandboxes.run(sandboxes.offline(profile), asRoot);
            assertThat(r.out().lines().findFirst()).as(r.describe()).contains("0");
            assertThat(r.out()).as(r.describe()).doesNotContain("rc=0");
            assertThat(Files.readString(RATELIMIT).trim()).isEqualTo(before);
        } finally {
            if (!Files.readString(RATELIMIT).trim().equals(before)) {
                Files.writeString(RATELIMIT, before);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Profile.class)
    void hostWideKernelDataIsHidden(Profile profile) {
        List<String> present = new ArrayList<>();
        for (String file : List.of("kpageflags", "kpagecount", "kpagecgroup", "timer_list", "keys", "key-users",
                "sched_debug", "kcore", "vmallocinfo")) {
            if (Files.exists(Path.of("/proc", file))) {
                present.add(file);
            }
        }
        assertThat(present).as("this kernel has host-wide files to hide").isNotEmpty();
        StringBuilder script = new StringBuilder();
        for (String file : present) {
            script.append("printf '%s=' ").append(file).append("; head -c 64 /proc/").append(file)
                    .append(" 2>/dev/null | wc -c;");
        }
        Result r = sandboxes.run(sandboxes.offline(profile), "sh", "-c", script.toString());
        for (String file : present) {
            assertThat(r.out()).as(r.describe()).contains(file + "=0");
        }
    }

    @ParameterizedTest
    @EnumSource(Profile.class)
    void noHostPathOfTheStateDirectoryInTheSandboxsCommandLine(Profile profile) {
        Result r = sandboxes.run(sandboxes.offline(profile), "sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline");
        assertThat(r.out()).as(r.describe()).isNotBlank().doesNotContain(dir.toString());
    }

    @ParameterizedTest
    @EnumSource(Profile.class)
    void theAgentsMountNamesNoHostPath(Profile profile) {
        Result r = sandboxes.run(sandboxes.offline(profile), "sh", "-c", "grep ' /.ak/' /proc/self/mountinfo");
        assertThat(r.out()).as(r.describe()).contains("/.ak/ak-agent").doesNotContain(dir.toString());
    }

    @ParameterizedTest
    @EnumSource(Profile.class)
    void noMountOfTheSandboxNamesTheStateDirectory(Profile profile) {
        // the generated /etc tree is under the state directory: the launcher shows it through an overlay
        Result r = sandboxes.run(sandboxes.offline(profile), "cat", "/proc/self/mountinfo");
        assertThat(r.out()).as(r.describe()).contains(" /etc ").doesNotContain(dir.toString());
    }

    @ParameterizedTest
    @EnumSource(value = Profile.class, names = {"MODERATE", "PERMISSIVE"})
    void filesWrittenIntoAgentKernelsOwnDirectoriesBelongToSandboxRootsHostUid(Profile profile) throws IOException {
        Path workspace = Files.createDirectories(dir.resolve("state/sandboxes/escape-" + profile + "/workspace"));
        SandboxSpec base = sandboxes.offline(profile);
        List<Mount> mounts = new ArrayList<>(base.mounts());
        mounts.removeIf(m -> m.sandboxPath().equals("/workspace"));
        mounts.add(new Mount(workspace, "/workspace", false));
        SandboxSpec spec = new SandboxSpec(base.image(), base.profile(), base.network(), base.readOnlyRoot(),
                base.limits(), mounts, base.env(), base.workdir(), base.hostname());
        Result r = sandboxes.run(spec, "sh", "-c", "echo x > /workspace/made && echo made");
        assertThat(r.out()).as(r.describe()).contains("made");
        Object owner = Files.getAttribute(workspace.resolve("made"), "unix:uid", LinkOption.NOFOLLOW_LINKS);
        assertThat(owner).as("host owner of a file sandbox root made").isNotEqualTo(0);
    }

    @ParameterizedTest
    @EnumSource(value = Profile.class, names = {"MODERATE", "PERMISSIVE"})
    void filesWrittenIntoAGrantedDirectoryBelongToItsOwnerOrToAnUnprivilegedUidNeverToHostRoot(Profile profile)
            throws IOException {
        for (int owner : new int[] {0, 4242}) {
            Path granted = Files.createDirectories(dir.resolve("granted-" + profile + "-" + owner));
            Files.setAttribute(granted, "unix:uid", owner);
            Files.setAttribute(granted, "unix:gid", owner);
            SandboxSpec base = sandboxes.offline(profile);
            List<Mount> mounts = new ArrayList<>(base.mounts());
            mounts.add(new Mount(granted, "/granted", false));
            SandboxSpec spec = new SandboxSpec(base.image(), base.profile(), base.network(), base.readOnlyRoot(),
                    base.limits(), mounts, base.env(), base.workdir(), base.hostname());
            Result user = sandboxes.run(spec, "sh", "-c", "stat -c %u /granted; echo x > /granted/by-user && echo made");
            assertThat(user.out()).as(user.describe()).contains("made").startsWith("1000");
            Result root = sandboxes.run(spec, CommandSpec.of("sh", "-c", "echo x > /granted/by-root && echo made")
                    .asRoot(true));
            assertThat(root.out()).as(root.describe()).contains("made");
            assertThat(Files.getAttribute(granted.resolve("by-user"), "unix:uid", LinkOption.NOFOLLOW_LINKS))
                    .as("host owner of what the sandbox's user wrote").isEqualTo(owner);
            Object rootsFile = Files.getAttribute(granted.resolve("by-root"), "unix:uid", LinkOption.NOFOLLOW_LINKS);
            assertThat((int) rootsFile).as("host owner of what sandbox root wrote").isGreaterThanOrEqualTo(65_536);
        }
    }
}
