package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code daemon status}: whether the daemon runs (pid, address, uptime) and, from its
 * {@code GET /status}, its runs, sandboxes and warm pool. Exits 0 when it runs and answers,
 * 3 when it does not run, 4 when it runs but does not answer (yet).
 */
final class DaemonStatus {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final DaemonRegistry registry;
    private final Optional<String> apiKey;
    private final boolean json;

    /**
     * Creates the action.
     *
     * @param registry the daemon's files
     * @param apiKey   sent as {@code Authorization: Bearer KEY} to {@code GET /status}
     * @param json     print the {@code /status} data as JSON instead of lines
     */
    DaemonStatus(DaemonRegistry registry, Optional<String> apiKey, boolean json) {
        this.registry = registry;
        this.apiKey = apiKey;
        this.json = json;
    }

    int run(PrintWriter out, PrintWriter err) throws IOException {
        Optional<DaemonRegistry.Running> found = registry.find();
        if (found.isEmpty()) {
            // With --json, stdout carries JSON only.
            (json ? err : out).println("agentkernel: daemon is not running");
            return ExitCodes.NOT_RUNNING;
        }
        DaemonRegistry.Running daemon = found.get();
        Optional<Duration> uptime = ProcessHandle.of(daemon.pid()).flatMap(h -> h.info().startInstant())
                .or(() -> daemon.info().map(DaemonInfo::startedAt).filter(s -> s.isAfter(Instant.EPOCH)))
                .map(start -> Duration.between(start, Instant.now()));
        Optional<String> healthProblem = Optional.of("not answering yet (starting)");
        DaemonHttp.StatusAnswer answer = new DaemonHttp.NoStatusRoute();
        if (daemon.info().isPresent()) {
            try (DaemonHttp http = new DaemonHttp(daemon.info().get().address().url(), apiKey, Duration.ofSeconds(5))) {
                healthProblem = http.healthProblem();
                if (healthProblem.isEmpty()) {
                    answer = http.status();
                }
            }
        }
        Optional<DaemonStatusReport> report = answer instanceof DaemonHttp.StatusData(var data)
                ? Optional.of(DaemonStatusReport.from(data)) : Optional.empty();
        Optional<String> statusProblem = answer instanceof DaemonHttp.StatusFailed(var reason)
                ? Optional.of(reason) : Optional.empty();
        if (json) {
            ObjectNode node = answer instanceof DaemonHttp.StatusData(var data) && data.isObject()
                    ? ((ObjectNode) data).deepCopy() : MAPPER.createObjectNode();
            if (!node.has("daemon")) {
                node.set("daemon", daemonJson(daemon, uptime, healthProblem, statusProblem));
            }
            out.println(MAPPER.writeValueAsString(node));
        } else {
            DaemonStatusFormatter.lines(new DaemonStatusFormatter.View(daemon, uptime, report, healthProblem, statusProblem))
                    .forEach(out::println);
        }
        return healthProblem.isEmpty() ? 0 : ExitCodes.NOT_ANSWERING;
    }

    /** What the CLI knows of the daemon itself, added as {@code "daemon"} to the {@code --json} output. */
    private static ObjectNode daemonJson(DaemonRegistry.Running daemon, Optional<Duration> uptime,
            Optional<String> healthProblem, Optional<String> statusProblem) {
        ObjectNode node = daemon.info().map(i -> i.toJson(MAPPER)).orElseGet(MAPPER::createObjectNode);
        node.put("pid", daemon.pid());
        uptime.ifPresent(u -> node.put("process_uptime_ms", u.toMillis()));
        node.put("answering", healthProblem.isEmpty());
        healthProblem.ifPresent(p -> node.put("health_error", p));
        statusProblem.ifPresent(p -> node.put("status_error", p));
        return node;
    }
}
