package dev.agentkernel.cli;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.SessionInfo;
import dev.agentkernel.client.SessionStats;
import dev.agentkernel.model.InvalidRequestException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code agentkernel sessions [list|show ID|rm ID|stats]}: the daemon's code sessions, as tables or JSON. */
final class SessionsCommand extends DaemonClientCommand {

    static final List<String> ACTIONS = List.of("list", "show", "rm", "stats", "pause", "resume");
    static final List<String> HEADER = List.of("ID", "TEMPLATE", "FLAVOR", "STATE", "RUNS", "AGE", "IDLE");

    @Override
    public String name() {
        return "sessions";
    }

    @Override
    public String usage() {
        return "[list | show ID | rm ID | stats | pause | resume] [--json]";
    }

    @Override
    public String summary() {
        return "List, show or delete code sessions; their statistics";
    }

    @Override
    public List<String> description() {
        return List.of("The daemon's code sessions (see 'agentkernel code' and 'agentkernel repl').",
                "list (the default): every session, oldest first (--ids: only their ids, one a line).",
                "show ID: one session. rm ID: delete it with its sandbox and files.",
                "stats: how many sessions exist and may, their memory, and the background maintenance that removes",
                "sessions idle longer than the session timeout. pause / resume: stop and restart that maintenance",
                "(e.g. during a long interactive investigation).",
                "--json prints the daemon's JSON (docs/code-sessions.md). Exit 4 when there is no such session.",
                FINDING);
    }

    @Override
    public Arguments arguments() {
        return Arguments.WORDS_THEN_SESSION;
    }

    @Override
    public List<String> words() {
        return ACTIONS;
    }

    @Override
    Options commandOptions() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("json").desc("Print JSON").get());
        o.addOption(Option.builder().longOpt("ids").desc("list: print only the ids, one a line").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel sessions",
                "agentkernel sessions show ses-3f9c2a61d0b84e7f",
                "agentkernel sessions rm ses-3f9c2a61d0b84e7f",
                "agentkernel sessions stats --json | jq .maintenance",
                "agentkernel sessions pause",
                "for id in $(agentkernel sessions list --ids); do agentkernel sessions rm \"$id\"; done");
    }

    @Override
    int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err)
            throws Exception {
        List<String> words = args.getArgList();
        String action = words.isEmpty() ? "list" : words.getFirst();
        boolean json = args.hasOption("json");
        if (args.hasOption("ids") && (!action.equals("list") || json)) {
            throw new InvalidRequestException("--ids goes with 'list' alone: agentkernel sessions list --ids");
        }
        switch (action) {
            case "list" -> {
                arguments(words, 1, "list");
                List<SessionInfo> all = client.listSessions();
                if (args.hasOption("ids")) {
                    all.forEach(s -> out.println(s.sessionId()));
                } else if (json) {
                    out.println(CodeSessionJson.print(CodeSessionJson.sessions(all)));
                } else if (all.isEmpty()) {
                    err.println("agentkernel: no code sessions; start one with 'agentkernel repl' or "
                            + "'agentkernel code --keep CODE'");
                } else {
                    table(all).forEach(out::println);
                }
            }
            case "show" -> {
                String id = id(words, "show");
                SessionInfo info = client.getSession(id);
                if (json) {
                    out.println(CodeSessionJson.print(CodeSessionJson.session(info)));
                } else {
                    details(info, ZoneId.systemDefault()).forEach(out::println);
                }
            }
            case "rm" -> {
                String id = id(words, "rm");
                client.deleteSession(id);
                if (json) {
                    out.println(CodeSessionJson.print(CodeSessionJson.MAPPER.createObjectNode().put("session_id", id)
                            .put("deleted", true)));
                } else {
                    err.println("agentkernel: deleted session " + id);
                }
            }
            case "stats" -> {
                arguments(words, 1, "stats");
                SessionStats stats = client.sessionStats();
                if (json) {
                    out.println(CodeSessionJson.print(CodeSessionJson.stats(stats)));
                } else {
                    stats(stats, ZoneId.systemDefault()).forEach(out::println);
                }
            }
            case "pause", "resume" -> {
                arguments(words, 1, action);
                SessionStats.Maintenance m = action.equals("pause") ? client.pauseMaintenance() : client.resumeMaintenance();
                out.println("session maintenance " + (m.paused() ? "paused" : "running") + " (idle expiry and orphan "
                        + "clean-up; every " + duration(m.interval()) + ")");
            }
            default -> throw new InvalidRequestException("unknown action '" + action + "': use list, show ID, rm ID, "
                    + "stats, pause or resume");
        }
        return 0;
    }

    private static void arguments(List<String> words, int allowed, String action) {
        if (words.size() > allowed) {
            throw new InvalidRequestException("unexpected argument '" + words.get(allowed) + "' after '" + action + "'");
        }
    }

    private static String id(List<String> words, String action) {
        if (words.size() < 2) {
            throw new InvalidRequestException("no session id given: try 'agentkernel sessions " + action
                    + " ID' (ids from 'agentkernel sessions')");
        }
        arguments(words, 2, action + " " + words.get(1));
        return words.get(1);
    }

    /** The table's lines: a header, then one line per session. */
    static List<String> table(List<SessionInfo> sessions) {
        List<List<String>> rows = new ArrayList<>();
        for (SessionInfo s : sessions) {
            rows.add(List.of(s.sessionId(), dash(s.template()), dash(s.flavor()), s.state(),
                    Long.toString(s.executions()), duration(s.age()), duration(s.idle())));
        }
        return Tables.render(HEADER, rows);
    }

    /** One session, a field a line. */
    static List<String> details(SessionInfo s, ZoneId zone) {
        List<String> lines = new ArrayList<>();
        lines.add("id:          " + s.sessionId());
        lines.add("template:    " + dash(s.template()));
        lines.add("flavor:      " + dash(s.flavor()) + " (" + Tables.number(s.cpus()) + " CPU, " + s.memoryMb() + " MB)");
        lines.add("state:       " + s.state());
        lines.add("executions:  " + s.executions());
        lines.add("created:     " + s.createdAt().map(t -> Tables.time(t, zone)).orElse("-") + " (" + duration(s.age())
                + " ago)");
        lines.add("last used:   " + s.lastUsedAt().map(t -> Tables.time(t, zone)).orElse("-") + " (idle "
                + duration(s.idle()) + ")");
        lines.add("volumes:     " + (s.volumes().isEmpty() ? "-" : String.join(", ", s.volumes())));
        return lines;
    }

    /** The statistics, a topic a line. */
    static List<String> stats(SessionStats s, ZoneId zone) {
        List<String> lines = new ArrayList<>();
        lines.add("sessions:        " + s.activeSessions() + " of " + s.maxSessions()
                + (s.byTemplate().isEmpty() ? "" : " (" + counts(s.byTemplate()) + ")"));
        lines.add("memory:          " + s.memoryAllocatedMb() + " of " + s.maxTotalMemoryMb() + " MB");
        lines.add("session timeout: " + duration(s.sessionTimeout()) + " idle");
        if (!s.pool().isEmpty()) {
            lines.add("ready pool:      " + s.pool().entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue().ready() + " ready, " + e.getValue().starting() + " starting")
                    .collect(Collectors.joining("; ")));
        }
        SessionStats.Maintenance m = s.maintenance();
        lines.add("maintenance:     " + (m.paused() ? "paused" : "running") + ", every " + duration(m.interval()) + ", "
                + m.runs() + " runs, last " + m.lastRunAt().map(t -> Tables.time(t, zone)).orElse("never"));
        lines.add("removed:         " + m.expiredTotal() + " expired, " + m.evictedTotal() + " evicted, "
                + m.orphansRemovedTotal() + " orphaned sandboxes");
        return lines;
    }

    private static String counts(Map<String, Integer> byTemplate) {
        return byTemplate.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    /** {@code 45s}, {@code 3m05s}, {@code 2h01m}. */
    static String duration(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + String.format("%02d", s % 60) + "s";
        }
        return (s / 3600) + "h" + String.format("%02d", (s % 3600) / 60) + "m";
    }

    private static String dash(String value) {
        return value.isEmpty() ? "-" : value;
    }
}
