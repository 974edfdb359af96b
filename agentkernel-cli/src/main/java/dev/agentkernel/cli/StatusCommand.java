package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.SandboxInfo;
import dev.agentkernel.client.ServerStatus;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code agentkernel status}: the daemon the CLI talks to (wherever it was found) and a one-line
 * summary of its sandboxes. Exits 69 when no daemon answers.
 */
final class StatusCommand extends DaemonClientCommand {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Names shown per state before "and N more". */
    static final int NAMES_SHOWN = 5;

    @Override
    public String name() {
        return "status";
    }

    @Override
    public String usage() {
        return "[--json]";
    }

    @Override
    public String summary() {
        return "Show the daemon's status and its sandboxes";
    }

    @Override
    public List<String> description() {
        return List.of("Show the daemon the other commands talk to: its address (and where it was found), version,",
                "uptime, backend, running commands, warm pool, and a one-line summary of its sandboxes.",
                "Exits 0 when it answers, 69 when none does. 'agentkernel daemon status' shows the process",
                "that 'daemon start' started (pid, log).",
                FINDING);
    }

    @Override
    Options commandOptions() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("json").desc("Print JSON").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel status", "agentkernel status --url http://127.0.0.1:8080",
                "agentkernel status --json | jq .sandboxes");
    }

    @Override
    int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err)
            throws Exception {
        noArguments(args, name());
        ServerStatus status = client.status();
        List<SandboxInfo> sandboxes = client.listSandboxes();
        if (args.hasOption("json")) {
            out.println(MAPPER.writeValueAsString(json(daemon, status, sandboxes)));
        } else {
            lines(daemon, status, sandboxes).forEach(out::println);
        }
        return 0;
    }

    /** The lines for people. */
    static List<String> lines(DaemonEndpoint daemon, ServerStatus status, List<SandboxInfo> sandboxes) {
        List<String> lines = new ArrayList<>();
        lines.add("agentkernel: daemon is running at " + daemon.url());
        add(lines, "found via", switch (daemon.source()) {
            case "--url" -> "--url";
            case "daemon.json" -> "daemon.json ('agentkernel daemon start')";
            case "default" -> "the default address";
            default -> daemon.source();
        });
        add(lines, "version", status.version());
        add(lines, "uptime", DaemonStatusFormatter.uptime(status.uptime()));
        add(lines, "backend", status.backend());
        add(lines, "runs", status.runs().running() + " running (max " + status.runs().max() + ")");
        ServerStatus.Pool pool = status.pool();
        add(lines, "warm pool", pool.enabled() ? "enabled, " + pool.targetPerKey() + " ready per image and profile"
                + " (served " + pool.served() + ", missed " + pool.missed() + ")" : "disabled");
        add(lines, "sandboxes", summary(sandboxes));
        return lines;
    }

    /** {@code 3: 2 running (a, b), 1 stopped (c)} ({@code , 1 paused (d)} after the running ones when any is), or {@code none}. */
    static String summary(List<SandboxInfo> sandboxes) {
        if (sandboxes.isEmpty()) {
            return "none";
        }
        List<String> running = sandboxes.stream().filter(SandboxInfo::running).map(SandboxInfo::name).toList();
        List<String> paused = sandboxes.stream().filter(SandboxInfo::paused).map(SandboxInfo::name).toList();
        List<String> other = sandboxes.stream().filter(s -> !s.running() && !s.paused()).map(SandboxInfo::name).toList();
        StringBuilder s = new StringBuilder().append(sandboxes.size()).append(": ");
        s.append(running.size()).append(" running").append(names(running));
        if (!paused.isEmpty()) { // pause and resume (issue 15)
            s.append(", ").append(paused.size()).append(" paused").append(names(paused));
        }
        s.append(", ").append(other.size()).append(" stopped").append(names(other));
        return s.toString();
    }

    private static String names(List<String> names) {
        if (names.isEmpty()) {
            return "";
        }
        String shown = String.join(", ", names.subList(0, Math.min(NAMES_SHOWN, names.size())));
        return " (" + shown + (names.size() > NAMES_SHOWN ? " and " + (names.size() - NAMES_SHOWN) + " more" : "") + ")";
    }

    private static void add(List<String> lines, String label, String value) {
        lines.add("  " + String.format("%-11s", label) + value);
    }

    static ObjectNode json(DaemonEndpoint daemon, ServerStatus status, List<SandboxInfo> sandboxes) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("url", daemon.url());
        node.put("found_via", daemon.source());
        node.put("version", status.version());
        node.put("uptime_ms", status.uptime().toMillis());
        node.put("backend", status.backend());
        node.putObject("runs").put("running", status.runs().running()).put("max", status.runs().max());
        node.putObject("pool").put("enabled", status.pool().enabled()).put("target_per_key", status.pool().targetPerKey())
                .put("served", status.pool().served()).put("missed", status.pool().missed());
        ObjectNode boxes = node.putObject("sandboxes");
        boxes.put("total", sandboxes.size());
        boxes.put("running", sandboxes.stream().filter(SandboxInfo::running).count());
        boxes.put("stopped", sandboxes.stream().filter(s -> !s.running()).count());
        var names = boxes.putArray("names");
        sandboxes.forEach(s -> names.add(s.name()));
        return node;
    }
}
