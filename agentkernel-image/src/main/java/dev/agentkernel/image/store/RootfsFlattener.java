package dev.agentkernel.image.store;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies unpacked layer directories, lowest first, into one directory, with overlayfs'
 * semantics: a directory over a directory merges (unless it is opaque, then it replaces); any
 * other entry replaces what was there; a whiteout (character device 0/0) removes it. Owners,
 * modes, modification times, symbolic links and hard links within a layer are kept.
 *
 * <p>Every parent of an entry exists as a real directory in its layer and is applied before
 * the entry (pre-order), so writes into the target never go through a symbolic link.
 */
public final class RootfsFlattener {

    private final java.util.function.LongUnaryOperator ids;

    /** A flattener that keeps owners as the layers have them. */
    public RootfsFlattener() {
        this(java.util.function.LongUnaryOperator.identity());
    }

    /** A flattener that gives every file the owner {@code ids} maps its layer's owner to (uid and gid alike). */
    public RootfsFlattener(java.util.function.LongUnaryOperator ids) {
        this.ids = ids;
    }

    /**
     * Flattens only the top-level directory {@code name} of the layers into {@code target}
     * (empty or missing): what a sandbox made from them sees at {@code /name}. A layer whose
     * {@code name} is a whiteout or not a directory removes what lower ones had there; an
     * opaque one replaces it.
     */
    public void flattenDirectory(List<Path> layerDirs, String name, Path target) throws IOException {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("bad top-level directory: " + name);
        }
        flatten(List.of(), target);
        List<Map.Entry<Path, FileTime>> dirTimes = new ArrayList<>();
        for (Path layer : layerDirs) {
            Path dir = layer.resolve(name);
            BasicFileAttributes attrs = LayerUnpacker.attributes(dir);
            boolean opaqueRoot = LinuxFiles.getXattr(layer, LinuxFiles.OPAQUE_XATTR) != null;
            if (attrs == null && !opaqueRoot) {
                continue;
            }
            if (attrs == null || !attrs.isDirectory() || opaqueRoot
                    || LinuxFiles.getXattr(dir, LinuxFiles.OPAQUE_XATTR) != null) {
                try (var children = Files.list(target)) {
                    for (Path c : children.toList()) {
                        LayerUnpacker.removeExisting(c);
                    }
                }
            }
            if (attrs != null && attrs.isDirectory()) {
                applyLayer(dir, target, dirTimes);
            }
        }
        for (int i = dirTimes.size() - 1; i >= 0; i--) {
            Map.Entry<Path, FileTime> d = dirTimes.get(i);
            if (Files.isDirectory(d.getKey(), LinkOption.NOFOLLOW_LINKS)) {
                times(d.getKey(), d.getValue());
            }
        }
    }

    /** Applies every layer, lowest first, into {@code target} (empty or missing). */
    public void flatten(List<Path> layerDirs, Path target) throws IOException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            try (var s = Files.list(target)) {
                if (s.findAny().isPresent()) {
                    throw new IOException(target + " is not empty; give an empty or missing directory");
                }
            }
        } else {
            Files.createDirectories(target);
        }
        List<Map.Entry<Path, FileTime>> dirTimes = new ArrayList<>();
        for (Path layer : layerDirs) {
            applyLayer(layer, target, dirTimes);
        }
        for (int i = dirTimes.size() - 1; i >= 0; i--) {
            Map.Entry<Path, FileTime> d = dirTimes.get(i);
            if (Files.isDirectory(d.getKey(), LinkOption.NOFOLLOW_LINKS)) {
                times(d.getKey(), d.getValue());
            }
        }
    }

    private void applyLayer(Path layer, Path target, List<Map.Entry<Path, FileTime>> dirTimes) throws IOException {
        Map<Object, Path> hardLinks = new HashMap<>();
        Files.walkFileTree(layer, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path out = target.resolve(layer.relativize(dir).toString());
                BasicFileAttributes existing = LayerUnpacker.attributes(out);
                if (existing != null && !existing.isDirectory()) {
                    LayerUnpacker.removeExisting(out);
                    existing = null;
                }
                if (existing == null) {
                    Files.createDirectory(out);
                } else if (LinuxFiles.getXattr(dir, LinuxFiles.OPAQUE_XATTR) != null) {
                    try (var children = Files.list(out)) {
                        for (Path c : children.toList()) {
                            LayerUnpacker.removeExisting(c);
                        }
                    }
                }
                copyOwnerAndMode(dir, out);
                dirTimes.add(Map.entry(out, attrs.lastModifiedTime()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path out = target.resolve(layer.relativize(file).toString());
                LayerUnpacker.removeExisting(out);
                if (attrs.isOther()) {
                    int mode = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                    long rdev = (Long) Files.getAttribute(file, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
                    if ((mode & 0170000) == 0020000 && rdev == 0) {
                        return FileVisitResult.CONTINUE; // whiteout: the removal above is all
                    }
                    return FileVisitResult.CONTINUE; // no other special files are ever unpacked
                }
                if (attrs.isSymbolicLink()) {
                    Files.createSymbolicLink(out, Files.readSymbolicLink(file));
                    owner(file, out);
                    times(out, attrs.lastModifiedTime());
                    return FileVisitResult.CONTINUE;
                }
                int nlink = (Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
                if (nlink > 1) {
                    Path first = hardLinks.get(attrs.fileKey());
                    if (first != null && Files.exists(first, LinkOption.NOFOLLOW_LINKS)) {
                        Files.createLink(out, first);
                        return FileVisitResult.CONTINUE;
                    }
                    hardLinks.put(attrs.fileKey(), out);
                }
                Files.copy(file, out, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
                copyOwnerAndMode(file, out);
                times(out, attrs.lastModifiedTime());
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private void owner(Path from, Path to) throws IOException {
        long uid = ((Number) Files.getAttribute(from, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
        long gid = ((Number) Files.getAttribute(from, "unix:gid", LinkOption.NOFOLLOW_LINKS)).longValue();
        Files.setAttribute(to, "unix:uid", (int) ids.applyAsLong(uid), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:gid", (int) ids.applyAsLong(gid), LinkOption.NOFOLLOW_LINKS);
    }

    private void copyOwnerAndMode(Path from, Path to) throws IOException {
        owner(from, to);
        int mode = (Integer) Files.getAttribute(from, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:mode", mode & 07777);
    }

    private static void times(Path p, FileTime t) throws IOException {
        Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(t, t, null);
    }
}
