package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.SandboxInfo;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code agentkernel list}: the persistent sandboxes, as a table, JSON or names. */
final class ListCommand extends DaemonClientCommand {

    static final List<String> HEADER = List.of("NAME", "STATUS", "BACKEND", "PROFILE", "MEMORY", "CPUS", "DISK",
            "CREATED");
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public String name() {
        return "list";
    }

    @Override
    public String usage() {
        return "[--json | --names]";
    }

    @Override
    public String summary() {
        return "List the persistent sandboxes";
    }

    @Override
    public List<String> description() {
        return List.of("List the persistent sandboxes, running and stopped, oldest first.",
                "The table's CREATED column is in local time; --json prints the daemon's view as a JSON array",
                "(times in UTC); --names prints only the names, one a line (for scripts and shell completion).",
                FINDING);
    }

    @Override
    Options commandOptions() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("json").desc("Print a JSON array").get());
        o.addOption(Option.builder().longOpt("names").desc("Print only the names, one a line").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel list", "agentkernel list --json | jq '.[] | select(.status == \"running\") | .name'",
                "for s in $(agentkernel list --names); do agentkernel stop \"$s\"; done");
    }

    @Override
    int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err)
            throws Exception {
        noArguments(args, name());
        if (args.hasOption("json") && args.hasOption("names")) {
            throw new dev.agentkernel.model.InvalidRequestException("--json and --names exclude each other: give one");
        }
        List<SandboxInfo> all = client.listSandboxes();
        if (args.hasOption("names")) {
            all.forEach(s -> out.println(s.name()));
        } else if (args.hasOption("json")) {
            out.println(MAPPER.writeValueAsString(json(all)));
        } else if (all.isEmpty()) {
            err.println("agentkernel: no sandboxes; create one with 'agentkernel create NAME'");
        } else {
            table(all, ZoneId.systemDefault()).forEach(out::println);
        }
        return 0;
    }

    /** The table's lines: a header, then one line per sandbox. */
    static List<String> table(List<SandboxInfo> sandboxes, ZoneId zone) {
        List<List<String>> rows = new ArrayList<>();
        for (SandboxInfo s : sandboxes) {
            rows.add(List.of(s.name(), s.status(), s.backend(), s.profile().map(p -> p.id()).orElse("-"),
                    s.memoryMb() > 0 ? s.memoryMb() + " MB" : "-", s.vcpus() > 0 ? Tables.number(s.vcpus()) : "-",
                    disk(s), s.createdAt().map(t -> Tables.time(t, zone)).orElse("-")));
        }
        return Tables.render(HEADER, rows);
    }

    /** {@code 12/1024 MB} (used/size) while it runs, {@code 1024 MB} when stopped, {@code unlimited} without a disk. */
    static String disk(SandboxInfo s) {
        if (s.diskMb().isEmpty()) {
            return "unlimited";
        }
        String size = s.diskMb().getAsLong() + " MB";
        return s.diskUsedMb().isPresent() ? s.diskUsedMb().getAsLong() + "/" + size : size;
    }

    /** The sandboxes as the JSON the daemon speaks. */
    static ArrayNode json(List<SandboxInfo> sandboxes) {
        ArrayNode all = MAPPER.createArrayNode();
        for (SandboxInfo s : sandboxes) {
            ObjectNode node = all.addObject();
            node.put("name", s.name());
            node.put("status", s.status());
            node.put("backend", s.backend());
            s.image().ifPresent(i -> node.put("image", i));
            s.profile().ifPresent(p -> node.put("profile", p.id()));
            if (s.memoryMb() > 0) {
                node.put("memory_mb", s.memoryMb());
            }
            if (s.vcpus() > 0) {
                if (s.vcpus() == Math.rint(s.vcpus())) {
                    node.put("vcpus", (long) s.vcpus());
                } else {
                    node.put("vcpus", s.vcpus());
                }
            }
            if (s.diskMb().isPresent()) {
                node.put("disk_mb", s.diskMb().getAsLong());
            } else {
                node.putNull("disk_mb");
            }
            s.diskUsedMb().ifPresent(u -> node.put("disk_used_mb", u));
            node.put("network", s.network());
            s.createdAt().ifPresent(t -> node.put("created_at", t.toString()));
            s.dir().ifPresent(d -> node.put("dir", d));
        }
        return all;
    }
}
