package dev.agentkernel.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** A file-by-file description of a tree (type, mode, owner, content hash, link target), for comparisons. */
final class TreeSnapshot {

    private TreeSnapshot() {
    }

    static Map<String, String> of(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root)) {
                    out.put(root.relativize(dir).toString(), describe(dir, attrs));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                out.put(root.relativize(file).toString(), describe(file, attrs));
                return FileVisitResult.CONTINUE;
            }
        });
        return out;
    }

    static String describe(Path p, BasicFileAttributes attrs) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        Object uid = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Object gid = Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        if (attrs.isSymbolicLink()) {
            return "link " + uid + ":" + gid + " -> " + Files.readSymbolicLink(p);
        }
        String perms = String.format("%04o %s:%s", mode & 07777, uid, gid);
        if (attrs.isDirectory()) {
            return "dir " + perms;
        }
        if (attrs.isRegularFile()) {
            return "file " + perms + " " + sha256(p);
        }
        long rdev = (Long) Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
        return String.format("special %06o %s rdev=%d", mode & 0170000, perms, rdev);
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
