package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.BackgroundProcess;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code agentkernel ps NAME [--json]}: the background processes of a running sandbox ({@code exec -d}). */
final class PsCommand extends DaemonClientCommand {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final List<String> HEADER = List.of("ID", "PID", "STATUS", "EXIT", "STARTED", "COMMAND");

    @Override
    public String name() {
        return "ps";
    }

    @Override
    public String usage() {
        return "NAME [--json]";
    }

    @Override
    public String summary() {
        return "List the background processes of a running sandbox";
    }

    @Override
    public List<String> description() {
        return List.of("List the background processes of a running sandbox (started with 'agentkernel exec -d'): the",
                "running ones and the newest ended ones, oldest first. STATUS is running, completed (exit code 0) or",
                "failed; EXIT is the exit code (128 + the signal when one ended it). They end when the sandbox stops.",
                FINDING);
    }

    @Override
    public Arguments arguments() {
        return Arguments.SANDBOX;
    }

    @Override
    Options commandOptions() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("json").desc("Print a JSON array").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel ps my-project", "agentkernel ps my-project --json | jq -r '.[].id'");
    }

    @Override
    int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err)
            throws Exception {
        String name = oneName(args, name());
        List<BackgroundProcess> all = client.listDetached(name);
        if (args.hasOption("json")) {
            out.println(MAPPER.writeValueAsString(json(all)));
        } else if (all.isEmpty()) {
            err.println("agentkernel: no background processes in '" + name + "'; start one with 'agentkernel exec -d "
                    + name + " -- CMD'");
        } else {
            table(all, ZoneId.systemDefault()).forEach(out::println);
        }
        return 0;
    }

    /** The table's lines: a header, then one line per process. */
    static List<String> table(List<BackgroundProcess> processes, ZoneId zone) {
        List<List<String>> rows = new ArrayList<>();
        for (BackgroundProcess p : processes) {
            rows.add(List.of(p.id(), Long.toString(p.pid()), p.status().id(),
                    p.exitCode().map(String::valueOf).orElse("-"),
                    p.startedAt().map(t -> Tables.time(t, zone)).orElse("-"), String.join(" ", p.command())));
        }
        return Tables.render(HEADER, rows);
    }

    /** The processes as the JSON the daemon speaks. */
    static ArrayNode json(List<BackgroundProcess> processes) {
        ArrayNode all = MAPPER.createArrayNode();
        for (BackgroundProcess p : processes) {
            ObjectNode node = all.addObject();
            node.put("id", p.id());
            node.put("sandbox", p.sandbox());
            ArrayNode command = node.putArray("command");
            p.command().forEach(command::add);
            node.put("pid", p.pid());
            node.put("status", p.status().id());
            if (p.exitCode().isPresent()) {
                node.put("exit_code", p.exitCode().get());
            } else {
                node.putNull("exit_code");
            }
            p.signal().ifPresent(s -> node.put("signal", s));
            p.startedAt().ifPresent(t -> node.put("started_at", t.toString()));
            p.endedAt().ifPresent(t -> node.put("ended_at", t.toString()));
            p.reason().ifPresent(r -> node.put("reason", r));
        }
        return all;
    }
}
