package dev.agentkernel.core.policy;

import dev.agentkernel.core.disk.DiskImage;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.NetworkMode;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.ResourceLimits;
import dev.agentkernel.model.RootFs;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The profile table of the product, enforced:
 *
 * <table>
 * <caption>profiles</caption>
 * <tr><th>profile</th><th>network</th><th>mount cwd</th><th>mount home</th><th>pass env</th><th>read-only</th></tr>
 * <tr><td>permissive</td><td>yes</td><td>rw at /workspace</td><td>read-only</td><td>a few</td><td>no</td></tr>
 * <tr><td>moderate</td><td>yes</td><td>no</td><td>no</td><td>no</td><td>no</td></tr>
 * <tr><td>restrictive</td><td>no</td><td>no</td><td>no</td><td>no</td><td>yes</td></tr>
 * </table>
 *
 * <p>Values asked for in the request win over the profile's defaults, except that nothing
 * can turn the network on for the restrictive profile.
 */
public final class PolicyResolver {

    /** Where commands run unless told otherwise. */
    public static final String WORKSPACE = "/workspace";
    /** Host variables the permissive profile passes through. */
    public static final List<String> PASSED_ENV = List.of("TERM", "COLORTERM", "LANG", "LANGUAGE", "LC_ALL",
            "LC_CTYPE", "LC_MESSAGES", "TZ", "NO_COLOR", "EDITOR", "PAGER");
    private static final String PATH = String.join(":", dev.agentkernel.core.host.HostExecutables.SANDBOX_PATH);
    private static final AtomicLong HOSTNAMES = new AtomicLong();

    /** The variable that names the image of sandboxes that name none (it also turns image detection off). */
    public static final String DEFAULT_IMAGE_ENV = "AGENTKERNEL_DEFAULT_IMAGE";
    /** The image of a sandbox that names none, when {@link #DEFAULT_IMAGE_ENV} is not set. */
    public static final String BUILT_IN_DEFAULT_IMAGE = "alpine:3.20";

    private final HostContext host;
    private final boolean mountHome;
    private final RootResolver roots;
    private final dev.agentkernel.model.NetworkPolicy egressDefaults;

    /**
     * A resolver for this host (its CPU count bounds {@code vcpus}) for a local user: the
     * permissive profile mounts the user's home read-only.
     */
    public PolicyResolver(HostContext host) {
        this(host, true);
    }

    /**
     * A resolver for this host.
     *
     * @param mountHome whether the permissive profile mounts this process's home directory
     *                  read-only; a daemon passes {@code false} unless its operator allowed the
     *                  home directory ({@code --allow-dir}), since it serves whoever reaches its API
     */
    public PolicyResolver(HostContext host, boolean mountHome) {
        this(host, mountHome, RootResolver.HOST_ONLY);
    }

    /**
     * A resolver for this host whose sandboxes run on the images they name.
     *
     * @param mountHome see {@link #PolicyResolver(HostContext, boolean)}
     * @param roots     what an image name makes a sandbox's root file system
     */
    public PolicyResolver(HostContext host, boolean mountHome, RootResolver roots) {
        this(host, mountHome, roots, dev.agentkernel.model.NetworkPolicy.NONE);
    }

    private PolicyResolver(HostContext host, boolean mountHome, RootResolver roots,
                           dev.agentkernel.model.NetworkPolicy egressDefaults) {
        this.host = host;
        this.mountHome = mountHome;
        this.roots = roots;
        this.egressDefaults = egressDefaults;
    }

    /**
     * This resolver with a default network policy (a daemon's configuration): the policy of every
     * sandbox with network whose request has none; its deny rules also apply to those that have one.
     */
    public PolicyResolver withEgressDefaults(dev.agentkernel.model.NetworkPolicy defaults) {
        return new PolicyResolver(host, mountHome, roots, defaults);
    }

    /**
     * The image {@link #DEFAULT_IMAGE_ENV} names, if set: sandboxes that name no image run on it
     * and no image is detected from commands or project files.
     */
    public Optional<String> configuredDefaultImage() {
        String configured = host.env().get(DEFAULT_IMAGE_ENV);
        return configured == null || configured.isBlank() ? Optional.empty() : Optional.of(configured.strip());
    }

    /** The image of a sandbox that names none: {@link #configuredDefaultImage()} or {@value #BUILT_IN_DEFAULT_IMAGE}. */
    public String defaultImage() {
        return configuredDefaultImage().orElse(BUILT_IN_DEFAULT_IMAGE);
    }

    /**
     * Registers {@code holder} as a user of the image {@code spec} runs on (see
     * {@link RootResolver#lease}) until the lease is closed.
     */
    public RootResolver.Lease lease(SandboxSpec spec, String holder) {
        return roots.lease(spec.root(), holder);
    }

    /** Whether the permissive profile mounts the home directory. */
    public boolean mountsHome() {
        return mountHome;
    }

    /** The default limits of a profile. */
    public static ResourceLimits defaultLimits(Profile profile) {
        return switch (profile) {
            case PERMISSIVE -> new ResourceLimits(1024, 1, 1024, 512);
            case MODERATE -> new ResourceLimits(512, 1, 512, 256);
            case RESTRICTIVE -> new ResourceLimits(256, 1, 128, 64);
        };
    }

    /** Largest {@code disk_mb} accepted unless {@value #MAX_DISK_ENV} says otherwise (64 GiB). */
    public static final long DEFAULT_MAX_DISK_MB = 64L * 1024;
    /** The environment variable that sets the largest {@code disk_mb} a request may ask for. */
    public static final String MAX_DISK_ENV = "AGENTKERNEL_MAX_DISK_MB";

    /**
     * The default size of a persistent sandbox's own disk ({@code /workspace}, {@code /tmp} and
     * {@code /var/tmp} together), in MiB.
     */
    public static long defaultDiskMb(Profile profile) {
        return switch (profile) {
            case PERMISSIVE -> 4096;
            case MODERATE -> 1024;
            case RESTRICTIVE -> 256;
        };
    }

    /**
     * The largest disk a request may ask for: {@value #MAX_DISK_ENV}, else {@link #DEFAULT_MAX_DISK_MB}.
     *
     * @throws InvalidRequestException if the variable is not a whole number of at least {@link DiskImage#MIN_MB}
     */
    public long maxDiskMb() {
        String configured = host.env().get(MAX_DISK_ENV);
        if (configured == null || configured.isBlank()) {
            return DEFAULT_MAX_DISK_MB;
        }
        try {
            long max = Long.parseLong(configured.strip());
            if (max >= DiskImage.MIN_MB) {
                return max;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new InvalidRequestException(MAX_DISK_ENV + " must be a whole number of MiB of at least "
                + DiskImage.MIN_MB + ", e.g. 65536; got '" + configured + "'");
    }

    /**
     * The disk size of a persistent sandbox: the request's, else its profile's default.
     *
     * @throws InvalidRequestException for a size below {@link DiskImage#MIN_MB} or above {@link #maxDiskMb()}
     */
    public long diskMb(SandboxRequest request) {
        long disk = request.diskMb().orElse(defaultDiskMb(request.profile().orElse(Profile.MODERATE)));
        if (disk < DiskImage.MIN_MB) {
            throw new InvalidRequestException("disk_mb " + disk + " is below the minimum of " + DiskImage.MIN_MB
                    + " MiB (the file system needs a few MiB of its own), e.g. 1024");
        }
        long max = maxDiskMb();
        if (disk > max) {
            throw new InvalidRequestException("disk_mb " + disk + " is above the maximum of " + max + " MiB this daemon"
                    + " allows (" + MAX_DISK_ENV + ")");
        }
        return disk;
    }

    /**
     * Resolves a request.
     *
     * @throws InvalidRequestException for limits below what can run or above what the host has
     */
    public SandboxSpec resolve(SandboxRequest request) {
        Profile profile = request.profile().orElse(Profile.MODERATE);
        ResourceLimits limits = defaultLimits(profile);
        if (request.memoryMb().isPresent()) {
            long memory = request.memoryMb().getAsLong();
            limits = limits.withMemoryMb(memory);
            limits = limits.withTmpMb(Math.max(1, Math.min(limits.tmpMb(), memory / 2)));
        }
        if (request.vcpus().isPresent()) {
            double vcpus = request.vcpus().getAsDouble();
            if (vcpus > host.cpus()) {
                throw new InvalidRequestException(String.format(Locale.ROOT,
                        "cpu limit %s exceeds the %d CPUs of this host", trim(vcpus), host.cpus()));
            }
            limits = limits.withVcpus(vcpus);
        }
        boolean network = profile != Profile.RESTRICTIVE && request.network().orElse(true);
        if (!network && request.egress().restricts()) {
            throw new InvalidRequestException(profile == Profile.RESTRICTIVE
                    ? "the restrictive profile has no network, so a network policy cannot apply; use the moderate or "
                    + "permissive profile with allow/deny rules"
                    : "the network is off for this sandbox, so a network policy cannot apply");
        }
        List<Mount> mounts = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", PATH);
        env.put("HOME", WORKSPACE);
        env.put("LANG", "C.UTF-8");
        String image = request.image().orElseGet(this::defaultImage);
        RootFs root = roots.root(image, request.pull());
        Optional<String> imageWorkdir = Optional.empty();
        if (root instanceof RootFs.Image i) {
            env.putAll(i.config().env());
            imageWorkdir = i.config().workdir();
        }
        if (profile == Profile.PERMISSIVE) {
            Path home = Path.of(System.getProperty("user.home"));
            if (mountHome && Files.isDirectory(home)) {
                mounts.add(new Mount(home.toAbsolutePath().normalize(), home.toAbsolutePath().normalize().toString(), true));
            }
            // Only a directory the caller names: a server must never expose its own working directory.
            request.projectDir().ifPresent(dir ->
                    mounts.add(new Mount(dir.toAbsolutePath().normalize(), WORKSPACE, false)));
            for (String name : PASSED_ENV) {
                String value = host.env().get(name);
                if (value != null && value.indexOf('\0') < 0) {
                    env.put(name, value);
                }
            }
        }
        env.putAll(request.env());
        String workdir = request.workdir().isPresent() ? requireUsableWorkdir(request.workdir().get())
                : imageWorkdir.orElse(WORKSPACE);
        SandboxSpec spec = new SandboxSpec(Optional.of(image), root, profile,
                network ? NetworkMode.OUTBOUND : NetworkMode.NONE, profile == Profile.RESTRICTIVE, limits, mounts, env,
                workdir, "sandbox-" + Long.toHexString(ProcessHandle.current().pid()) + "-" + HOSTNAMES.incrementAndGet(),
                request.backend(), network ? egress(request.egress()) : request.egress());
        return trusting(spec);
    }

    /** The request's policy with the configured deny rules, or the configured policy if the request has none. */
    private dev.agentkernel.model.NetworkPolicy egress(dev.agentkernel.model.NetworkPolicy requested) {
        if (!requested.restricts()) {
            return egressDefaults;
        }
        return new dev.agentkernel.model.NetworkPolicy(List.of(), egressDefaults.denyDomains(), List.of(),
                egressDefaults.denyAddresses(), List.of(), Map.of()).merge(requested);
    }

    /**
     * {@code spec} trusting the daemon's certificate authority if it runs under egress control
     * (a policy or secrets: {@link dev.agentkernel.core.egress.SandboxTrust}).
     */
    public SandboxSpec trusting(SandboxSpec spec) {
        return dev.agentkernel.core.egress.SandboxTrust.apply(spec, host.stateDir());
    }

    /** Directories that are read-only host views or kernel filesystems inside every sandbox. */
    public static final List<String> SYSTEM_DIRS = List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
            "/libx32", "/etc", "/proc", "/dev", "/sys");

    /**
     * Checks that a working directory can exist in a sandbox: absolute and not inside a
     * read-only system directory (where it could not be created).
     *
     * @throws InvalidRequestException otherwise
     */
    public static String requireUsableWorkdir(String workdir) {
        for (String dir : SYSTEM_DIRS) {
            if (workdir.equals(dir) || workdir.startsWith(dir + "/")) {
                throw new InvalidRequestException("working directory " + workdir + " is inside " + dir
                        + ", which is read-only in the sandbox; use a directory under /workspace or /tmp");
            }
        }
        return workdir;
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
