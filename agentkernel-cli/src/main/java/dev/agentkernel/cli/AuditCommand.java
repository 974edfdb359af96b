package dev.agentkernel.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.AuditEvent;
import dev.agentkernel.model.InvalidRequestException;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code agentkernel audit}: the daemon's audit log, or one sandbox's, as a table or JSON lines. */
final class AuditCommand extends DaemonClientCommand {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 10_000;
    static final List<String> HEADER = List.of("TIME", "EVENT", "SANDBOX", "DETAILS");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    public String name() {
        return "audit";
    }

    @Override
    public String usage() {
        return "[-s NAME] [--limit N] [--json]";
    }

    @Override
    public String summary() {
        return "Show the audit log of the daemon or of one sandbox";
    }

    @Override
    public List<String> description() {
        return List.of("Show the newest audit events, oldest first: sandboxes created, started, stopped and removed,",
                "commands run, files written, read and deleted, sessions attached. The table's TIME is local time;",
                "--json prints one JSON object per line, as the daemon records it (time in UTC).",
                FINDING);
    }

    @Override
    Options commandOptions() {
        Options o = new Options();
        o.addOption(Option.builder("s").longOpt("sandbox").hasArg().argName("SANDBOX")
                .desc("Only this sandbox's events (since it was created)").get());
        o.addOption(Option.builder().longOpt("limit").hasArg().argName("N")
                .desc("The newest N events, 1 to 10000 (default " + DEFAULT_LIMIT + ")").get());
        o.addOption(Option.builder().longOpt("json").desc("Print JSON lines").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel audit", "agentkernel audit -s my-project --limit 20",
                "agentkernel audit --json | jq -c 'select(.event == \"command_executed\")'");
    }

    @Override
    int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err)
            throws JsonProcessingException {
        noArguments(args, name());
        int limit = limit(args);
        List<AuditEvent> events = args.hasOption("sandbox") ? client.logs(args.getOptionValue("sandbox"), limit)
                : client.audit(limit);
        if (args.hasOption("json")) {
            for (AuditEvent e : events) {
                out.println(MAPPER.writeValueAsString(json(e)));
            }
        } else {
            table(events, ZoneId.systemDefault()).forEach(out::println);
        }
        return 0;
    }

    static int limit(CommandLine args) {
        Long limit = OptionValues.wholeNumber(args, "limit", "events");
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidRequestException("--limit must be from 1 to " + MAX_LIMIT + ", got " + limit);
        }
        return limit.intValue();
    }

    /** The table's lines. */
    static List<String> table(List<AuditEvent> events, ZoneId zone) {
        List<List<String>> rows = new ArrayList<>();
        for (AuditEvent e : events) {
            rows.add(List.of(Tables.time(e.timestamp(), zone), e.event(), e.sandbox().orElse("-"), details(e.details())));
        }
        return Tables.render(HEADER, rows);
    }

    /** {@code key=value} pairs: text as is (quoted if it has spaces), anything else as JSON. */
    static String details(Map<String, Object> details) {
        StringJoiner s = new StringJoiner(" ");
        details.forEach((k, v) -> s.add(k + "=" + value(v)));
        return s.toString();
    }

    private static String value(Object v) {
        if (v instanceof String text) {
            String oneLine = text.replace("\n", "\\n").replace("\r", "\\r");
            return oneLine.isEmpty() || oneLine.matches(".*[\\s\"'].*") ? quote(oneLine) : oneLine;
        }
        try {
            return MAPPER.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            return String.valueOf(v);
        }
    }

    private static String quote(String text) {
        try {
            return MAPPER.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            return "\"" + text + "\"";
        }
    }

    /** An event as the daemon sends it: timestamp, event, sandbox, then its details. */
    static ObjectNode json(AuditEvent e) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("timestamp", e.timestamp().toString());
        node.put("event", e.event());
        e.sandbox().ifPresent(s -> node.put("sandbox", s));
        e.details().forEach((k, v) -> node.set(k, MAPPER.valueToTree(v)));
        return node;
    }
}
