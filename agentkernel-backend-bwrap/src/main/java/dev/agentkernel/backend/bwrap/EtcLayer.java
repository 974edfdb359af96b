package dev.agentkernel.backend.bwrap;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.stream.Stream;

/**
 * An {@link EtcSkeleton} tree as an image layer (a directory holding {@code etc/}), for a runtime
 * that writes into the sandbox's {@code /etc} before the container starts (podman binds its
 * {@code /etc/hostname} there, and runc must create the mount point): the root on the host's
 * {@code /usr} then has its {@code /etc} in its overlay, under the writable layer, instead of a
 * read-only bind. Made once per tree (trees are named after their content) under
 * {@code STATE/oci-etc-layers}, of hard links to the tree's files (the same file system), so it
 * costs no copy; the overlay never writes to a lower layer. A layer whose tree is gone (the host's
 * {@code /etc} changed and {@link EtcSkeleton} dropped it) is deleted when a new one is made.
 */
final class EtcLayer {

    private EtcLayer() {
    }

    /** The layer of {@code tree} (an {@link EtcSkeleton#tree} variant), made if it is not there yet. */
    static Path of(Path stateDir, Path tree) throws IOException {
        Path layers = Files.createDirectories(stateDir.resolve("oci-etc-layers"));
        Path layer = layers.resolve(tree.getParent().getFileName() + "-" + tree.getFileName());
        if (Files.isDirectory(layer.resolve("etc"))) {
            return layer;
        }
        Path tmp = layers.resolve(".build-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            Files.createDirectories(tmp);
            copy(tree, tmp.resolve("etc"));
            try {
                Files.move(tmp, layer, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException built) {
                // another sandbox made it meanwhile
            }
        } finally {
            LaunchChannel.deleteTree(tmp);
        }
        dropStale(layers, tree.getParent().getParent());
        return layer;
    }

    /** Layers named {@code TREE-VARIANT} whose {@code TREE} is no longer among {@code trees}. */
    private static void dropStale(Path layers, Path trees) throws IOException {
        try (Stream<Path> entries = Files.list(layers)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                int dash = name.lastIndexOf('-');
                if (!name.startsWith(".") && dash > 0 && !Files.isDirectory(trees.resolve(name.substring(0, dash)))) {
                    LaunchChannel.deleteTree(entry);
                }
            }
        }
    }

    /** Directories recreated with their mode and owner, files hard-linked, symbolic links copied. */
    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isSymbolicLink(source)) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(source));
                } else if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                    PosixFileAttributes attributes = Files.readAttributes(source, PosixFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    PosixFileAttributeView view = Files.getFileAttributeView(target, PosixFileAttributeView.class);
                    view.setPermissions(attributes.permissions());
                    view.setOwner(attributes.owner());
                    view.setGroup(attributes.group());
                } else {
                    Files.createLink(target, source);
                }
            }
        }
    }
}
