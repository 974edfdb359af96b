package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.NetworkMode;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.ResourceLimits;
import dev.agentkernel.model.SandboxSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bubblewrap arguments of a sandbox, built without starting anything. */
class BwrapCommandLineTest {

    private static final Path BWRAP = Path.of("/usr/bin/bwrap");
    private static final ResourceLimits LIMITS = new ResourceLimits(512, 1, 512, 256);
    private static final Set<String> BIND_OPTIONS = Set.of("--bind", "--ro-bind", "--bind-try", "--ro-bind-try",
            "--dev-bind", "--dev-bind-try", "--bind-fd", "--ro-bind-fd");

    /** One prepared /etc for the class: building it copies host files, the tests only read the arguments. */
    @TempDir
    static Path state;
    static EtcSkeleton etc;
    BwrapCommandLine commandLine;
    static final Path AGENT = Path.of("/opt/agentkernel/agent/ak-agent-test");

    @org.junit.jupiter.api.BeforeAll
    static void prepareEtc() {
        etc = EtcSkeleton.prepare(state);
    }

    @BeforeEach
    void setUp() {
        commandLine = new BwrapCommandLine(BWRAP, etc, BwrapCommandLine.RootLayout.ofHost(), AGENT);
    }

    private static SandboxSpec spec(NetworkMode network, boolean readOnlyRoot, List<Mount> mounts,
                                    Map<String, String> env, String workdir) {
        return new SandboxSpec(Optional.empty(), readOnlyRoot ? Profile.RESTRICTIVE : Profile.MODERATE, network,
                readOnlyRoot, LIMITS, mounts, env, workdir, "sandbox-test-1");
    }

    private static SandboxSpec moderate() {
        return spec(NetworkMode.OUTBOUND, false, List.of(), Map.of("PATH", "/usr/bin:/bin", "HOME", "/workspace"),
                "/workspace");
    }

    private static SandboxSpec restrictive() {
        return spec(NetworkMode.NONE, true, List.of(), Map.of("PATH", "/usr/bin:/bin"), "/workspace");
    }

    /**
     * The bwrap options: everything between the program and the {@code --} before the agent's exec
     * shim, which runs the command as the sandbox's user.
     */
    private static List<String> options(List<String> args, CommandSpec command) {
        int separator = args.size() - command.argv().size() - 6;
        assertThat(args.subList(separator, args.size() - command.argv().size()))
                .as("bubblewrap runs the agent's exec shim, which runs the command as the sandbox's user")
                .containsExactly("--", "/.ak/ak-agent-test", "--exec", "--user", "1000:1000", "--");
        assertThat(args.subList(args.size() - command.argv().size(), args.size())).isEqualTo(command.argv());
        return args.subList(1, separator);
    }

    /** With network wired through slirp4netns (the mechanism that needs the most arguments). */
    private List<String> build(SandboxSpec spec, CommandSpec command) {
        return commandLine.build(spec, command, wiring(spec));
    }

    private static NetworkWiring wiring(SandboxSpec spec) {
        return spec.network() == NetworkMode.OUTBOUND ? NetworkWiring.SLIRP4NETNS : NetworkWiring.OFFLINE;
    }

    private List<String> options(SandboxSpec spec) {
        CommandSpec command = CommandSpec.of("true");
        return options(build(spec, command), command);
    }

    /** Every (option, source, target) bind triple of the options. */
    private static List<List<String>> binds(List<String> options) {
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < options.size(); i++) {
            if (BIND_OPTIONS.contains(options.get(i))) {
                out.add(options.subList(i, i + 3));
                i += 2;
            }
        }
        return out;
    }

    private static int indexOfSequence(List<String> list, String... sequence) {
        return Collections.indexOfSubList(list, List.of(sequence));
    }

    @Test
    void startsWithBwrapAndEndsWithTheCommandAfterTheSeparator() {
        CommandSpec command = CommandSpec.of("python3", "-c", "print(1)");

        List<String> args = build(moderate(), command);

        assertThat(args.getFirst()).isEqualTo("/usr/bin/bwrap");
        assertThat(args.subList(args.size() - 4, args.size())).containsExactly("--", "python3", "-c", "print(1)");
    }

    @Test
    void unsharesEveryNamespaceAndDiesWithItsParent() {
        for (SandboxSpec spec : List.of(moderate(), restrictive())) {
            List<String> options = options(spec);

            assertThat(options).contains("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup",
                    "--unshare-net", "--die-with-parent", "--new-session");
            assertThat(options).doesNotContain("--share-net", "--unshare-all");
        }
    }

    @Test
    void keepsOnlyRootlessPodmansCapabilitiesClearsTheEnvironmentAndAppliesSeccompOnFd3() {
        List<String> options = options(moderate());

        int drop = indexOfSequence(options, "--cap-drop", "ALL");
        assertThat(drop).isNotNegative();
        List<String> added = new java.util.ArrayList<>();
        for (int i = 0; i < options.size() - 1; i++) {
            if (options.get(i).equals("--cap-add")) {
                assertThat(i).isGreaterThan(drop);
                added.add(options.get(i + 1));
            }
        }
        assertThat(added).containsExactlyInAnyOrder("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
                "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
                "CAP_SETFCAP");
        assertThat(options).contains("--clearenv");
        assertThat(indexOfSequence(options, "--seccomp", "3")).isNotNegative();
    }

    @Test
    void usrIsReadOnly() {
        List<String> options = options(moderate());

        assertThat(binds(options)).contains(List.of("--ro-bind", "/usr", "/usr"));
        assertThat(binds(options)).noneMatch(b -> !b.getFirst().equals("--ro-bind") && b.get(2).startsWith("/usr"));
    }

    @Test
    void theRootLayoutIsAddedAsGiven() {
        BwrapCommandLine custom = new BwrapCommandLine(BWRAP, etc,
                new BwrapCommandLine.RootLayout(List.of("/usr"), java.util.Map.of("/bin", "usr/bin")), AGENT);
        CommandSpec command = CommandSpec.of("true");

        List<String> options = options(custom.build(moderate(), command, NetworkWiring.SLIRP4NETNS), command);

        assertThat(indexOfSequence(options, "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin")).isNotNegative();
    }

    @Test
    void nothingSecretOfTheHostIsBound() {
        for (SandboxSpec spec : List.of(moderate(), restrictive())) {
            for (List<String> bind : binds(options(spec))) {
                String source = bind.get(1);
                assertThat(source).as(bind.toString())
                        .isNotIn("/", "/etc", "/etc/", "/root", "/home", "/etc/shadow", "/etc/gshadow", "/etc/sudoers",
                                "/proc", "/sys", "/dev", "/run", "/var", "/tmp")
                        .doesNotStartWith("/etc/ssh")
                        .doesNotStartWith("/etc/sudoers")
                        .doesNotStartWith("/etc/ssl/private")
                        .doesNotStartWith("/root/")
                        .doesNotStartWith("/home/");
                assertThat(bind.get(2)).as(bind.toString()).isNotEqualTo("/");
                if (bind.get(2).equals("/etc")) {
                    assertThat(bind.get(0)).as("/etc is read-only").isEqualTo("--ro-bind");
                    assertThat(bind.get(1)).as("/etc comes from the prepared tree").startsWith(state.toString());
                }
            }
        }
    }

    @Test
    void procDevTmpAndHostname() {
        List<String> options = options(moderate());

        assertThat(indexOfSequence(options, "--proc", "/proc")).isNotNegative();
        assertThat(indexOfSequence(options, "--dev", "/dev")).isNotNegative();
        assertThat(indexOfSequence(options, "--size", Long.toString(256L * 1024 * 1024), "--tmpfs", "/tmp")).isNotNegative();
        assertThat(indexOfSequence(options, "--hostname", "sandbox-test-1")).isNotNegative();
        assertThat(binds(options)).anyMatch(b -> b.get(2).equals("/etc") && b.get(0).equals("--ro-bind"));
    }

    @Test
    void onlyAReadOnlyRootSpecRemountsTheRootReadOnlyAfterEveryMount() {
        List<String> writable = options(moderate());
        List<String> readOnly = options(restrictive());

        assertThat(indexOfSequence(writable, "--remount-ro", "/")).isNegative();
        assertThat(writable.stream().filter(a -> a.equals("--remount-ro")).count())
                .as("only the /proc masks are remounted").isEqualTo(indexesOf(writable, "--remount-ro").stream()
                        .filter(i -> writable.get(i + 1).startsWith("/proc/")).count());
        int remount = indexOfSequence(readOnly, "--remount-ro", "/");
        assertThat(remount).isNotNegative();
        for (String setup : List.of("--bind", "--ro-bind", "--dir", "--tmpfs", "--symlink", "--proc", "--dev")) {
            assertThat(readOnly.lastIndexOf(setup)).as(setup + " before the remount").isLessThan(remount);
        }
    }

    @Test
    void launchDescriptorsAndResolvConfOnlyWithNetwork() {
        List<String> online = options(moderate());
        List<String> offline = options(spec(NetworkMode.NONE, false, List.of(), Map.of(), "/workspace"));

        assertThat(indexOfSequence(online, "--info-fd", "4", "--block-fd", "5")).isNotNegative();
        assertThat(binds(online)).anyMatch(b -> b.get(2).equals("/etc") && b.get(1).endsWith("/online"));
        assertThat(offline).doesNotContain("--info-fd", "--block-fd", "--sync-fd");
        assertThat(binds(offline)).anyMatch(b -> b.get(2).equals("/etc") && b.get(1).endsWith("/offline"));
    }

    @Test
    void bridgeNetworkKeepsTheLaunchersNamespaceAndNeedsNoLaunchDescriptors() {
        CommandSpec command = CommandSpec.of("true");
        List<String> bridged = options(commandLine.build(moderate(), command, NetworkWiring.BRIDGE), command);
        List<String> slirp = options(build(moderate(), command), command);

        assertThat(bridged).doesNotContain("--unshare-net", "--info-fd", "--block-fd", "--share-net")
                .contains("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup", "--die-with-parent");
        assertThat(binds(bridged)).anyMatch(b -> b.get(2).equals("/etc") && b.get(1).endsWith("/online"));
        assertThat(slirp).contains("--unshare-net");
        List<String> rest = new java.util.ArrayList<>(slirp);
        rest.removeAll(List.of("--unshare-net", "--info-fd", "4", "--block-fd", "5"));
        List<String> bridgedRest = new java.util.ArrayList<>(bridged);
        bridgedRest.removeAll(List.of("--info-fd", "4", "--block-fd", "5"));
        assertThat(bridgedRest).as("everything else is the same").isEqualTo(rest);
    }

    @Test
    void wiringMustMatchTheSpecsNetwork() {
        CommandSpec command = CommandSpec.of("true");
        assertThatThrownBy(() -> commandLine.build(moderate(), command, NetworkWiring.OFFLINE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> commandLine.build(restrictive(), command, NetworkWiring.BRIDGE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stagedTheAgentIsBoundFromTheLaunchersOverlayOfItsDirectorySoNoHostPathIsMounted(@TempDir Path stage) {
        MountSources.Staged sources = new MountSources.Staged(stage, Path.of("/var/lib/agentkernel"));
        List<String> argv = commandLine.build(moderate(), new BwrapCommandLine.Payload.Agent(),
                NetworkWiring.SLIRP4NETNS, sources);
        List<String> launcher = sources.launcherArguments();
        int staged = indexOfSequence(launcher, "--mount", AGENT.getParent().toString(), "overlay");
        assertThat(staged).as("the agent's directory is staged behind the launcher's read-only overlay").isNotNegative();
        int n = (int) launcher.subList(0, staged).stream().filter("--mount"::equals).count();
        assertThat(indexOfSequence(argv, "--ro-bind", stage.resolve(Integer.toString(n)).resolve(AGENT.getFileName())
                .toString(), "/.ak/" + AGENT.getFileName())).isNotNegative();
        assertThat(argv).doesNotContain(AGENT.toString(), AGENT.getParent().toString(), "--ro-bind-data");
    }

    private static dev.agentkernel.model.RootFs.Image image(Optional<Path> writable) {
        return new dev.agentkernel.model.RootFs.Image("docker.io/library/alpine:3.20", "sha256:" + "b".repeat(64),
                List.of(Path.of("/state/images/layers/l0"), Path.of("/state/images/layers/l1")),
                Path.of("/state/image-roots/x/online"), Path.of("/state/image-roots/x/offline"),
                new dev.agentkernel.model.RootFs.ImageSettings(Map.of(), Optional.empty(), List.of(), List.of()), writable);
    }

    @Test
    void onAnImageTheLauncherMountsTheLayersAndBubblewrapBindsTheirOverlayAsRoot(@TempDir Path stage) {
        MountSources.Staged sources = new MountSources.Staged(stage, Path.of("/var/lib/agentkernel"));
        List<String> argv = commandLine.build(moderate().withRoot(image(Optional.empty())),
                new BwrapCommandLine.Payload.Agent(), NetworkWiring.SLIRP4NETNS, sources);
        List<String> options = argv.subList(0, argv.indexOf("--"));
        assertThat(indexOfSequence(options, "--bind", stage.resolve("root").toString(), "/")).isNotNegative();
        assertThat(binds(options)).as("neither the host's /usr nor its /etc tree")
                .noneMatch(b -> b.get(2).equals("/usr") || b.get(2).equals("/etc"));
        assertThat(argv).noneMatch(a -> a.startsWith("/state/"));
        assertThat(sources.launcherArguments()).containsSubsequence("--layer", "/state/images/layers/l0", "--layer",
                "/state/images/layers/l1", "--layer", "/state/image-roots/x/online", "--upper", "tmpfs:512");

        MountSources.Staged persistent = new MountSources.Staged(stage, Path.of("/var/lib/agentkernel"));
        commandLine.build(restrictive().withRoot(image(Optional.of(Path.of("/state/sandboxes/box/root-layer")))),
                new BwrapCommandLine.Payload.Agent(), NetworkWiring.OFFLINE, persistent);
        assertThat(persistent.launcherArguments()).containsSubsequence("--layer", "/state/image-roots/x/offline",
                "--upper", "/state/sandboxes/box/root-layer");
    }

    @Test
    void theAgentsDirectoryIsBoundReadOnlyAndTheSandboxsOwnDirectoriesAreWritableByTheUser() {
        List<String> options = options(moderate());
        assertThat(indexOfSequence(options, "--ro-bind", AGENT.getParent().toString(), "/.ak")).isNotNegative();
        assertThat(indexOfSequence(options, "--perms", "1777", "--dir", "/workspace")).isNotNegative();
        assertThat(indexOfSequence(options, "--perms", "1777", "--dir", "/var/tmp")).isNotNegative();
        assertThat(indexOfSequence(options, "--perms", "1777", "--size")).isNotNegative();
        assertThat(indexOfSequence(options, "--unshare-user", "--uid", "1000", "--gid", "1000"))
                .as("bubblewrap's own user namespace (an unprivileged daemon) has the sandbox's user only").isNotNegative();
    }

    @Test
    void procFilesOnlyHostRootCanReadNeedNoMaskEveryOtherIsMasked(@TempDir Path tmp) throws Exception {
        Path missing = tmp.resolve("missing");
        assertThat(BwrapCommandLine.ProcMasks.readableInASandbox(missing)).isFalse();
        Path file = java.nio.file.Files.writeString(tmp.resolve("f"), "x");
        java.nio.file.Files.setAttribute(file, "unix:mode", 0444);
        assertThat(BwrapCommandLine.ProcMasks.readableInASandbox(file)).as("readable by others").isTrue();
        java.nio.file.Files.setAttribute(file, "unix:mode", 0400);
        boolean root = ((Integer) java.nio.file.Files.getAttribute(file, "unix:uid")) == 0;
        assertThat(BwrapCommandLine.ProcMasks.readableInASandbox(file)).as("0400, owner root: %s", root).isEqualTo(!root);
        java.nio.file.Files.setAttribute(file, "unix:mode", 0440);
        assertThat(BwrapCommandLine.ProcMasks.readableInASandbox(file)).as("readable by its group").isTrue();
    }

    @Test
    void procSysIrqAndBusAreReadOnlyMounts() {
        List<String> options = options(moderate());
        for (String dir : List.of("sys", "irq", "bus")) {
            if (java.nio.file.Files.isDirectory(Path.of("/proc", dir))) {
                assertThat(indexOfSequence(options, "--ro-bind", "/proc/" + dir, "/proc/" + dir)).as(dir)
                        .isGreaterThan(indexOfSequence(options, "--proc", "/proc"));
            }
        }
    }

    @Test
    void aCommandThatAsksForRootGoesThroughTheShimAsRoot() {
        CommandSpec command = CommandSpec.of("id").asRoot(true);
        List<String> args = commandLine.build(restrictive(), command, NetworkWiring.OFFLINE);
        assertThat(args.subList(args.size() - 7, args.size()))
                .containsExactly("/.ak/ak-agent-test", "--exec", "--user", "1000:1000", "--root", "--", "id");
    }

    @Test
    void mountsAreBoundInOrderWithTheirMode() {
        List<Mount> mounts = List.of(new Mount(Path.of("/srv/b"), "/data/b", false),
                new Mount(Path.of("/srv/a"), "/data/a", true),
                new Mount(Path.of("/opt/tools"), "/tools", true));
        List<String> options = options(spec(NetworkMode.NONE, false, mounts, Map.of(), "/workspace"));

        List<List<String>> userBinds = binds(options).stream()
                .filter(b -> b.get(1).startsWith("/srv") || b.get(1).startsWith("/opt"))
                .filter(b -> !b.get(2).equals(BwrapCommandLine.AGENT_DIR)).toList();
        assertThat(userBinds).containsExactly(
                List.of("--bind", "/srv/b", "/data/b"),
                List.of("--ro-bind", "/srv/a", "/data/a"),
                List.of("--ro-bind", "/opt/tools", "/tools"));
        assertThat(options.indexOf("/srv/b")).isGreaterThan(indexOfSequence(options, "--dir", "/workspace"));
    }

    @Test
    void theEnvironmentIsSetVariableByVariableAfterClearing() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/bin");
        env.put("EMPTY", "");
        env.put("SPACES", "a b  c");
        CommandSpec command = new CommandSpec(List.of("env"), Map.of("EXTRA", "1", "PATH", "/override"),
                Optional.empty(), Optional.empty());

        List<String> options = options(build(spec(NetworkMode.NONE, false, List.of(), env, "/workspace"), command), command);

        int clear = options.indexOf("--clearenv");
        assertThat(clear).isNotNegative();
        assertThat(options.indexOf("--setenv")).isGreaterThan(clear);
        List<List<String>> setenv = new ArrayList<>();
        for (int i = 0; i < options.size(); i++) {
            if (options.get(i).equals("--setenv")) {
                setenv.add(options.subList(i + 1, i + 3));
            }
        }
        assertThat(setenv).containsExactlyInAnyOrder(List.of("PATH", "/override"), List.of("EMPTY", ""),
                List.of("SPACES", "a b  c"), List.of("EXTRA", "1"));
    }

    @Test
    void theCommandIsPassedUnchangedEvenWhenItLooksLikeBwrapOptions() {
        CommandSpec command = CommandSpec.of("--bind", "/", "/", "--", "--setenv", "A", "B", "", "a b", "$(id)", "'x'");

        List<String> args = build(moderate(), command);

        int separator = args.size() - command.argv().size() - 1;
        assertThat(args.get(separator)).isEqualTo("--");
        assertThat(args.subList(separator + 1, args.size())).isEqualTo(command.argv());
        List<String> options = args.subList(1, separator);
        assertThat(binds(options)).noneMatch(b -> b.get(1).equals("/"));
    }

    @Test
    void theTimeoutIsNotABwrapMatter() {
        CommandSpec command = CommandSpec.of("sleep", "1").withTimeout(Duration.ofSeconds(5));

        assertThat(build(moderate(), command)).isEqualTo(build(moderate(), CommandSpec.of("sleep", "1")));
    }

    @Test
    void theDefaultWorkdirIsTheWorkspace() {
        List<String> options = options(moderate());

        assertThat(indexOfSequence(options, "--chdir", "/workspace")).isNotNegative();
        assertThat(indexOfSequence(options, "--dir", "/workspace")).isNotNegative();
    }

    @Test
    void theCommandsWorkdirWinsAndIsCreated() {
        CommandSpec command = new CommandSpec(List.of("pwd"), Map.of(), Optional.of("/tmp/job"), Optional.empty());

        List<String> options = options(build(moderate(), command), command);

        assertThat(indexOfSequence(options, "--chdir", "/tmp/job")).isNotNegative();
        assertThat(indexOfSequence(options, "--chdir", "/workspace")).isNegative();
        assertThat(indexOfSequence(options, "--dir", "/tmp/job")).isNotNegative().isLessThan(options.indexOf("--chdir"));
    }

    @Test
    void aWorkdirInsideAMountIsNotCreatedOverTheHostDirectory() {
        List<Mount> mounts = List.of(new Mount(Path.of("/srv/data"), "/data", false));
        CommandSpec inside = new CommandSpec(List.of("pwd"), Map.of(), Optional.of("/data/sub"), Optional.empty());
        CommandSpec lookalike = new CommandSpec(List.of("pwd"), Map.of(), Optional.of("/database"), Optional.empty());
        SandboxSpec spec = spec(NetworkMode.NONE, false, mounts, Map.of(), "/data");

        List<String> insideOptions = options(build(spec, inside), inside);
        List<String> lookalikeOptions = options(build(spec, lookalike), lookalike);
        List<String> atMountOptions = options(spec);

        assertThat(indexOfSequence(insideOptions, "--dir", "/data/sub")).isNegative();
        assertThat(indexOfSequence(insideOptions, "--chdir", "/data/sub")).isNotNegative();
        assertThat(indexOfSequence(atMountOptions, "--dir", "/data")).isNegative();
        assertThat(indexOfSequence(atMountOptions, "--chdir", "/data")).isNotNegative();
        assertThat(indexOfSequence(lookalikeOptions, "--dir", "/database")).isNotNegative();
    }

    @Test
    void aWorkdirOfAReadOnlySandboxIsCreatedBeforeTheRemount() {
        CommandSpec command = new CommandSpec(List.of("pwd"), Map.of(), Optional.of("/opt/job"), Optional.empty());

        List<String> options = options(build(restrictive(), command), command);

        assertThat(indexOfSequence(options, "--dir", "/opt/job"))
                .isNotNegative().isLessThan(indexOfSequence(options, "--remount-ro", "/"));
    }

    @Test
    void theSameInputsGiveTheSameArguments() {
        CommandSpec command = CommandSpec.of("ls", "-la");
        assertThat(build(moderate(), command)).isEqualTo(build(moderate(), command));
    }

    private static List<Integer> indexesOf(List<String> args, String value) {
        List<Integer> at = new java.util.ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals(value)) {
                at.add(i);
            }
        }
        return at;
    }
}
