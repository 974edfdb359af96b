package dev.agentkernel.backend.bwrap;

import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The empty host directory on which each launcher, in its own private mount namespace, mounts
 * the tmpfs where it stages a sandbox's mount sources ({@link MountSources.Staged}). It stays
 * empty on the host. It must be reachable by sandbox root (an unprivileged host uid) through
 * world-searchable parents, hence {@code /run/agentkernel-stage} (or, without {@code /run},
 * {@code /tmp/.agentkernel-stage}) rather than a place under the state directory.
 */
final class StageDirectory {

    private StageDirectory() {
    }

    /** Creates the directory if needed and checks that it is a root-owned real directory. */
    static Path ensure() {
        Path dir = Files.isDirectory(Path.of("/run")) ? Path.of("/run/agentkernel-stage")
                : Path.of("/tmp/.agentkernel-stage");
        try {
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            } catch (FileAlreadyExistsException e) {
                // checked below
            }
            PosixFileAttributes attrs = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Object uid = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isDirectory() || !Integer.valueOf(0).equals(uid)) {
                throw new SandboxFailureException(dir + " must be a directory owned by root (it is where sandbox mounts"
                        + " are staged); remove it and try again");
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            return dir;
        } catch (IOException e) {
            throw new SandboxFailureException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }
}
