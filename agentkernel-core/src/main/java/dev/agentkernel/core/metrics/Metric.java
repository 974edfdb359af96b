package dev.agentkernel.core.metrics;

import java.util.List;

/**
 * Every metric the daemon keeps: its kind, its name (dotted; the Prometheus name replaces dots by
 * underscores and adds {@code _total} to counters and {@code _seconds} to timers), its labels (in
 * the order {@link Metrics} takes their values) and what it counts. Label values come from closed
 * sets (states, outcomes, backends, route templates), never from a request's free text.
 */
public enum Metric {
    /** Persistent sandboxes by state and backend. */
    SANDBOXES(Kind.GAUGE, "agentkernel.sandboxes", "Persistent sandboxes by state and backend", "state", "backend"),
    /**
     * Sandbox starts: {@code kind} run (a one-off /run), sandbox (a persistent sandbox), prestart
     * (the warm pool filling itself), session (a code session's interpreter) or session_prestart
     * (the interpreter pool filling itself); {@code path} pool (taken ready from a warm pool) or
     * cold; {@code outcome} ok or error.
     */
    SANDBOX_STARTS(Kind.TIMER, "agentkernel.sandbox.start", "Sandbox starts and how long each took, by kind, path, backend and outcome",
            "kind", "path", "backend", "outcome"),
    /** Sandboxes of the warm pool by state (ready, starting), summed over its keys. */
    POOL_SANDBOXES(Kind.GAUGE, "agentkernel.pool.sandboxes", "Sandboxes of the warm pool by state", "state"),
    /** Requests the warm pool served with a ready sandbox. */
    POOL_SERVED(Kind.SAMPLED_COUNTER, "agentkernel.pool.served", "Requests served from the warm pool"),
    /** Requests that found no ready sandbox in the warm pool and took the cold path. */
    POOL_MISSES(Kind.SAMPLED_COUNTER, "agentkernel.pool.misses", "Requests that found the warm pool empty"),
    /** Interpreters of the code sessions' warm pool by state (ready, starting), summed over its keys. */
    POOL_INTERPRETERS(Kind.GAUGE, "agentkernel.pool.interpreters", "Interpreters of the code-session pool by state", "state"),
    /** New code sessions the interpreter pool served with a ready interpreter. */
    POOL_INTERPRETERS_SERVED(Kind.SAMPLED_COUNTER, "agentkernel.pool.interpreters.served",
            "New code sessions served from the interpreter pool"),
    /** New code sessions that found no ready interpreter in the pool. */
    POOL_INTERPRETERS_MISSES(Kind.SAMPLED_COUNTER, "agentkernel.pool.interpreters.misses",
            "New code sessions that found the interpreter pool empty"),
    /** Open code sessions. */
    CODE_SESSIONS(Kind.GAUGE, "agentkernel.code.sessions", "Open code sessions"),
    /** Code executions ({@code /execute}, MCP) by outcome: ok, error (the code raised), failed (no result). */
    CODE_EXECUTIONS(Kind.TIMER, "agentkernel.code.executions", "Code executions and how long each took, by outcome",
            "outcome"),
    /** Tasks by state (running, completed, failed, timeout, cancelled). */
    TASKS(Kind.GAUGE, "agentkernel.tasks", "Tasks by state", "state"),
    /** Image pulls through the API by outcome (ok, error). */
    IMAGE_PULLS(Kind.COUNTER, "agentkernel.image.pulls", "Image pulls (the API, MCP, images sandboxes name), by outcome", "outcome"),
    /** Bytes of layers fetched by image pulls through the API. */
    IMAGE_PULL_BYTES(Kind.COUNTER, "agentkernel.image.pull.bytes", "Bytes of image layers fetched by pulls"),
    /** Audit events by type (the wire name of {@code AuditEventType}). */
    AUDIT_EVENTS(Kind.COUNTER, "agentkernel.audit.events", "Audit events recorded, by type", "type"),
    /**
     * HTTP requests by method, route template ({@code unmatched} for no route) and status, with
     * their duration (for streamed answers: until the stream ended).
     */
    HTTP_REQUESTS(Kind.TIMER, "agentkernel.http.requests", "HTTP requests and how long each took, by method, route and status",
            "method", "route", "status");

    /** How a metric is kept. */
    public enum Kind {
        /** Counted as things happen ({@link Metrics#count}). */
        COUNTER,
        /** Counted as things happen, with a latency histogram ({@link Metrics#time}). */
        TIMER,
        /** A value read at every scrape ({@link Metrics#sample}). */
        GAUGE,
        /** A counter kept elsewhere, read at every scrape ({@link Metrics#sample}). */
        SAMPLED_COUNTER
    }

    private final Kind kind;
    private final String metricName;
    private final String description;
    private final List<String> labels;

    Metric(Kind kind, String metricName, String description, String... labels) {
        this.kind = kind;
        this.metricName = metricName;
        this.description = description;
        this.labels = List.of(labels);
    }

    /** How it is kept. */
    public Kind kind() {
        return kind;
    }

    /** Its dotted name, e.g. {@code agentkernel.sandbox.start}. */
    public String metricName() {
        return metricName;
    }

    /** What it counts. */
    public String description() {
        return description;
    }

    /** Its label names, in order. */
    public List<String> labels() {
        return labels;
    }

    /** Checks that {@code values} give each label once.
     *
     * @throws IllegalArgumentException otherwise
     */
    public void requireLabels(List<String> values) {
        if (values.size() != labels.size()) {
            throw new IllegalArgumentException(metricName + " takes the labels " + labels + ", got " + values);
        }
    }
}
