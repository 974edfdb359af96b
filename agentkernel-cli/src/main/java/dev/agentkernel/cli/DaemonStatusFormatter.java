package dev.agentkernel.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/** Renders {@code daemon status} for people: a headline and aligned "label value" lines; what is unknown is left out. */
final class DaemonStatusFormatter {

    private static final String INDENT = "  ";
    private static final int LABEL_WIDTH = 11;

    private DaemonStatusFormatter() {
    }

    /**
     * What {@code daemon status} found.
     *
     * @param daemon        the running daemon (pid and, once it answered, its address)
     * @param uptime        how long its process has run, when known
     * @param report        its {@code GET /status} data, when it answered it
     * @param healthProblem why {@code GET /health} failed; empty when it answered
     * @param statusProblem why {@code GET /status} failed (other than a 404); empty otherwise
     */
    record View(DaemonRegistry.Running daemon, Optional<Duration> uptime, Optional<DaemonStatusReport> report,
            Optional<String> healthProblem, Optional<String> statusProblem) {
    }

    /** The lines to print. */
    static List<String> lines(View view) {
        List<String> lines = new ArrayList<>();
        DaemonRegistry.Running daemon = view.daemon();
        if (daemon.info().isEmpty()) {
            lines.add("agentkernel: daemon is starting");
        } else if (view.healthProblem().isPresent()) {
            lines.add("agentkernel: daemon is running but not answering");
        } else {
            lines.add("agentkernel: daemon is running");
        }
        add(lines, "pid", Long.toString(daemon.pid()));
        daemon.info().ifPresent(info -> add(lines, "address", info.address().url()));
        view.uptime().ifPresent(u -> add(lines, "uptime", uptime(u)));
        view.healthProblem().ifPresent(p -> add(lines, "health", p));
        view.report().ifPresent(r -> report(lines, r));
        view.statusProblem().ifPresent(p -> add(lines, "status", p));
        daemon.info().filter(i -> !i.log().isEmpty()).ifPresent(info -> add(lines, "log", info.log()));
        return lines;
    }

    private static void report(List<String> lines, DaemonStatusReport r) {
        if (r.version() != null) {
            add(lines, "version", r.version());
        }
        if (r.backend() != null) {
            add(lines, "backend", r.backend());
        }
        if (r.runs() != null && r.runs().running() != null) {
            add(lines, "runs", r.runs().running() + " running" + (r.runs().max() != null ? " (max " + r.runs().max() + ")" : ""));
        }
        if (r.sandboxes() != null) {
            StringJoiner s = new StringJoiner(", ");
            if (r.sandboxes().total() != null) {
                s.add(r.sandboxes().total() + " total");
            }
            if (r.sandboxes().running() != null) {
                s.add(r.sandboxes().running() + " running");
            }
            if (r.sandboxes().stopped() != null) {
                s.add(r.sandboxes().stopped() + " stopped");
            }
            if (s.length() > 0) {
                add(lines, "sandboxes", s.toString());
            }
        }
        if (r.images() != null && r.images().images() != null) {
            add(lines, "images", r.images().images() + " stored"
                    + (r.images().bytes() != null ? ", " + ImageText.size(r.images().bytes()) + " on disk" : "")
                    + (r.images().layers() != null ? " (" + r.images().layers()
                            + (r.images().layers() == 1 ? " layer)" : " layers)") : ""));
        }
        if (r.pool() != null) {
            pool(lines, r.pool());
        }
    }

    private static void pool(List<String> lines, DaemonStatusReport.Pool pool) {
        if (Boolean.FALSE.equals(pool.enabled())) {
            add(lines, "warm pool", "disabled");
            return;
        }
        StringJoiner head = new StringJoiner(", ");
        if (Boolean.TRUE.equals(pool.enabled())) {
            head.add("enabled");
        }
        if (pool.targetPerKey() != null) {
            head.add(pool.targetPerKey() + " ready per image and profile");
        }
        if (pool.keys().isEmpty()) {
            head.add("empty");
        }
        add(lines, "warm pool", head.length() > 0 ? head.toString() : "ready:");
        for (DaemonStatusReport.PoolKey key : pool.keys()) {
            String name = key.image() == null ? "?" : key.image();
            String profile = key.profile() == null ? "" : " (" + key.profile() + ")";
            add(lines, "", name + profile + ": " + (key.ready() == null ? "?" : key.ready()) + " ready");
        }
    }

    private static void add(List<String> lines, String label, String value) {
        lines.add(INDENT + String.format("%-" + LABEL_WIDTH + "s", label) + value);
    }

    /** A duration for people: {@code 45s}, {@code 5m 06s}, {@code 2h 03m 04s}, {@code 3d 04h 05m}. */
    static String uptime(Duration d) {
        long s = Math.max(0, d.toSeconds());
        long days = s / 86_400;
        long hours = s % 86_400 / 3600;
        long minutes = s % 3600 / 60;
        long seconds = s % 60;
        if (days > 0) {
            return String.format("%dd %02dh %02dm", days, hours, minutes);
        }
        if (hours > 0) {
            return String.format("%dh %02dm %02ds", hours, minutes, seconds);
        }
        if (minutes > 0) {
            return String.format("%dm %02ds", minutes, seconds);
        }
        return seconds + "s";
    }
}
