package dev.agentkernel.core.image;

import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageConfig;
import dev.agentkernel.image.ImageLease;
import dev.agentkernel.image.ImageService;
import dev.agentkernel.image.PullListener;
import dev.agentkernel.image.PullPolicy;
import dev.agentkernel.core.policy.RootResolver;
import dev.agentkernel.model.ImagePull;
import dev.agentkernel.model.RootFs;
import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the image a sandbox names into its {@link RootFs}: {@value RootFs#HOST} is the host's
 * {@code /usr}; any other name is resolved through the {@link ImageService} (pulled if the store
 * does not have it) to its layers, under a small generated {@code /etc} layer of the sandbox's
 * own ({@link #etcLayers}). Thread-safe.
 */
public final class ImageRoots implements RootResolver {

    /** The resolver address of sandboxes with network (slirp4netns' and the bridge's). */
    public static final String SANDBOX_RESOLVER = "10.0.2.3";
    /** The sandbox's user, as every sandbox has it. */
    static final int SANDBOX_USER = 1000;
    private static final long MAX_ACCOUNT_FILE = 1 << 20;
    private static final String VERSION = "v2";
    /**
     * Where bubblewrap mounts or creates something in every sandbox, as real directories of the
     * generated layer (with their modes): they hide whatever the image has at those paths, so
     * that no symbolic link of the image can send one of those mounts anywhere else.
     */
    static final Map<String, String> MOUNT_POINTS = mountPoints();

    private final ImageService images;
    private final Path dir;
    private final PullListener listener;
    /** The images {@link #root} resolved, by digest (immutable per digest): a lease reads no record again. */
    private final java.util.concurrent.ConcurrentHashMap<String, Image> resolved = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param images the store images come from
     * @param dir    where the generated {@code /etc} layers are kept ({@code STATE/image-roots})
     */
    public ImageRoots(ImageService images, Path dir) {
        this(images, dir, PullListener.NONE);
    }

    /**
     * @param images   the store images come from
     * @param dir      where the generated {@code /etc} layers are kept
     * @param listener told about the pulls a sandbox's image needs (the CLI shows them)
     */
    public ImageRoots(ImageService images, Path dir, PullListener listener) {
        this.images = images;
        this.dir = dir.toAbsolutePath().normalize();
        this.listener = listener;
    }

    /** The generated layers' directory of this host's state directory. */
    public static Path dirOf(Path stateDir) {
        return stateDir.resolve("image-roots");
    }

    /**
     * The root file system of a sandbox on {@code name}, pulling the image if it is missing.
     *
     * @throws dev.agentkernel.model.AgentKernelException the image service's errors: a bad reference, an
     *         image neither stored nor pullable (the message names the image, the registry's answer and the fixes)
     */
    @Override
    public RootFs root(String name, ImagePull pull) {
        if (name.equals(RootFs.HOST)) {
            return new RootFs.Host();
        }
        Image image = images.resolve(name, switch (pull) {
            case MISSING -> PullPolicy.MISSING;
            case ALWAYS -> PullPolicy.ALWAYS;
            case NEVER -> PullPolicy.NEVER;
        }, listener);
        resolved.put(image.digest(), image);
        Path etc = etcLayers(image);
        return new RootFs.Image(image.reference().toString(), image.digest(), image.layers(),
                etc.resolve("online"), etc.resolve("offline"), settings(image.config()), Optional.empty());
    }

    /** A lease on the stored image {@code root} names, if it is still stored with the same digest. */
    @Override
    public Lease lease(RootFs root, String holder) {
        if (!(root instanceof RootFs.Image image)) {
            return Lease.NONE;
        }
        Optional<Image> stored = Optional.ofNullable(resolved.get(image.digest()))
                .or(() -> images.find(image.reference()).filter(i -> i.digest().equals(image.digest())));
        if (stored.isEmpty()) {
            return Lease.NONE;
        }
        ImageLease lease = images.lease(stored.get(), holder);
        return lease::close;
    }

    private static Map<String, String> mountPoints() {
        Map<String, String> dirs = new LinkedHashMap<>();
        dirs.put(".ak", "755");
        dirs.put("workspace", "1777");
        dirs.put("tmp", "1777");
        dirs.put("var", "755");
        dirs.put("var/tmp", "1777");
        dirs.put("run", "755");
        dirs.put("proc", "555");
        dirs.put("dev", "755");
        dirs.put("sys", "555");
        return java.util.Collections.unmodifiableMap(dirs);
    }

    /**
     * Removes the generated layers of images no longer stored (and builds that a dead process left
     * more than an hour ago); the number removed. A sandbox on such an image keeps the layer it
     * mounted (the mount holds it); the next one on a re-pulled image gets it made again.
     */
    public int prune() {
        java.util.Set<String> stored = new java.util.HashSet<>();
        for (Image image : images.list()) {
            stored.add(VERSION + "-" + image.digest().substring(image.digest().indexOf(':') + 1));
        }
        int removed = 0;
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var entries = Files.list(dir)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                boolean staleBuild = name.startsWith(".build-") && Files.getLastModifiedTime(entry).toInstant()
                        .isBefore(java.time.Instant.now().minus(java.time.Duration.ofHours(1)));
                if (staleBuild || (!name.startsWith(".") && !stored.contains(name))) {
                    deleteTree(entry);
                    removed++;
                }
            }
        } catch (IOException e) {
            // what cannot be listed stays; the next prune tries again
        }
        return removed;
    }

    /** The image's process settings as a sandbox applies them. */
    static RootFs.ImageSettings settings(ImageConfig config) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String entry : config.env()) {
            int eq = entry.indexOf('=');
            if (eq > 0 && entry.indexOf('\0') < 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        String workdir = config.workingDir();
        return new RootFs.ImageSettings(env, workdir.startsWith("/") && !workdir.equals("/")
                ? Optional.of(workdir) : Optional.empty(), config.entrypoint(), config.cmd());
    }

    /**
     * The two {@code /etc} layers of {@code image} ({@code online/etc/...}, {@code offline/etc/...}),
     * made once per image digest and published atomically: real directories at the places
     * bubblewrap mounts on ({@link #MOUNT_POINTS}), the image's {@code passwd} and
     * {@code group} with the sandbox's root and user, {@code hosts}, and for the online variant a
     * {@code resolv.conf} naming the sandbox's resolver (the offline one has an empty one).
     */
    Path etcLayers(Image image) {
        String hex = image.digest().substring(image.digest().indexOf(':') + 1);
        Path target = dir.resolve(VERSION + "-" + hex);
        if (CompletedDirectory.isComplete(target)) {
            return target;
        }
        Path tmp = dir.resolve(".build-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            Files.createDirectories(dir);
            String passwd = accounts(read(image.layers(), "passwd").orElse(""), "root:x:0:0:root:/root:/bin/sh",
                    "sandbox:x:" + SANDBOX_USER + ":" + SANDBOX_USER + ":sandbox:/workspace:/bin/sh");
            String group = accounts(read(image.layers(), "group").orElse(""), "root:x:0:",
                    "sandbox:x:" + SANDBOX_USER + ":");
            for (String variant : List.of("online", "offline")) {
                Path etc = Files.createDirectories(tmp.resolve(variant).resolve("etc"));
                write(etc.resolve("passwd"), passwd);
                write(etc.resolve("group"), group);
                write(etc.resolve("hosts"), "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
                write(etc.resolve("resolv.conf"), variant.equals("online")
                        ? "nameserver " + SANDBOX_RESOLVER + "\noptions edns0\n" : "");
                chmod(etc, "rwxr-xr-x");
                for (Map.Entry<String, String> dir : MOUNT_POINTS.entrySet()) {
                    Path made = Files.createDirectories(etc.getParent().resolve(dir.getKey()));
                    Files.setAttribute(made, "unix:mode", Integer.parseInt(dir.getValue(), 8));
                }
                chmod(etc.getParent(), "rwxr-xr-x");
            }
            chmod(tmp, "rwxr-xr-x");
            CompletedDirectory.publish(tmp, target);
            return target;
        } catch (IOException | UncheckedIOException e) {
            throw new SandboxFailureException("cannot prepare the /etc of " + image.reference() + " in " + dir + ": "
                    + e.getMessage(), e);
        } finally {
            deleteTree(tmp);
        }
    }

    /**
     * {@code /etc/NAME} of the top-most layer that has it as a regular file, following no link
     * (a layer's {@code etc} may be a link to anywhere on the host); empty if none or if a layer
     * above hides it with anything else.
     */
    static Optional<String> read(List<Path> layers, String name) throws IOException {
        for (int i = layers.size() - 1; i >= 0; i--) {
            Path etc = layers.get(i).resolve("etc");
            if (!Files.exists(etc, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            if (!Files.isDirectory(etc, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            Path file = etc.resolve(name);
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isRegularFile() || attrs.size() > MAX_ACCOUNT_FILE) {
                return Optional.empty();
            }
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.of(new String(in.readNBytes((int) MAX_ACCOUNT_FILE), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    /**
     * The image's entries with {@code root} first (replacing the image's uid or gid 0 entry) and
     * {@code user} added unless the image has an entry of that name or id already.
     */
    static String accounts(String image, String root, String user) {
        String[] userFields = user.split(":", -1);
        List<String> lines = new ArrayList<>();
        lines.add(root);
        boolean hasUser = false;
        for (String line : image.split("\n")) {
            String[] fields = line.split(":", -1);
            if (line.isBlank() || line.startsWith("#") || fields.length < 3) {
                continue;
            }
            if (fields[2].equals("0") || fields[0].equals("root")) {
                continue;
            }
            if (fields[0].equals(userFields[0]) || fields[2].equals(userFields[2])) {
                hasUser = true;
            }
            lines.add(line);
        }
        if (!hasUser) {
            lines.add(user);
        }
        return String.join("\n", lines) + "\n";
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        chmod(file, "rw-r--r--");
    }

    private static void chmod(Path p, String mode) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
    }

    private static void deleteTree(Path tree) {
        if (!Files.exists(tree, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(tree)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: a leftover build directory is harmless
        }
    }
}
