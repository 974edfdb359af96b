package dev.agentkernel.backend.bwrap;

import dev.agentkernel.core.host.HostContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;

/**
 * The host ids a sandbox's users are: uids and gids {@code 0..count-1} in the sandbox are the
 * host's {@code base..base+count-1}, so root in a sandbox is an unprivileged host uid that owns
 * nothing outside the sandbox's own directories. Only a root daemon maps ids (the launcher
 * writes the maps as host root); an unprivileged one runs sandboxes as itself, through
 * bubblewrap's own user namespace.
 *
 * <p>The base is {@value #DEFAULT_BASE} (outside every range {@code useradd} hands out and the
 * subordinate ranges it allocates from 100000 up), or {@code AGENTKERNEL_SANDBOX_UID_BASE}.
 *
 * @param base  host uid (and gid) of sandbox root
 * @param count how many ids are mapped
 */
record SandboxUsers(long base, long count) {

    /** Host uid of sandbox root unless configured. */
    static final long DEFAULT_BASE = 1_879_048_192L;
    /** Ids mapped per sandbox: 0..65535, what images and package managers expect. */
    static final long COUNT = 65_536L;

    SandboxUsers {
        if (base < 1 || count < 1 || base + count - 1 > 4_294_967_294L) {
            throw new IllegalArgumentException("bad sandbox id range " + base + "+" + count);
        }
    }

    /** The mapping for this host: present exactly when AgentKernel runs as root. */
    static Optional<SandboxUsers> forHost(HostContext host) {
        if (!host.root()) {
            return Optional.empty();
        }
        String configured = host.env().get("AGENTKERNEL_SANDBOX_UID_BASE");
        long base = DEFAULT_BASE;
        if (configured != null && !configured.isBlank()) {
            try {
                base = Long.parseLong(configured.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("AGENTKERNEL_SANDBOX_UID_BASE must be a number, e.g. "
                        + DEFAULT_BASE + "; got '" + configured + "'");
            }
            if (base < 65_536) {
                throw new IllegalArgumentException("AGENTKERNEL_SANDBOX_UID_BASE must be at least 65536 (below are the"
                        + " host's own users); got " + base);
            }
        }
        return Optional.of(new SandboxUsers(base, COUNT));
    }

    /** The launcher's arguments that create the sandbox's user namespace. */
    List<String> launchArguments() {
        return List.of("--userns", Long.toString(base), Long.toString(count));
    }

    /** Host uid (and gid) of the sandbox's user ({@link BwrapCommandLine#SANDBOX_USER}), who runs its commands. */
    long user() {
        return base + BwrapCommandLine.SANDBOX_USER;
    }

    /**
     * Makes the sandbox's user own {@code dir} and everything in it (a directory of AgentKernel's
     * own that the sandbox writes: its workspace, {@code /tmp}, a session's files). Cheap when it
     * already does: only the top is looked at then. Links are not followed.
     */
    /** The range as core sees it. */
    dev.agentkernel.core.backend.SandboxIds ids() {
        return new dev.agentkernel.core.backend.SandboxIds(base, count);
    }

    void own(Path dir) {
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || ownedBySandbox(dir)) {
                return;
            }
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    chown(d);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    chown(file);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot give " + dir + " to the sandbox's user (host uid " + user() + ")", e);
        }
    }

    private boolean ownedBySandbox(Path path) throws IOException {
        Object uid = Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        return uid instanceof Integer u && Integer.toUnsignedLong(u) == user();
    }

    private void chown(Path path) throws IOException {
        int id = (int) user();
        Files.setAttribute(path, "unix:uid", id, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", id, LinkOption.NOFOLLOW_LINKS);
    }
}
