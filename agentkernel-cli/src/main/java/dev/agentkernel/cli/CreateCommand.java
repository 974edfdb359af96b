package dev.agentkernel.cli;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.Profile;
import dev.agentkernel.client.SandboxInfo;
import dev.agentkernel.client.SandboxOptions;
import dev.agentkernel.core.config.ConfigLoader;
import dev.agentkernel.core.config.ProjectConfig;
import dev.agentkernel.model.InvalidRequestException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code agentkernel create NAME}: a persistent sandbox, created and started by the daemon. */
final class CreateCommand extends DaemonClientCommand {

    @Override
    public String name() {
        return "create";
    }

    @Override
    public String usage() {
        return "NAME [OPTIONS]";
    }

    @Override
    public String summary() {
        return "Create and start a persistent sandbox";
    }

    @Override
    public List<String> description() {
        return List.of("Create a named sandbox and start it; it keeps its files until it is removed.",
                "NAME: up to 63 letters, digits, '-' and '_', starting with a letter or digit.",
                "--dir mounts a host directory at /workspace; the daemon allows only directories under those it",
                "was configured to allow, and says how to allow one when it refuses.",
                "/workspace, /tmp and /var/tmp are on a disk of --disk MB of the sandbox's own (a daemon running as",
                "root); writing past it fails with 'No space left on device'. Flags win over [resources] of",
                "agentkernel.toml (memory_mb, vcpus, disk_mb), which win over the profile's defaults.",
                "--volume NAME:/path[:ro] mounts a named volume (agentkernel volume create) at every start (repeatable).",
                "--snapshot SNAP starts it with a snapshot's files on the snapshot's image, with the settings of the",
                "sandbox it was taken from; flags still win, agentkernel.toml does not apply ('agentkernel snapshot').",
                "--source URL [--source-ref REF] clones a Git repository into its empty /workspace, inside the sandbox",
                "(over its network and policy, with the image's git) before 'create' returns; a failed clone removes it.",
                FINDING);
    }

    @Override
    public Arguments arguments() {
        return Arguments.NEW_NAME;
    }

    @Override
    Options commandOptions() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("image").hasArg().argName("IMAGE").desc("Runtime image (default: the daemon's)").get());
        o.addOption(Option.builder().longOpt("snapshot").hasArg().argName("SNAPSHOT")
                .desc("Make it from a snapshot: its image, files and settings (not with --image)").get());
        o.addOption(Option.builder().longOpt("source").hasArg().argName("URL")
                .desc("Clone a Git repository (https://, http://, git://) into its empty /workspace").get());
        o.addOption(Option.builder().longOpt("source-ref").hasArg().argName("REF")
                .desc("The branch, tag or commit of --source to check out (default: its default branch)").get());
        o.addOption(Option.builder().longOpt("backend").hasArg().argName("NAME")
                .desc("Isolation backend: bwrap, runc, crun, gvisor, podman or docker (default: the daemon's; the sandbox keeps it)").get());
        o.addOption(Option.builder().longOpt("pull").hasArg().argName("POLICY")
                .desc("When the daemon asks the image's registry: missing (default), always, never").get());
        o.addOption(Option.builder().longOpt("dir").hasArg().argName("DIR")
                .desc("Host directory to mount at /workspace (must exist)").get());
        o.addOption(Option.builder().longOpt("profile").hasArg().argName("PROFILE")
                .desc("Security profile: permissive, moderate (default), restrictive").get());
        o.addOption(Option.builder().longOpt("memory").hasArg().argName("MB").desc("Memory limit in MB (default 512)").get());
        o.addOption(Option.builder().longOpt("cpus").hasArg().argName("N").desc("CPU limit in whole cores (default 1)").get());
        o.addOption(Option.builder().longOpt("disk").hasArg().argName("MB")
                .desc("Size of the sandbox's disk (/workspace, /tmp and /var/tmp together) in MB"
                        + " (default by profile: restrictive 256, moderate 1024, permissive 4096)").get());
        o.addOption(Option.builder().longOpt("config").hasArg().argName("FILE")
                .desc("agentkernel.toml whose [resources] give the defaults (default: the project's, if any)").get());
        o.addOption(Option.builder().longOpt("no-network").desc("No network access, whatever the profile says").get());
        NetworkPolicyOptions.addTo(o);
        o.addOption(Option.builder().longOpt("secret").hasArg().argName("KEY:HOST[:HEADER]")
                .desc("Grant a stored secret (agentkernel secret set KEY) for requests to HOST (or *.domain): the "
                        + "sandbox sees a placeholder in $KEY, the host's proxy puts the value in its place (repeatable)")
                .get());
        o.addOption(Option.builder().longOpt("secret-file").hasArg().argName("KEY")
                .desc("Also put secret KEY's placeholder in /run/agentkernel/secrets/KEY (repeatable)").get());
        o.addOption(Option.builder().longOpt("secret-in-body").hasArg().argName("KEY")
                .desc("Also replace secret KEY's placeholder in request bodies, not only headers (repeatable)").get());
        o.addOption(Option.builder().longOpt("ttl").hasArg().argName("TIME")
                .desc("Remove the sandbox with its files this long after its creation: 90s, 30m, 2h, 7d"
                        + " ('agentkernel extend' gives it more)").get());
        o.addOption(Option.builder().longOpt("volume").hasArg().argName("NAME:/PATH[:ro]")
                .desc("Mount a named volume at PATH, read-only with :ro (repeatable)").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel create my-project --dir .",
                "agentkernel create scratch --profile restrictive --memory 256 --cpus 1 --disk 128",
                "agentkernel create py --image python:3.12-alpine --no-network",
                "agentkernel create trial --ttl 2h",
                "agentkernel create box --volume data:/data --volume models:/models:ro",
                "agentkernel create experiment --snapshot before-upgrade");
    }

    @Override
    int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err) {
        String name = oneName(args, name());
        SandboxOptions options = options(args);
        String[] volumes = args.getOptionValues("volume");
        SandboxInfo info = volumes == null ? client.createSandbox(name, options)
                : client.createSandbox(name, options, List.of(volumes));
        out.println("agentkernel: created sandbox " + info.name() + " (" + describe(info) + ")");
        return 0;
    }

    /** The request's options from the command line; a {@code --dir} must exist and is sent absolute and normalized. */
    static SandboxOptions options(CommandLine args) {
        SandboxOptions options = SandboxOptions.defaults();
        if (args.hasOption("image")) {
            String image = args.getOptionValue("image").strip();
            if (image.isEmpty()) {
                throw new InvalidRequestException("--image must not be empty");
            }
            options = options.withImage(image);
        }
        boolean fromSnapshot = args.hasOption("snapshot");
        if (fromSnapshot) {
            String snapshot = args.getOptionValue("snapshot").strip();
            if (snapshot.isEmpty()) {
                throw new InvalidRequestException("--snapshot must name a snapshot ('agentkernel snapshot ls')");
            }
            if (args.hasOption("image")) {
                throw new InvalidRequestException("give --image or --snapshot, not both: a sandbox made from a snapshot "
                        + "runs on the snapshot's image");
            }
            options = options.withSnapshot(snapshot);
        }
        if (args.hasOption("backend")) {
            options = options.withBackend(args.getOptionValue("backend"));
        }
        if (args.hasOption("pull")) {
            options = options.withPull(switch (dev.agentkernel.model.ImagePull.parse(args.getOptionValue("pull"))) {
                case MISSING -> dev.agentkernel.client.PullPolicy.MISSING;
                case ALWAYS -> dev.agentkernel.client.PullPolicy.ALWAYS;
                case NEVER -> dev.agentkernel.client.PullPolicy.NEVER;
            });
        }
        if (args.hasOption("profile")) {
            options = options.withProfile(profile(args.getOptionValue("profile")));
        }
        // A snapshot brings its sandbox's settings: only flags change them, not the project's file.
        ProjectConfig.ResourcesSection resources = fromSnapshot ? ProjectConfig.ResourcesSection.empty() : resources(args);
        Long memory = OptionValues.wholeNumber(args, "memory", "MB");
        if (memory != null) {
            options = options.withMemoryMb(memory);
        } else if (resources.memoryMb().isPresent()) {
            options = options.withMemoryMb(resources.memoryMb().getAsLong());
        }
        Long cpus = OptionValues.wholeNumber(args, "cpus", "cores"); // the API's vcpus is whole
        if (cpus != null) {
            options = options.withVcpus(cpus);
        } else if (resources.vcpus().isPresent()) {
            options = options.withVcpus(resources.vcpus().getAsDouble());
        }
        Long disk = OptionValues.wholeNumber(args, "disk", "MB");
        if (disk != null) {
            options = options.withDiskMb(disk);
        } else if (resources.diskMb().isPresent()) {
            options = options.withDiskMb(resources.diskMb().getAsLong());
        }
        if (args.hasOption("no-network")) {
            options = options.withNetwork(false);
        }
        dev.agentkernel.api.NetworkRules rules = NetworkPolicyOptions.rules(args,
                project(args).map(ProjectConfig::network).orElse(dev.agentkernel.model.NetworkPolicy.NONE));
        if (rules != null) {
            options = options.withNetworkPolicy(rules);
        }
        if (args.hasOption("secret")) {
            options = options.withSecrets(java.util.List.of(args.getOptionValues("secret")));
        }
        if (args.hasOption("secret-in-body")) {
            options = options.withSecretsInBody(java.util.List.of(args.getOptionValues("secret-in-body")));
        }
        if (args.hasOption("secret-file")) {
            options = options.withSecretFiles(java.util.List.of(args.getOptionValues("secret-file")));
        }
        if (args.hasOption("dir")) {
            options = options.withDir(projectDir(args.getOptionValue("dir")).toString());
        }
        if (args.hasOption("ttl")) {
            options = options.withTtl(lengthOfTime(args.getOptionValue("ttl"), "--ttl"));
        }
        if (args.hasOption("source")) {
            options = args.hasOption("source-ref")
                    ? options.withSource(args.getOptionValue("source"), args.getOptionValue("source-ref"))
                    : options.withSource(args.getOptionValue("source"));
        } else if (args.hasOption("source-ref")) {
            throw new InvalidRequestException("--source-ref needs --source, the repository to check it out from");
        }
        return options;
    }

    /** {@code [resources]} of {@code --config}, else of the project's {@code agentkernel.toml}, else nothing. */
    /** {@code --config}, else the project's {@code agentkernel.toml}, if any. */
    private static Optional<ProjectConfig> project(CommandLine args) {
        String file = args.getOptionValue("config");
        return file != null ? Optional.of(ConfigLoader.load(Path.of(file)))
                : ConfigLoader.findInProject(Path.of("").toAbsolutePath()).map(ConfigLoader::load);
    }

    private static ProjectConfig.ResourcesSection resources(CommandLine args) {
        return project(args).map(ProjectConfig::resources).orElse(ProjectConfig.ResourcesSection.empty());
    }

    /** A length of time as the API reads it ({@code 30m}, {@code 2h}), or a usage error naming {@code option}. */
    static java.time.Duration lengthOfTime(String text, String option) {
        try {
            return dev.agentkernel.api.Lifetime.parse(text, option);
        } catch (dev.agentkernel.api.BadRequestException e) {
            throw new InvalidRequestException(e.getMessage());
        }
    }

    static Profile profile(String text) {
        return Profile.fromId(text.strip()).orElseThrow(() -> new InvalidRequestException("unknown profile '" + text
                + "': use permissive, moderate or restrictive"));
    }

    /** The directory as an absolute, normalized path, once it exists. */
    static Path projectDir(String text) {
        if (text.isBlank()) {
            throw new InvalidRequestException("--dir must name a directory");
        }
        Path dir = Path.of(text).toAbsolutePath().normalize();
        if (!Files.exists(dir)) {
            throw new InvalidRequestException("--dir " + text + ": " + dir + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new InvalidRequestException("--dir " + text + ": " + dir + " is not a directory");
        }
        return dir;
    }

    /** {@code profile moderate, memory 512 MB, cpus 1, /workspace from /home/me/p}: what is known of it. */
    static String describe(SandboxInfo info) {
        StringBuilder s = new StringBuilder(info.status()).append(", backend ").append(info.backend());
        info.profile().ifPresent(p -> s.append(", profile ").append(p.id()));
        if (info.memoryMb() > 0) {
            s.append(", memory ").append(info.memoryMb()).append(" MB");
        }
        if (info.vcpus() > 0) {
            s.append(", cpus ").append(Tables.number(info.vcpus()));
        }
        info.diskMb().ifPresent(d -> s.append(", disk ").append(d).append(" MB"));
        info.dir().ifPresent(d -> s.append(", /workspace from ").append(d));
        info.expiresAt().ifPresent(at -> s.append(", expires ").append(at));
        if (!info.volumes().isEmpty()) {
            s.append(", volumes ").append(String.join(" ", info.volumes()));
        }
        return s.toString();
    }
}
