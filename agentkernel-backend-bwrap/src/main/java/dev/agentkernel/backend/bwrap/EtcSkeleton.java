package dev.agentkernel.backend.bwrap;

import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The sandbox's {@code /etc}: a few files written by AgentKernel (users, groups, hosts,
 * resolver, name-service switch) and copies of an allow-list of harmless host entries
 * (dynamic-linker cache, alternatives, time zone, CA certificates, language runtime
 * configuration). Nothing else of the host's {@code /etc} is visible: no {@code shadow}, no
 * host keys, no host user names.
 *
 * <p>The whole tree is materialised once on the host ({@code <state>/etc/v2-<signature>/},
 * one variant with {@code resolv.conf} for sandboxes with network and one without) and bound
 * read-only at {@code /etc} with a single mount: setting up and tearing down dozens of
 * single-file mounts per sandbox cost more than half of a sandbox's start. The signature
 * covers the generated files and the type, size, modification time and link target of every
 * copied host entry, so a host change (new CA certificates, a new time zone) gives a new tree.
 */
final class EtcSkeleton {

    /** Host /etc entries that are safe to show and needed by common programs. */
    static final List<String> HOST_ALLOW_LIST = List.of("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives",
            "localtime", "timezone", "ssl/certs", "ssl/openssl.cnf", "ca-certificates", "ca-certificates.conf",
            "pki/tls/certs", "pki/ca-trust/extracted", "mime.types",
            "protocols", "services", "gai.conf", "host.conf", "os-release", "debian_version", "lsb-release",
            "bash.bashrc", "inputrc", "profile", "profile.d", "terminfo", "magic", "mailcap", "perl", "fonts",
            "xdg", "manpath.config",
            "shells", "ethertypes", "rpc", "networks", "selinux");
    /** Prefixes of host /etc entries for language runtimes (java-17-openjdk, python3.11, ...). */
    static final List<String> HOST_ALLOW_PREFIXES = List.of("java-", "python", "php", "ruby", "node", "R");

    private static final String VERSION = "v2";
    private static final Path HOST_ETC = Path.of("/etc");
    private static final Duration STALE_BUILD = Duration.ofMinutes(5);
    /** How long a tree found current is trusted without looking at the host's /etc again. */
    static final Duration RECHECK = Duration.ofSeconds(30);
    private static final String CURRENT = "current";
    /**
     * The resolver address of sandboxes with network: slirp4netns answers it itself, the bridge
     * network translates it to the host's upstream resolver ({@link BridgeRules}).
     */
    static final String SANDBOX_RESOLVER = "10.0.2.3";
    private static final Map<String, String> FILES = Map.of(
            "passwd", "root:x:0:0:root:/workspace:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
            "group", "root:x:0:\nnogroup:x:65534:\n",
            "hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
            "nsswitch.conf", "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\n"
                    + "protocols: files\nservices: files\nethers: files\nrpc: files\n",
            "resolv.conf", "nameserver " + SANDBOX_RESOLVER + "\noptions edns0\n");
    /** Generated files every variant has; {@code resolv.conf} only the one with network. */
    static final List<String> GENERATED = List.of("passwd", "group", "hosts", "nsswitch.conf");

    private final Path tree;
    private final List<String> hostEntries;

    private EtcSkeleton(Path tree, List<String> hostEntries) {
        this.tree = tree;
        this.hostEntries = hostEntries;
    }

    /**
     * Makes sure the trees for the host's current {@code /etc} exist under {@code stateDir}
     * (building them if not, atomically, safe against concurrent processes) and removes trees
     * of earlier host states.
     */
    static EtcSkeleton prepare(Path stateDir) {
        List<String> host = allowedHostEntries();
        Path root = stateDir.resolve("etc");
        Optional<Path> recent = recentlyChecked(root);
        if (recent.isPresent()) {
            return new EtcSkeleton(recent.get(), host);
        }
        Path tree = root.resolve(VERSION + "-" + signature(host));
        try {
            if (!Files.isRegularFile(tree.resolve(".complete"))) {
                build(root, tree, host);
            }
            removeOthers(root, tree);
            markChecked(root, tree);
        } catch (IOException | UncheckedIOException e) {
            throw new SandboxFailureException("cannot prepare the sandbox /etc in " + root + ": " + e.getMessage(), e);
        }
        return new EtcSkeleton(tree, host);
    }

    /**
     * The tree found current less than {@link #RECHECK} ago, if any: the signature walks the
     * allowed host directories, which a command-line {@code run} should not pay for each time.
     */
    private static Optional<Path> recentlyChecked(Path root) {
        try {
            Path current = root.resolve(CURRENT);
            FileTime checked = Files.getLastModifiedTime(current, LinkOption.NOFOLLOW_LINKS);
            if (checked.toInstant().isAfter(Instant.now().minus(RECHECK))) {
                Path tree = root.resolve(Files.readSymbolicLink(current));
                if (tree.getFileName().toString().startsWith(VERSION + "-") && Files.isRegularFile(tree.resolve(".complete"))) {
                    return Optional.of(tree);
                }
            }
        } catch (IOException e) {
            // not checked yet
        }
        return Optional.empty();
    }

    /** Points {@code current} at the tree (atomically), which also records when it was checked. */
    private static void markChecked(Path root, Path tree) throws IOException {
        Path tmp = root.resolve(".current-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Files.createSymbolicLink(tmp, tree.getFileName());
        Files.move(tmp, root.resolve(CURRENT), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static List<String> allowedHostEntries() {
        List<String> host = new ArrayList<>();
        for (String name : HOST_ALLOW_LIST) {
            if (Files.exists(HOST_ETC.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                host.add(name);
            }
        }
        try (var entries = Files.list(HOST_ETC)) {
            entries.map(p -> p.getFileName().toString())
                    .filter(n -> HOST_ALLOW_PREFIXES.stream().anyMatch(n::startsWith))
                    .filter(n -> !host.contains(n))
                    .sorted()
                    .forEach(host::add);
        } catch (IOException e) {
            // no extra runtime configuration
        }
        return List.copyOf(host);
    }

    /**
     * A hash of what the tree is made of: the generated files, and the type, size, modification
     * time and link target of every allowed host entry and of every directory under them.
     * Package managers replace files by renaming new ones into place, which changes their
     * directory's modification time, so files inside directories need not be read one by one.
     */
    private static String signature(List<String> host) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            new TreeMap<>(FILES).forEach((k, v) -> digest.update((k + "=" + v + "\0").getBytes(StandardCharsets.UTF_8)));
            for (String entry : host) {
                Path start = HOST_ETC.resolve(entry);
                digest.update(describe(start).getBytes(StandardCharsets.UTF_8));
                if (Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) {
                    try (var walk = Files.find(start, 8, (p, a) -> a.isDirectory())) {
                        for (Path p : walk.sorted().toList()) {
                            digest.update(describe(p).getBytes(StandardCharsets.UTF_8));
                        }
                    } catch (IOException | UncheckedIOException e) {
                        digest.update(("unreadable " + start + "\0").getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

    private static String describe(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            String link = a.isSymbolicLink() ? Files.readSymbolicLink(p).toString() : "";
            return p + "|" + (a.isDirectory() ? "d" : a.isSymbolicLink() ? "l" : a.isRegularFile() ? "f" : "o") + "|"
                    + a.size() + "|" + a.lastModifiedTime().toMillis() + "|" + link + "\0";
        } catch (IOException e) {
            return p + "|?\0";
        }
    }

    private static void build(Path root, Path tree, List<String> host) throws IOException {
        Files.createDirectories(root);
        Path tmp = root.resolve(".build-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            for (String variant : List.of("offline", "online")) {
                Path etc = Files.createDirectories(tmp.resolve(variant));
                setMode(etc, "rwxr-xr-x");
                for (String entry : host) {
                    copyEntry(HOST_ETC.resolve(entry), etc.resolve(entry));
                }
                List<String> generated = new ArrayList<>(GENERATED);
                if (variant.equals("online")) {
                    generated.add("resolv.conf");
                }
                for (String name : generated) {
                    Path file = etc.resolve(name);
                    Files.writeString(file, FILES.get(name), StandardCharsets.UTF_8);
                    setMode(file, "rw-r--r--");
                }
            }
            setMode(tmp, "rwxr-xr-x");
            Files.writeString(tmp.resolve(".complete"), "");
            try {
                Files.move(tmp, tree, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // another process built the same tree meanwhile
            } catch (java.nio.file.FileSystemException e) {
                if (!Files.isRegularFile(tree.resolve(".complete"))) {
                    throw e;
                }
            }
        } finally {
            deleteTree(tmp);
        }
    }

    /** Copies a host entry: directories recursively, files with their mode, links as links; nothing else. */
    private static void copyEntry(Path source, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(source, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return; // vanished or unreadable: left out
        }
        if (a.isSymbolicLink()) {
            Files.createSymbolicLink(target, Files.readSymbolicLink(source));
        } else if (a.isDirectory()) {
            Files.createDirectories(target);
            setMode(target, "rwxr-xr-x");
            try (var children = Files.list(source)) {
                for (Path child : children.toList()) {
                    copyEntry(child, target.resolve(child.getFileName().toString()));
                }
            } catch (IOException e) {
                // an unreadable directory stays empty
            }
        } else if (a.isRegularFile()) {
            try {
                Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                // unreadable: left out
            }
        }
    }

    /** Deletes trees of earlier host states and builds left by dead processes. */
    private static void removeOthers(Path root, Path keep) {
        try (var entries = Files.list(root)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (entry.equals(keep) || name.equals(CURRENT)) {
                    continue;
                }
                boolean temporary = name.startsWith(".build-") || name.startsWith(".current-");
                if (!temporary || isOlderThan(entry, STALE_BUILD)) {
                    deleteTree(entry); // a running sandbox keeps its mount of a deleted tree
                }
            }
        } catch (IOException e) {
            // nothing to tidy
        }
    }

    private static boolean isOlderThan(Path p, Duration age) {
        try {
            return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(Instant.now().minus(age));
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            // best effort
        }
    }

    private static void setMode(Path p, String mode) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
    }

    /** Adds the one bwrap argument group that builds /etc; the variant with resolv.conf when the sandbox has network. */
    /** The host directory bound at the sandbox's /etc. */
    Path tree(boolean network) {
        return tree.resolve(network ? "online" : "offline");
    }

    /** The host entries copied. */
    List<String> hostEntries() {
        return hostEntries;
    }
}
