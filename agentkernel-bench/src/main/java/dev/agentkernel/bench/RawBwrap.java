package dev.agentkernel.bench;

import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.NetworkMode;
import dev.agentkernel.model.SandboxSpec;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bubblewrap argument list AgentKernel's bwrap backend uses, rebuilt here because the
 * backend's own builder ({@code BwrapCommandLine}, with {@code EtcSkeleton}) is
 * package-private. Same flags in the same order: namespaces, {@code --die-with-parent},
 * {@code --new-session}, {@code --cap-drop ALL}, {@code /usr} read-only with the
 * merged-usr links, {@code /proc}, {@code /dev}, a sized {@code /tmp}, the allow-listed
 * {@code /etc}, {@code --clearenv} plus the spec's variables and {@code --seccomp 3}.
 *
 * <p>{@link #agentKernelArgv} reads the backend's real list (through reflection, for
 * checking only), so a drift between the two is reported rather than silently measured.
 */
final class RawBwrap {

    /** Copy of {@code EtcSkeleton.HOST_ALLOW_LIST}. */
    private static final List<String> HOST_ALLOW_LIST = List.of("ld.so.cache", "ld.so.conf", "ld.so.conf.d",
            "alternatives", "localtime", "timezone", "ssl/certs", "ssl/openssl.cnf", "ca-certificates",
            "ca-certificates.conf", "pki/tls/certs", "pki/ca-trust/extracted", "mime.types", "protocols", "services",
            "gai.conf", "host.conf", "os-release", "debian_version", "lsb-release", "bash.bashrc", "inputrc", "profile",
            "profile.d", "terminfo", "magic", "mailcap", "perl", "fonts", "xdg", "manpath.config", "shells",
            "ethertypes", "rpc", "networks", "selinux");
    /** Copy of {@code EtcSkeleton.HOST_ALLOW_PREFIXES}. */
    private static final List<String> HOST_ALLOW_PREFIXES = List.of("java-", "python", "php", "ruby", "node", "R");
    /** The files AgentKernel generates for the sandbox's /etc (written when the backend opens). */
    private static final List<String> GENERATED_ETC = List.of("passwd", "group", "hosts", "nsswitch.conf");
    private static final String FALLBACK_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private RawBwrap() {
    }

    /** bwrap's absolute path, found the way the backend finds it ({@code PATH}, then the system directories). */
    static Path findBwrap() {
        String path = System.getenv("PATH");
        String search = (path == null ? "" : path + File.pathSeparator) + FALLBACK_PATH;
        for (String dir : search.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, "bwrap");
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate.toAbsolutePath();
                }
            }
        }
        throw new IllegalStateException("bwrap not found on PATH");
    }

    /** The directory holding AgentKernel's generated /etc files (same version as {@code EtcSkeleton}). */
    static Path etcDir(Path stateDir) {
        Path dir = stateDir.resolve("etc").resolve("v1");
        for (String name : GENERATED_ETC) {
            if (!Files.isRegularFile(dir.resolve(name))) {
                throw new IllegalStateException(dir.resolve(name) + " is missing: open the bwrap backend first");
            }
        }
        return dir;
    }

    /** The full argv: bwrap, the flags for {@code spec} (without network), {@code --}, then {@code command}. */
    static List<String> build(Path bwrap, Path etcDir, SandboxSpec spec, CommandSpec command) {
        boolean network = spec.network() == NetworkMode.OUTBOUND;
        if (network) {
            throw new IllegalArgumentException("the raw baseline is the --no-network sandbox");
        }
        List<String> args = new ArrayList<>(96);
        args.add(bwrap.toString());
        args.addAll(List.of("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup", "--unshare-net",
                "--die-with-parent", "--new-session", "--cap-drop", "ALL"));
        args.add("--hostname");
        args.add(spec.hostname());
        addRootLayout(args);
        args.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
        args.addAll(List.of("--size", Long.toString(spec.limits().tmpMb() * 1024 * 1024), "--tmpfs", "/tmp"));
        args.addAll(List.of("--dir", "/var/tmp", "--dir", "/run"));
        addEtc(args, etcDir);
        args.addAll(List.of("--dir", "/workspace"));
        for (Mount mount : spec.mounts()) {
            args.add(mount.readOnly() ? "--ro-bind" : "--bind");
            args.add(mount.hostPath().toString());
            args.add(mount.sandboxPath());
        }
        String workdir = command.workdir().orElse(spec.workdir());
        if (!coveredByMount(spec, workdir)) {
            args.add("--dir");
            args.add(workdir);
        }
        if (spec.readOnlyRoot()) {
            args.addAll(List.of("--remount-ro", "/"));
        }
        args.add("--chdir");
        args.add(workdir);
        args.add("--clearenv");
        Map<String, String> env = new LinkedHashMap<>(spec.env());
        env.putAll(command.env());
        env.forEach((k, v) -> {
            args.add("--setenv");
            args.add(k);
            args.add(v);
        });
        args.add("--seccomp");
        args.add("3");
        args.add("--");
        args.addAll(command.argv());
        return args;
    }

    private static void addRootLayout(List<String> args) {
        args.addAll(List.of("--ro-bind", "/usr", "/usr"));
        for (String dir : List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32")) {
            Path host = Path.of("/", dir);
            if (Files.isSymbolicLink(host)) {
                try {
                    args.addAll(List.of("--symlink", Files.readSymbolicLink(host).toString(), "/" + dir));
                } catch (IOException e) {
                    // unreadable link: left out, as the backend does
                }
            } else if (Files.isDirectory(host)) {
                args.addAll(List.of("--ro-bind", "/" + dir, "/" + dir));
            }
        }
    }

    private static void addEtc(List<String> args, Path etcDir) {
        List<String> host = new ArrayList<>();
        Path etc = Path.of("/etc");
        for (String name : HOST_ALLOW_LIST) {
            if (Files.exists(etc.resolve(name))) {
                host.add(name);
            }
        }
        try (var entries = Files.list(etc)) {
            entries.map(p -> p.getFileName().toString())
                    .filter(n -> HOST_ALLOW_PREFIXES.stream().anyMatch(n::startsWith))
                    .filter(n -> !host.contains(n))
                    .sorted()
                    .forEach(host::add);
        } catch (IOException e) {
            // no extra runtime configuration
        }
        args.add("--dir");
        args.add("/etc");
        for (String name : host) {
            args.add("--ro-bind");
            args.add("/etc/" + name);
            args.add("/etc/" + name);
        }
        for (String name : GENERATED_ETC) {
            args.add("--ro-bind");
            args.add(etcDir.resolve(name).toString());
            args.add("/etc/" + name);
        }
    }

    private static boolean coveredByMount(SandboxSpec spec, String path) {
        for (Mount mount : spec.mounts()) {
            String target = mount.sandboxPath();
            if (path.equals(target) || path.startsWith(target.endsWith("/") ? target : target + "/")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The argv the backend itself would run, from its package-private {@code describe}
     * method; empty when that method is not there (renamed, or another backend).
     */
    static Optional<List<String>> agentKernelArgv(IsolationBackend backend, SandboxSpec spec, CommandSpec command) {
        try {
            Method describe = backend.getClass().getDeclaredMethod("describe", SandboxSpec.class, CommandSpec.class);
            describe.setAccessible(true);
            Object result = describe.invoke(backend, spec, command);
            if (!(result instanceof List<?> list)) {
                return Optional.empty();
            }
            List<String> argv = new ArrayList<>(list.size());
            for (Object o : list) {
                argv.add(String.valueOf(o));
            }
            return Optional.of(argv);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Quotes a word for {@code /bin/sh}. */
    static String shellQuote(String word) {
        if (!word.isEmpty() && word.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-_./=:,+@%".indexOf(c) >= 0)) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
