package dev.agentkernel.image.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.image.ExtractionLimits;
import dev.agentkernel.image.oci.Digest;
import dev.agentkernel.testing.SandboxHost;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unpacker writes files on several threads: what it makes must be exactly what the tar says,
 * in the tar's order (a later entry replaces an earlier one), and every refusal still holds.
 */
class LayerUnpackerTest {

    private static final Instant WHEN = Instant.parse("2021-03-04T05:06:07Z");

    @TempDir
    Path temp;

    @BeforeAll
    static void root() {
        SandboxHost.require(SandboxHost.isRoot(), "LayerUnpackerTest needs root: it keeps owners and set-id bits");
    }

    @FunctionalInterface
    private interface Entries {
        void write(TarArchiveOutputStream t) throws IOException;
    }

    private static byte[] tar(Entries entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            entries.write(t);
        }
        return bytes.toByteArray();
    }

    private static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    private static void file(TarArchiveOutputStream t, String name, int mode, int uid, int gid, long mtimeOffset,
                             byte[] content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(0100000 | mode);
        e.setIds(uid, gid);
        e.setModTime(Date.from(WHEN.plusSeconds(mtimeOffset)));
        e.setSize(content.length);
        t.putArchiveEntry(e);
        t.write(content);
        t.closeArchiveEntry();
    }

    private static void dir(TarArchiveOutputStream t, String name, int mode, int uid, int gid) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
        e.setMode(040000 | mode);
        e.setIds(uid, gid);
        e.setModTime(Date.from(WHEN.plusSeconds(7)));
        t.putArchiveEntry(e);
        t.closeArchiveEntry();
    }

    private static void link(TarArchiveOutputStream t, String name, byte type, String target) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, type);
        e.setLinkName(target);
        e.setModTime(Date.from(WHEN));
        t.putArchiveEntry(e);
        t.closeArchiveEntry();
    }

    private static byte[] content(int i) {
        byte[] b = new byte[(i * 977) % 5000];
        Arrays.fill(b, (byte) i);
        return b;
    }

    private LayerUnpacker.Result unpack(byte[] layer, Path root, int budget) throws IOException {
        Files.createDirectories(root);
        return new LayerUnpacker(ExtractionLimits.DEFAULT, "test", budget).unpack(new ByteArrayInputStream(layer), root);
    }

    /** Type, mode, owner, mtime and content (or link target) of every path under {@code root}. */
    private static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (var walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                String owner = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) + ":"
                        + Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
                String what;
                if (a.isSymbolicLink()) {
                    what = "link " + owner + " -> " + Files.readSymbolicLink(p);
                } else {
                    String common = String.format("%04o %s %s", mode & 07777, owner, a.lastModifiedTime());
                    what = a.isDirectory() ? "dir " + common
                            : a.isRegularFile() ? "file " + common + " " + Digest.sha256(Files.readAllBytes(p))
                            : String.format("special %06o", mode & 0170000);
                }
                out.put(root.relativize(p).toString(), what);
            }
        }
        return out;
    }

    @Test
    void manyFilesInManyDirectoriesKeepContentModesOwnersAndTimes() throws IOException {
        Map<String, String> expected = new LinkedHashMap<>();
        int[] modes = {0644, 0755, 04755, 02755, 06711, 0600, 01777, 0444};
        int[][] owners = {{0, 0}, {1000, 1000}, {65534, 100}, {12345, 0}};
        byte[] layer = gzip(tar(t -> {
            dir(t, "./", 0755, 0, 0);
            for (int d = 0; d < 40; d++) {
                String dirName = "usr/share/d" + d + (d % 3 == 0 ? "/deep/er" : "");
                if (d % 2 == 0) {
                    dir(t, dirName, 0750, 1000, 1000);
                }
                for (int f = 0; f < 25; f++) {
                    int i = d * 25 + f;
                    int[] owner = owners[i % owners.length];
                    file(t, dirName + "/f" + f, modes[i % modes.length], owner[0], owner[1], i, content(i));
                }
            }
            file(t, "usr/share/d1/f0", 0640, 7, 7, 99, "replaced".getBytes(StandardCharsets.UTF_8));
            link(t, "usr/share/d1/hard", TarConstants.LF_LINK, "usr/share/d1/f1");
            link(t, "usr/share/d1/sym", TarConstants.LF_SYMLINK, "../../../../etc/passwd");
        }));
        Path root = temp.resolve("layer");
        LayerUnpacker.Result result = unpack(layer, root, 1 << 20);

        assertThat(result.entries()).isEqualTo(1 + 20 + 1000 + 3);
        Map<String, String> tree = describe(root);
        for (int d = 0; d < 40; d++) {
            String dirName = "usr/share/d" + d + (d % 3 == 0 ? "/deep/er" : "");
            for (int f = 0; f < 25; f++) {
                int i = d * 25 + f;
                if (dirName.equals("usr/share/d1") && f == 0) {
                    continue;
                }
                int[] owner = owners[i % owners.length];
                expected.put(dirName + "/f" + f, String.format("file %04o %d:%d %s %s", modes[i % modes.length],
                        owner[0], owner[1], FileTime.from(WHEN.plusSeconds(i)), Digest.sha256(content(i))));
            }
            if (d % 2 == 0) {
                expected.put(dirName, "dir 0750 1000:1000 " + FileTime.from(WHEN.plusSeconds(7)));
            }
        }
        expected.put("usr/share/d1/f0", "file 0640 7:7 " + FileTime.from(WHEN.plusSeconds(99)) + " "
                + Digest.sha256("replaced".getBytes(StandardCharsets.UTF_8)));
        expected.put("usr/share/d1/sym", "link 0:0 -> ../../../../etc/passwd");
        expected.forEach((path, what) -> assertThat(tree.get(path)).as(path).isEqualTo(what));
        assertThat(tree.get("")).isEqualTo("dir 0755 0:0 " + FileTime.from(WHEN.plusSeconds(7)));
        assertThat(Files.isSameFile(root.resolve("usr/share/d1/hard"), root.resolve("usr/share/d1/f1"))).isTrue();
        assertThat(result.diffId()).isEqualTo(Digest.sha256(new java.util.zip.GZIPInputStream(
                new ByteArrayInputStream(layer)).readAllBytes()));
    }

    @Test
    void laterEntriesReplaceEarlierOnesAsInTheTarsOrder() throws IOException {
        byte[] layer = tar(t -> {
            file(t, "a", 0644, 0, 0, 0, "first".getBytes(StandardCharsets.UTF_8));
            file(t, "a", 0600, 0, 0, 0, "second".getBytes(StandardCharsets.UTF_8));
            file(t, "d/x", 0644, 0, 0, 0, "in d".getBytes(StandardCharsets.UTF_8));
            file(t, "d", 0644, 0, 0, 0, "d is a file now".getBytes(StandardCharsets.UTF_8));
            file(t, "e", 0644, 0, 0, 0, "e was a file".getBytes(StandardCharsets.UTF_8));
            dir(t, "e", 0711, 0, 0);
            file(t, "e/y", 0644, 0, 0, 0, "in e".getBytes(StandardCharsets.UTF_8));
            file(t, "w/gone", 0644, 0, 0, 0, "hidden later".getBytes(StandardCharsets.UTF_8));
            file(t, "w/.wh.gone", 0644, 0, 0, 0, new byte[0]);
            file(t, "s", 0644, 0, 0, 0, "link source".getBytes(StandardCharsets.UTF_8));
            link(t, "h", TarConstants.LF_LINK, "s");
        });
        Path root = temp.resolve("layer");
        unpack(layer, root, 1 << 20);

        assertThat(root.resolve("a")).hasContent("second");
        assertThat((Integer) Files.getAttribute(root.resolve("a"), "unix:mode") & 07777).isEqualTo(0600);
        assertThat(root.resolve("d")).isRegularFile().hasContent("d is a file now");
        assertThat(root.resolve("e")).isDirectory();
        assertThat((Integer) Files.getAttribute(root.resolve("e"), "unix:mode") & 07777).isEqualTo(0711);
        assertThat(root.resolve("e/y")).hasContent("in e");
        assertThat((Long) Files.getAttribute(root.resolve("w/gone"), "unix:rdev", LinkOption.NOFOLLOW_LINKS)).isZero();
        assertThat(Files.readAttributes(root.resolve("w/gone"), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .isOther()).isTrue();
        assertThat(Files.isSameFile(root.resolve("h"), root.resolve("s"))).isTrue();
    }

    @Test
    void aSymbolicLinkReplacingADirectoryOfQueuedFilesIsNeverWrittenThrough() throws IOException {
        Path outside = Files.createDirectories(temp.resolve("outside"));
        byte[] layer = tar(t -> {
            for (int i = 0; i < 200; i++) {
                file(t, "d/f" + i, 0644, 0, 0, 0, content(i));
            }
            link(t, "d", TarConstants.LF_SYMLINK, outside.toString());
            file(t, "d/pwned", 0644, 0, 0, 0, "pwned".getBytes(StandardCharsets.UTF_8));
        });
        assertThatThrownBy(() -> unpack(layer, temp.resolve("layer"), 1 << 20))
                .isInstanceOf(LayerRefusedException.class).hasMessageContaining("symbolic link 'd'");
        try (var s = Files.list(outside)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void aFileQueuedThenUsedAsAParentIsRefused() throws IOException {
        byte[] layer = tar(t -> {
            file(t, "p", 0644, 0, 0, 0, "a file".getBytes(StandardCharsets.UTF_8));
            file(t, "p/child", 0644, 0, 0, 0, "x".getBytes(StandardCharsets.UTF_8));
        });
        assertThatThrownBy(() -> unpack(layer, temp.resolve("layer"), 1 << 20))
                .isInstanceOf(LayerRefusedException.class).hasMessageContaining("non-directory 'p'");
    }

    @Test
    void filesLargerThanTheWriteBudgetAreWrittenByTheReadingThreadAlike() throws IOException {
        byte[] big = new byte[300_000];
        new java.util.Random(1).nextBytes(big);
        byte[] layer = tar(t -> {
            dir(t, "./", 0755, 0, 0);
            dir(t, "x", 0700, 0, 0);
            for (int i = 0; i < 20; i++) {
                file(t, "x/f" + i, 04755, 1000, 1000, i, i % 2 == 0 ? big : content(i));
            }
        });
        Path small = temp.resolve("small-budget");
        Path large = temp.resolve("large-budget");
        unpack(layer, small, 64 * 1024);
        unpack(layer, large, 1 << 20);
        assertThat(describe(small)).isEqualTo(describe(large));
        assertThat(describe(small).get("x/f0")).startsWith("file 4755 1000:1000");
    }

    @Test
    void theLayerDirectoryMustBeEmpty() throws IOException {
        Path root = Files.createDirectories(temp.resolve("layer"));
        Files.writeString(root.resolve("stale"), "x");
        byte[] layer = tar(t -> file(t, "a", 0644, 0, 0, 0, new byte[1]));
        assertThatThrownBy(() -> unpack(layer, root, 1 << 20)).isInstanceOf(IllegalArgumentException.class);
    }
}
