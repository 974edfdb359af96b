package dev.agentkernel.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The images of {@link ImageBench}, built with the real tools into one OCI layout and pushed
 * with skopeo: {@code umoci} makes each layer ({@code umoci repack} of a bundle's root file
 * system), {@code skopeo copy oci:… docker://…} pushes. Needs root (umoci keeps owners).
 */
final class BenchImages {

    /** Busybox applets linked in the small image. */
    private static final List<String> APPLETS = List.of("sh", "true", "false", "echo", "cat", "ls", "env", "id");

    private final Path work;
    private final Path layout;

    /**
     * One layer of host files.
     *
     * @param source the host directory the files come from
     * @param bytes  how many bytes of its regular files to copy (at most)
     */
    record HostSlice(Path source, long bytes) {
    }

    /**
     * A pushed image.
     *
     * @param tag          its tag in the layout
     * @param layers       how many layers it has
     * @param contentBytes the bytes of the files its layers add (uncompressed)
     */
    record Built(String tag, int layers, long contentBytes) {
    }

    /** A new OCI layout under {@code work} ({@code umoci init}), with an empty image to start from. */
    BenchImages(Path work) {
        this.work = work;
        this.layout = work.resolve("oci");
        run(List.of("umoci", "init", "--layout", layout.toString()));
        run(List.of("umoci", "new", "--image", layout + ":empty"));
    }

    /** A one-layer image of a static busybox ({@code /bin/busybox} of the host) with a few applet links. */
    Built busybox(String tag) throws IOException {
        Path bundle = unpackEmpty("bundle-" + tag);
        Path rootfs = bundle.resolve("rootfs");
        for (String d : List.of("bin", "etc", "tmp", "proc", "dev", "usr/bin")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : APPLETS) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\n");
        Files.setAttribute(rootfs.resolve("tmp"), "unix:mode", 01777);
        repack(bundle, tag);
        return new Built(tag, 1, Files.size(Path.of("/bin/busybox")));
    }

    /**
     * An image with one layer per slice of host files ({@code tag}), then the same image with one
     * more small layer ({@code extendedTag}: {@code extraBytes} of random, incompressible data).
     *
     * @return the two images
     */
    List<Built> layered(String tag, List<HostSlice> slices, String extendedTag, int extraBytes) throws IOException {
        Path bundle = unpackEmpty("bundle-" + tag);
        Path rootfs = bundle.resolve("rootfs");
        long total = 0;
        for (int i = 0; i < slices.size(); i++) {
            total += copySlice(slices.get(i), rootfs);
            repack(bundle, i == slices.size() - 1 ? tag : tag + "-layer" + (i + 1));
        }
        Path extra = Files.createDirectories(rootfs.resolve("opt/extra"));
        byte[] data = new byte[extraBytes];
        new Random(42).nextBytes(data);
        Files.write(extra.resolve("data.bin"), data);
        Files.writeString(extra.resolve("README"), "the one layer " + extendedTag + " adds\n", StandardCharsets.UTF_8);
        repack(bundle, extendedTag);
        return List.of(new Built(tag, slices.size(), total), new Built(extendedTag, slices.size() + 1, total + extraBytes));
    }

    /** Pushes the layout's {@code tag} to {@code registryHost} as {@code repoAndTag}; returns the reference. */
    String push(String tag, String registryHost, String repoAndTag) {
        String ref = registryHost + "/" + repoAndTag;
        run(List.of("skopeo", "copy", "--quiet", "--dest-tls-verify=false", "oci:" + layout + ":" + tag,
                "docker://" + ref));
        return ref;
    }

    private Path unpackEmpty(String name) {
        Path bundle = work.resolve(name);
        run(List.of("umoci", "unpack", "--image", layout + ":empty", bundle.toString()));
        return bundle;
    }

    private void repack(Path bundle, String tag) {
        run(List.of("umoci", "repack", "--refresh-bundle", "--image", layout + ":" + tag, bundle.toString()));
    }

    /** Copies regular files of the slice's directory (in path order) into the same paths under {@code rootfs}. */
    private static long copySlice(HostSlice slice, Path rootfs) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(slice.source())) {
            files = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.isReadable(p))
                    .sorted().toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        long copied = 0;
        for (Path file : files) {
            long size = Files.size(file);
            if (copied + size > slice.bytes()) {
                continue; // keep filling with smaller files
            }
            Path target = rootfs.resolve(Path.of("/").relativize(file.toAbsolutePath()).toString());
            Files.createDirectories(target.getParent());
            Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
            copied += size;
            if (slice.bytes() - copied < 4096) {
                break;
            }
        }
        if (copied == 0) {
            throw new IOException("no files to copy from " + slice.source());
        }
        return copied;
    }

    /** Runs a tool to its end; its output on failure. */
    static String run(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + ": no exit within 10 minutes");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", argv) + " exited with " + p.exitValue() + ": "
                        + out.strip());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + argv.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
