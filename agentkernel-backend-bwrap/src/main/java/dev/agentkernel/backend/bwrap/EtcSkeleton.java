package dev.agentkernel.backend.bwrap;

import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sandbox's {@code /etc}: a few files written by AgentKernel (users, groups, hosts,
 * resolver, name-service switch) and an allow-list of harmless host entries bound
 * read-only (dynamic-linker cache, alternatives, time zone, CA certificates, language
 * runtime configuration). Nothing else of the host's {@code /etc} is visible: no
 * {@code shadow}, no host keys, no host user names.
 */
final class EtcSkeleton {

    /** Host /etc entries that are safe to show and needed by common programs. */
    static final List<String> HOST_ALLOW_LIST = List.of("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives",
            "localtime", "timezone", "ssl/certs", "ssl/openssl.cnf", "ca-certificates", "ca-certificates.conf", "pki/tls/certs", "pki/ca-trust/extracted", "mime.types",
            "protocols", "services", "gai.conf", "host.conf", "os-release", "debian_version", "lsb-release",
            "bash.bashrc", "inputrc", "profile", "profile.d", "terminfo", "magic", "mailcap", "perl", "fonts",
            "xdg", "manpath.config",
            "shells", "ethertypes", "rpc", "networks", "selinux");
    /** Prefixes of host /etc entries for language runtimes (java-17-openjdk, python3.11, ...). */
    static final List<String> HOST_ALLOW_PREFIXES = List.of("java-", "python", "php", "ruby", "node", "R");

    private static final String VERSION = "v1";
    private static final Map<String, String> FILES = Map.of(
            "passwd", "root:x:0:0:root:/workspace:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
            "group", "root:x:0:\nnogroup:x:65534:\n",
            "hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
            "nsswitch.conf", "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\n"
                    + "protocols: files\nservices: files\nethers: files\nrpc: files\n",
            "resolv.conf", "nameserver 10.0.2.3\noptions edns0\n");

    private final Path dir;
    private final List<String> hostEntries;

    private EtcSkeleton(Path dir, List<String> hostEntries) {
        this.dir = dir;
        this.hostEntries = hostEntries;
    }

    /** Writes the generated files under {@code stateDir} (once) and lists the host entries to bind. */
    static EtcSkeleton prepare(Path stateDir) {
        Path dir = stateDir.resolve("etc").resolve(VERSION);
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, String> file : FILES.entrySet()) {
                Path target = dir.resolve(file.getKey());
                byte[] content = file.getValue().getBytes(StandardCharsets.UTF_8);
                if (!Files.isRegularFile(target) || !java.util.Arrays.equals(Files.readAllBytes(target), content)) {
                    Path tmp = Files.createTempFile(dir, file.getKey(), ".tmp");
                    Files.write(tmp, content);
                    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new SandboxFailureException("cannot prepare the sandbox /etc in " + dir + ": " + e.getMessage(), e);
        }
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
        return new EtcSkeleton(dir, List.copyOf(host));
    }

    /** Adds the bwrap arguments that build /etc; resolv.conf only when the sandbox has network. */
    void addArguments(List<String> args, boolean network) {
        args.add("--dir");
        args.add("/etc");
        for (String name : hostEntries) {
            args.add("--ro-bind");
            args.add("/etc/" + name);
            args.add("/etc/" + name);
        }
        for (String name : List.of("passwd", "group", "hosts", "nsswitch.conf")) {
            args.add("--ro-bind");
            args.add(dir.resolve(name).toString());
            args.add("/etc/" + name);
        }
        if (network) {
            args.add("--ro-bind");
            args.add(dir.resolve("resolv.conf").toString());
            args.add("/etc/resolv.conf");
        }
    }

    /** The host entries bound read-only. */
    List<String> hostEntries() {
        return hostEntries;
    }
}
