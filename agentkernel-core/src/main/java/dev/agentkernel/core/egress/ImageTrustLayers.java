package dev.agentkernel.core.egress;

import dev.agentkernel.core.image.CompletedDirectory;
import dev.agentkernel.model.RootFs;
import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Makes an image's own system trust store trust the daemon's certificate authority, for the
 * programs that read no variable of {@link SandboxTrust} (curl's and OpenSSL's compiled-in
 * bundle, Go, Ruby, apt over HTTPS, wget, JVMs): the generated top layer of an image sandbox with
 * network ({@link RootFs.Image#etcOnline()}) is copied once per image and authority, and the copy
 * gets
 * <ul>
 *   <li>each system bundle the image has as a regular file ({@link #BUNDLES}: Debian, Ubuntu,
 *       Alpine, Fedora, RHEL, openSUSE paths) with the daemon's authority appended, and</li>
 *   <li>each Java trust store ({@code cacerts}) the image has as a regular file with the authority
 *       added ({@link JavaTrustStores}), for JVMs, and</li>
 *   <li>the authority alone in each anchor directory the image has ({@link #ANCHORS}), so that
 *       {@code update-ca-certificates} or {@code update-ca-trust}, run in the sandbox (by a package
 *       install, for instance), keeps it in the bundles it writes.</li>
 * </ul>
 * A layer, not a bind mount: a program that replaces a bundle by renaming a new file over it (as
 * {@code update-ca-certificates} does) works, where it would fail with "device or resource busy"
 * on a mount point. Nothing is added where the image has a link or anything else on the way:
 * a real directory of this layer would hide it. The layers are kept in
 * {@code STATE/egress-trust/layers/KEY/layer} (the key covers the image's top layer and the
 * authority), published atomically; a layer whose image top layer is gone is removed when the
 * next one is made.
 */
final class ImageTrustLayers {

    /** System bundles (relative to the image's root) that TLS libraries read by default. */
    static final List<String> BUNDLES = List.of("etc/ssl/certs/ca-certificates.crt", "etc/pki/tls/certs/ca-bundle.crt",
            "etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "etc/ssl/cert.pem", "etc/ssl/ca-bundle.pem",
            "etc/ssl/certs/ca-bundle.crt");
    /** Directories whose certificates the distributions' trust tools add to the bundles they write. */
    static final List<String> ANCHORS = List.of("usr/local/share/ca-certificates", "etc/pki/ca-trust/source/anchors",
            "etc/ca-certificates/trust-source/anchors");
    /** The name of the authority's file in an anchor directory. */
    static final String ANCHOR_FILE = "agentkernel-egress-ca.crt";
    private static final long MAX_BUNDLE = 16L << 20;
    private static final String VERSION = "v1";

    private ImageTrustLayers() {
    }

    /**
     * {@code image} with a generated top layer that trusts {@code authorityPem}.
     *
     * @param dir where the layers are kept ({@code STATE/egress-trust/layers})
     */
    static RootFs.Image trusting(RootFs.Image image, Path dir, String authorityPem) {
        Path target = dir.resolve(key(image.etcOnline(), authorityPem));
        Path layer = target.resolve("layer");
        if (CompletedDirectory.isComplete(target)) {
            return image.withEtcOnline(layer);
        }
        Path tmp = dir.resolve(".build-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            Files.createDirectories(dir);
            pruneOrphans(dir);
            copyTree(image.etcOnline(), tmp.resolve("layer"));
            List<Path> topDown = Stream.concat(Stream.of(image.etcOnline()), image.layers().reversed().stream()).toList();
            for (String bundle : BUNDLES) {
                Optional<Path> found = regularFile(topDown, bundle);
                if (found.isPresent()) {
                    String own = read(found.get());
                    write(tmp.resolve("layer").resolve(bundle), (own.endsWith("\n") || own.isEmpty() ? own : own + "\n")
                            + authorityPem);
                }
            }
            for (String store : javaStores(topDown)) {
                Optional<Path> found = regularFile(topDown, store);
                Optional<byte[]> trusting = found.flatMap(f -> JavaTrustStores.withAuthority(f, authorityPem));
                if (trusting.isPresent()) {
                    Path copy = tmp.resolve("layer").resolve(store);
                    createDirectories(copy.getParent());
                    Files.write(copy, trusting.get());
                    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
            for (String anchors : ANCHORS) {
                if (isDirectory(topDown, anchors)) {
                    write(tmp.resolve("layer").resolve(anchors).resolve(ANCHOR_FILE), authorityPem);
                }
            }
            Files.writeString(tmp.resolve("source"), image.etcOnline().toString(), StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            CompletedDirectory.publish(tmp, target);
            return image.withEtcOnline(layer);
        } catch (IOException | UncheckedIOException e) {
            throw new SandboxFailureException("cannot make the trust store of " + image.reference() + " trust the "
                    + "daemon's certificate authority in " + dir + ": " + e.getMessage(), e);
        } finally {
            deleteTree(tmp);
        }
    }

    /**
     * Where the image may have Java trust stores: Debian's and RHEL's shared ones, the official
     * JDK images' ({@code /opt/java/openjdk}) and each JDK under {@code /usr/lib/jvm} (whose
     * {@code cacerts} is often a link to the shared one, then left alone).
     */
    static java.util.Set<String> javaStores(List<Path> topDown) {
        java.util.Set<String> stores = new java.util.LinkedHashSet<>(List.of("etc/ssl/certs/java/cacerts",
                "etc/pki/ca-trust/extracted/java/cacerts", "opt/java/openjdk/lib/security/cacerts"));
        for (Path layer : topDown) {
            Path jvms = layer.resolve("usr/lib/jvm");
            if (Files.isDirectory(jvms, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> names = Files.list(jvms)) {
                    names.limit(64).forEach(jvm -> stores.add("usr/lib/jvm/" + jvm.getFileName() + "/lib/security/cacerts"));
                } catch (IOException e) {
                    // unreadable: no JDK of this layer is looked at
                }
            }
        }
        return stores;
    }

    /**
     * The file at {@code relative} in the top-most layer that has that path, if it is a regular
     * file reached through real directories only; empty if a layer has a link or anything else on
     * the way (or there).
     */
    static Optional<Path> regularFile(List<Path> topDown, String relative) throws IOException {
        return lookup(topDown, relative).filter(p -> attributes(p).map(BasicFileAttributes::isRegularFile).orElse(false));
    }

    /** Whether {@code relative} is a directory reached through real directories in the top-most layer that has it. */
    static boolean isDirectory(List<Path> topDown, String relative) throws IOException {
        return lookup(topDown, relative).flatMap(ImageTrustLayers::attributes).map(BasicFileAttributes::isDirectory)
                .orElse(false);
    }

    private static Optional<Path> lookup(List<Path> topDown, String relative) throws IOException {
        String[] names = relative.split("/");
        for (Path layer : topDown) {
            Path at = layer;
            boolean missing = false;
            for (int i = 0; i < names.length; i++) {
                at = at.resolve(names[i]);
                Optional<BasicFileAttributes> attrs = attributes(at);
                if (attrs.isEmpty()) {
                    missing = true;
                    break;
                }
                if (i < names.length - 1 && !attrs.get().isDirectory()) {
                    return Optional.empty(); // a link, a file or a whiteout hides what the layers below have
                }
            }
            if (!missing) {
                return Optional.of(at);
            }
        }
        return Optional.empty();
    }

    private static Optional<BasicFileAttributes> attributes(Path p) {
        try {
            return Optional.of(Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bytes = in.readNBytes((int) MAX_BUNDLE + 1);
            if (bytes.length > MAX_BUNDLE) {
                throw new IOException(file + " is larger than " + (MAX_BUNDLE >> 20) + " MiB");
            }
            return new String(bytes, StandardCharsets.US_ASCII);
        }
    }

    private static void write(Path file, String text) throws IOException {
        createDirectories(file.getParent()); // each 0755, like the image's own system directories
        Files.writeString(file, text, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }

    private static void createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        createDirectories(dir.getParent());
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Copies a generated top layer (directories and regular files, modes kept). */
    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path copy = to.resolve(from.relativize(p).toString());
                BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (attrs.isDirectory()) {
                    Files.createDirectories(copy);
                    Files.setPosixFilePermissions(copy, Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                } else if (attrs.isRegularFile()) {
                    Files.copy(p, copy, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                } else {
                    throw new IOException("unexpected entry in a generated layer: " + p);
                }
            }
        }
    }

    /** Removes the layers made for image top layers that no longer exist (their image was removed). */
    private static void pruneOrphans(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.toList()) {
                Path source = entry.resolve("source");
                if (CompletedDirectory.isComplete(entry) && Files.isRegularFile(source)
                        && !Files.isDirectory(Path.of(Files.readString(source, StandardCharsets.UTF_8)))) {
                    deleteTree(entry);
                }
            }
        }
    }

    private static String key(Path etcOnline, String authorityPem) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((VERSION + "\n" + etcOnline.toAbsolutePath() + "\n").getBytes(StandardCharsets.UTF_8));
            sha.update(authorityPem.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path tree) {
        try {
            dev.agentkernel.core.sandbox.SandboxDirs.deleteTree(tree);
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: a leftover directory is removed with the next prune
        }
    }
}
