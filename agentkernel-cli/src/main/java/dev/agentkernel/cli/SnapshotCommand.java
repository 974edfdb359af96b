package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.ConnectionException;
import dev.agentkernel.client.SandboxInfo;
import dev.agentkernel.client.SnapshotInfo;
import dev.agentkernel.model.InvalidRequestException;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code agentkernel snapshot create SANDBOX [--name NAME] | ls | inspect NAME | rm NAME... | restore NAME
 * [--into SANDBOX]}: the daemon's snapshots of persistent sandboxes.
 */
final class SnapshotCommand extends DaemonClientCommand {

    static final List<String> ACTIONS = List.of("create", "ls", "inspect", "show", "rm", "restore");
    static final List<String> HEADER = List.of("NAME", "SANDBOX", "SIZE", "CREATED");
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public String name() {
        return "snapshot";
    }

    @Override
    public String usage() {
        return "create SANDBOX [--name NAME] | ls [--json] | inspect NAME | rm NAME... | restore NAME [--into SANDBOX]";
    }

    @Override
    public String summary() {
        return "Take, list, show, delete and restore snapshots of sandboxes";
    }

    @Override
    public List<String> description() {
        return List.of("A snapshot keeps a sandbox's files: what it changed in its image and its whole /workspace (not",
                "/tmp, not its memory or processes). Sandboxes on the host's /usr or with --dir cannot be snapshotted.",
                "create SANDBOX: take one, running or stopped (--name NAME, default SANDBOX-YYYYMMDD-HHMMSS).",
                "ls: every snapshot, oldest first (--json: the daemon's fields; --names: only the names).",
                "inspect NAME (or show): one snapshot. rm NAME...: delete them (refused while a sandbox runs on one).",
                "restore NAME: put the sandbox it was taken from back on its files (created again if removed);",
                "--into SANDBOX restores another one. New sandboxes: 'agentkernel create NAME --snapshot SNAP' or",
                "'agentkernel fork'. Exit 4 when there is no such snapshot or sandbox, 5 on a conflict.",
                FINDING);
    }

    @Override
    public Arguments arguments() {
        return Arguments.WORDS_THEN_SNAPSHOT;
    }

    @Override
    public List<String> words() {
        return ACTIONS;
    }

    @Override
    Options commandOptions() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("name").hasArg().argName("NAME")
                .desc("create: the snapshot's name (letters, digits, '-', '_', '.')").get());
        o.addOption(Option.builder().longOpt("into").hasArg().argName("SANDBOX")
                .desc("restore: the sandbox to restore (default: the one the snapshot was taken from)").get());
        o.addOption(Option.builder().longOpt("json").desc("Print JSON").get());
        o.addOption(Option.builder().longOpt("names").desc("ls: print only the names, one a line").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel snapshot create my-project --name before-upgrade",
                "agentkernel snapshot ls",
                "agentkernel snapshot inspect before-upgrade --json",
                "agentkernel snapshot restore before-upgrade",
                "agentkernel snapshot restore before-upgrade --into experiment",
                "agentkernel create experiment --snapshot before-upgrade",
                "agentkernel snapshot rm before-upgrade");
    }

    @Override
    int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err)
            throws Exception {
        List<String> words = args.getArgList();
        if (words.isEmpty()) {
            throw new InvalidRequestException("'snapshot' needs an action: create SANDBOX, ls, inspect NAME, rm NAME... "
                    + "or restore NAME");
        }
        String action = words.getFirst();
        only(args, action);
        boolean json = args.hasOption("json");
        switch (action) {
            case "create" -> {
                String sandbox = one(words, "create", "SANDBOX");
                SnapshotInfo s = client.takeSnapshot(sandbox, Optional.ofNullable(args.getOptionValue("name")));
                if (json) {
                    out.println(MAPPER.writeValueAsString(json(s)));
                } else {
                    out.println("agentkernel: took snapshot " + s.name() + " of sandbox " + s.sandbox() + " ("
                            + ImageText.size(s.sizeBytes()) + ")");
                }
            }
            case "ls" -> {
                if (words.size() > 1) {
                    throw new InvalidRequestException("unexpected argument '" + words.get(1) + "': 'snapshot ls' takes "
                            + "options only");
                }
                List<SnapshotInfo> all = client.listSnapshots();
                if (args.hasOption("names")) {
                    all.forEach(s -> out.println(s.name()));
                } else if (json) {
                    ArrayNode array = MAPPER.createArrayNode();
                    all.forEach(s -> array.add(json(s)));
                    out.println(MAPPER.writeValueAsString(array));
                } else if (all.isEmpty()) {
                    err.println("agentkernel: no snapshots; take one with 'agentkernel snapshot create SANDBOX'");
                } else {
                    table(all, ZoneId.systemDefault()).forEach(out::println);
                }
            }
            case "inspect", "show" -> {
                SnapshotInfo s = client.getSnapshot(one(words, action, "NAME"));
                if (json) {
                    out.println(MAPPER.writeValueAsString(json(s)));
                } else {
                    details(s, ZoneId.systemDefault()).forEach(out::println);
                }
            }
            case "rm" -> {
                return remove(client, words.subList(1, words.size()), out, err);
            }
            case "restore" -> {
                String name = one(words, "restore", "NAME");
                SandboxInfo info = client.restoreSnapshot(name, Optional.ofNullable(args.getOptionValue("into")));
                out.println("agentkernel: restored sandbox " + info.name() + " to snapshot " + name + " ("
                        + CreateCommand.describe(info) + ")");
            }
            default -> throw new InvalidRequestException("unknown action '" + action + "' of 'snapshot': use create, "
                    + "ls, inspect, rm or restore");
        }
        return 0;
    }

    /** Options that belong to other actions are usage errors, not silently ignored. */
    private static void only(CommandLine args, String action) {
        check(args, "name", action, "create");
        check(args, "into", action, "restore");
        check(args, "names", action, "ls");
        if (args.hasOption("json") && (action.equals("rm") || action.equals("restore"))) {
            throw new InvalidRequestException("--json goes with create, ls and inspect, not with '" + action + "'");
        }
        if (args.hasOption("names") && args.hasOption("json")) {
            throw new InvalidRequestException("--names and --json do not go together");
        }
    }

    private static void check(CommandLine args, String option, String action, String owner) {
        if (args.hasOption(option) && !action.equals(owner)) {
            throw new InvalidRequestException("--" + option + " goes with 'snapshot " + owner + "', not with '"
                    + action + "'");
        }
    }

    private static String one(List<String> words, String action, String what) {
        if (words.size() < 2) {
            throw new InvalidRequestException("no " + (what.equals("SANDBOX") ? "sandbox" : "snapshot") + " name given: "
                    + "try 'agentkernel snapshot " + action + " " + what + "'");
        }
        if (words.size() > 2) {
            throw new InvalidRequestException("unexpected argument '" + words.get(2) + "' after '" + words.get(1) + "'");
        }
        return words.get(1);
    }

    private static int remove(AgentKernel client, List<String> names, PrintWriter out, PrintWriter err) {
        if (names.isEmpty()) {
            throw new InvalidRequestException("no snapshot name given: try 'agentkernel snapshot rm NAME'");
        }
        int code = 0;
        for (String name : names) {
            try {
                client.deleteSnapshot(name);
                out.println("agentkernel: deleted snapshot " + name);
            } catch (ConnectionException e) {
                throw e;
            } catch (dev.agentkernel.client.AgentKernelException | IllegalArgumentException e) {
                out.flush();
                int failed = ExitCodes.report(e instanceof IllegalArgumentException
                        ? new InvalidRequestException(e.getMessage()) : e, err);
                code = code == 0 ? failed : code;
            }
        }
        return code;
    }

    /** The table's lines: a header, then one line per snapshot. */
    static List<String> table(List<SnapshotInfo> snapshots, ZoneId zone) {
        List<List<String>> rows = new ArrayList<>();
        for (SnapshotInfo s : snapshots) {
            rows.add(List.of(s.name(), s.sandbox(), ImageText.size(s.sizeBytes()),
                    s.createdAt().map(t -> Tables.time(t, zone)).orElse("-")));
        }
        return Tables.render(HEADER, rows);
    }

    /** One snapshot, a field a line. */
    static List<String> details(SnapshotInfo s, ZoneId zone) {
        return List.of("name:       " + s.name(),
                "sandbox:    " + s.sandbox(),
                "image:      " + s.image(),
                "base image: " + s.baseImage().orElse("-"),
                "backend:    " + s.backend(),
                "resources:  " + s.vcpus() + " CPU, " + s.memoryMb() + " MB",
                "size:       " + ImageText.size(s.sizeBytes()) + " (its own layer)",
                "created:    " + s.createdAt().map(t -> Tables.time(t, zone)).orElse("-"));
    }

    /** A snapshot as the daemon's JSON names its fields. */
    static ObjectNode json(SnapshotInfo s) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("name", s.name());
        node.put("sandbox", s.sandbox());
        node.put("image_tag", s.image());
        node.put("backend", s.backend());
        s.baseImage().ifPresent(b -> node.put("base_image", b));
        node.put("vcpus", s.vcpus());
        node.put("memory_mb", s.memoryMb());
        node.put("size_bytes", s.sizeBytes());
        s.createdAt().ifPresent(t -> node.put("created_at", t.toString()));
        return node;
    }
}
