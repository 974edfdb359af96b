package dev.agentkernel.cli;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.VolumeInfo;
import dev.agentkernel.model.InvalidRequestException;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code agentkernel volume create|ls|inspect|rm}: the daemon's named volumes, which outlive
 * sandboxes and are mounted with {@code agentkernel create --volume NAME:/path[:ro]}.
 */
final class VolumeCommand extends DaemonClientCommand {

    static final List<String> ACTIONS = List.of("create", "ls", "inspect", "rm");
    static final List<String> HEADER = List.of("NAME", "SIZE", "USED", "LIMITED", "IN USE", "MOUNTED BY", "CREATED");
    /** Which options each action takes ({@code url} and {@code help} go with all). */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "create", Set.of("size"),
            "ls", Set.of("quiet"),
            "inspect", Set.of(),
            "rm", Set.of("force"));

    @Override
    public String name() {
        return "volume";
    }

    @Override
    public String usage() {
        return "create [--size MB] NAME | ls [-q] | inspect NAME | rm [--force] NAME...";
    }

    @Override
    public String summary() {
        return "Create, list, inspect or remove named volumes that outlive sandboxes";
    }

    @Override
    public List<String> description() {
        return List.of("Named volumes: files kept by the daemon apart from any sandbox, mounted read-write or read-only",
                "into sandboxes created with --volume NAME:/path or --volume NAME:/path:ro (agentkernel create).",
                "On a daemon that runs as root a volume is an ext4 image of --size MB (default 1024): writing past it fails",
                "with 'No space left on device'; elsewhere it is a plain directory whose size is not enforced.",
                "A volume's size is its own: it is not part of the sandbox's --disk.",
                "rm refuses while a sandbox mounts the volume; --force removes it from stopped sandboxes (they lose the",
                "mount) but never from under a running one: stop or remove those first.",
                FINDING);
    }

    @Override
    public Arguments arguments() {
        return Arguments.WORDS;
    }

    @Override
    public List<String> words() {
        return ACTIONS;
    }

    @Override
    Options commandOptions() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("size").hasArg().argName("MB")
                .desc("create: the volume's size in MB (default 1024, at least 16)").get());
        o.addOption(Option.builder("q").longOpt("quiet").desc("ls: print only the names").get());
        o.addOption(Option.builder("f").longOpt("force")
                .desc("rm: also when stopped sandboxes mount it (never while a running one does)").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel volume create data --size 512",
                "agentkernel create writer --volume data:/data && agentkernel create reader --volume data:/data:ro",
                "agentkernel volume ls; agentkernel volume inspect data",
                "agentkernel volume rm data");
    }

    @Override
    int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err) {
        List<String> words = args.getArgList();
        if (words.isEmpty()) {
            throw new InvalidRequestException("no action given: use create NAME, ls, inspect NAME or rm NAME, "
                    + "e.g. agentkernel volume create data");
        }
        String action = words.getFirst();
        Set<String> allowed = ALLOWED.get(action);
        if (allowed == null) {
            throw new InvalidRequestException("unknown action '" + action + "': use create NAME, ls, inspect NAME or rm NAME");
        }
        for (Option o : args.getOptions()) {
            if (o.getLongOpt() != null && !o.getLongOpt().equals("url") && !allowed.contains(o.getLongOpt())) {
                throw new InvalidRequestException("--" + o.getLongOpt() + " does not go with '" + action + "'"
                        + " (see 'agentkernel volume --help')");
            }
        }
        List<String> names = words.subList(1, words.size());
        switch (action) {
            case "create" -> {
                String name = one(names, action);
                VolumeInfo v = args.hasOption("size") ? client.volumes().create(name, size(args.getOptionValue("size")))
                        : client.volumes().create(name);
                out.println("agentkernel: created volume " + v.name() + " (" + v.sizeMb() + " MB"
                        + (v.limited() ? "" : ", not limited on this daemon") + ")");
            }
            case "ls" -> {
                if (!names.isEmpty()) {
                    throw new InvalidRequestException("unexpected argument '" + names.getFirst() + "' after 'ls'");
                }
                List<VolumeInfo> all = client.volumes().list();
                if (args.hasOption("quiet")) {
                    all.forEach(v -> out.println(v.name()));
                } else if (all.isEmpty()) {
                    err.println("agentkernel: no volumes; create one with 'agentkernel volume create NAME'");
                } else {
                    table(all, ZoneId.systemDefault()).forEach(out::println);
                }
            }
            case "inspect" -> details(client.volumes().get(one(names, action)), ZoneId.systemDefault()).forEach(out::println);
            default -> {
                if (names.isEmpty()) {
                    throw new InvalidRequestException("no volume given: agentkernel volume rm NAME...");
                }
                for (String name : names) {
                    client.volumes().remove(name, args.hasOption("force"));
                    out.println("agentkernel: removed volume " + name);
                }
            }
        }
        return 0;
    }

    /** The table of {@code ls}. */
    static List<String> table(List<VolumeInfo> volumes, ZoneId zone) {
        List<List<String>> rows = new ArrayList<>();
        for (VolumeInfo v : volumes) {
            rows.add(List.of(v.name(), v.sizeMb() + " MB", v.usedMb().isPresent() ? v.usedMb().getAsLong() + " MB" : "-",
                    v.limited() ? "yes" : "no", Integer.toString(v.inUse()),
                    v.mounts().isEmpty() ? "-" : String.join(",", v.mounts().stream().map(VolumeInfo.Mount::sandbox)
                            .distinct().toList()),
                    v.createdAt().map(t -> Tables.time(t, zone)).orElse("-")));
        }
        return Tables.render(HEADER, rows);
    }

    /** The lines of {@code inspect}. */
    static List<String> details(VolumeInfo v, ZoneId zone) {
        List<String> lines = new ArrayList<>();
        lines.add("name:      " + v.name());
        lines.add("size:      " + v.sizeMb() + " MB" + (v.limited() ? "" : " (not limited on this daemon)"));
        lines.add("used:      " + (v.usedMb().isPresent() ? v.usedMb().getAsLong() + " MB" : "-")
                + (v.availableMb().isPresent() ? ", " + v.availableMb().getAsLong() + " MB free" : ""));
        lines.add("in use by: " + v.inUse() + " running sandbox(es)");
        lines.add("created:   " + v.createdAt().map(t -> Tables.time(t, zone)).orElse("-"));
        if (v.mounts().isEmpty()) {
            lines.add("mounts:    none");
        } else {
            lines.add("mounts:");
            for (VolumeInfo.Mount m : v.mounts()) {
                lines.add("  " + m.sandbox() + " at " + m.path() + (m.readOnly() ? " (read-only)" : ""));
            }
        }
        return lines;
    }

    private static String one(List<String> names, String action) {
        if (names.size() != 1) {
            throw new InvalidRequestException(names.isEmpty() ? "no volume given: agentkernel volume " + action + " NAME"
                    : "'" + action + "' takes one volume name, not " + names.size());
        }
        return names.getFirst();
    }

    private static long size(String value) {
        try {
            long mb = Long.parseLong(value.strip());
            if (mb < 1) {
                throw new NumberFormatException();
            }
            return mb;
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("--size must be a whole number of MB, e.g. 512; got '" + value + "'");
        }
    }
}
