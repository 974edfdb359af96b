package dev.agentkernel.api;

import com.fasterxml.jackson.databind.JavaType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Every route of the HTTP API, with what it takes and what it answers: the table the server
 * registers its handlers from (a route without a handler, or a handler without a route, stops it
 * from starting) and that {@link OpenApi} describes. Paths use Helidon's templates:
 * {@code {name}} is one segment, {@code {+path}} the rest of the path.
 */
public final class ApiRoutes {

    /** What a request or an answer carries. */
    public enum Kind {
        /** Nothing. */
        NONE,
        /** A JSON object of the route's type (a request body). */
        JSON,
        /** A JSON object of the route's type, or no body at all (the type's defaults). */
        OPTIONAL_JSON,
        /** A JSON object of the route's type, or raw bytes as {@code application/octet-stream}. */
        JSON_OR_BYTES,
        /** Raw bytes ({@code application/octet-stream}). */
        BYTES,
        /** The envelope {@code {"success": true, "data": T}}. */
        ENVELOPE,
        /** The envelope with T, or raw bytes when the request's {@code Accept} is {@code application/octet-stream}. */
        ENVELOPE_OR_BYTES,
        /** Server-Sent Events whose data are the permitted records of a sealed type. */
        EVENTS,
        /**
         * The envelope with T, or Server-Sent Events (the permitted records of {@link Body#events()}) when the
         * request asks for them ({@code Accept: text/event-stream} or a query parameter).
         */
        ENVELOPE_OR_EVENTS,
        /** A JSON object of the route's type, without the envelope. */
        BARE_JSON,
        /** MCP's JSON-RPC messages (Streamable HTTP): described by the MCP specification, not here. */
        JSON_RPC,
        /** The Prometheus text exposition format 0.0.4 ({@code text/plain; version=0.0.4}). */
        PROMETHEUS_TEXT
    }

    /**
     * What a request or answer carries.
     *
     * @param kind its kind
     * @param type the JSON type ({@code String.class} for a message, a record, a sealed event type), or null
     * @param events the sealed event type of {@link Kind#ENVELOPE_OR_EVENTS}, else null
     */
    public record Body(Kind kind, Type type, Class<?> events) {
        public Body {
            Objects.requireNonNull(kind, "kind");
            if ((kind == Kind.ENVELOPE_OR_EVENTS) != (events != null)) {
                throw new IllegalArgumentException("an events type goes with ENVELOPE_OR_EVENTS, and only there");
            }
        }

        /** A body of one type. */
        public Body(Kind kind, Type type) {
            this(kind, type, null);
        }

        static Body none() {
            return new Body(Kind.NONE, null);
        }
    }

    /**
     * A query parameter.
     *
     * @param name        its name
     * @param type        {@code integer}, {@code number}, {@code string} or {@code boolean}
     * @param description what it does
     */
    public record Query(String name, String type, String description) {
    }

    /**
     * One route.
     *
     * @param method   GET, POST, PUT or DELETE
     * @param path     the path template
     * @param summary  what it does
     * @param request  what the request carries
     * @param status   the status of a success
     * @param response what a success carries
     * @param query    its query parameters
     */
    public record Route(String method, String path, String summary, Body request, int status, Body response,
                        List<Query> query) {
        public Route {
            query = List.copyOf(query);
        }

        /** {@code METHOD PATH}, e.g. {@code POST /run}: what the server registers a handler under. */
        public String id() {
            return method + " " + path;
        }

        /** The path as OpenAPI writes it ({@code {+path}} becomes {@code {path}}). */
        public String openApiPath() {
            return path.replace("{+", "{");
        }

        /** The names of its path parameters. */
        public List<String> pathParameters() {
            List<String> names = new ArrayList<>();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{\\+?([a-z_]+)}").matcher(path);
            while (m.find()) {
                names.add(m.group(1));
            }
            return names;
        }
    }

    private static final List<Route> ALL = build();

    private ApiRoutes() {
    }

    /** Every route, in the order they are registered and described. */
    public static List<Route> all() {
        return ALL;
    }

    /** The route {@code METHOD PATH}. */
    public static Route route(String method, String path) {
        for (Route r : ALL) {
            if (r.method().equals(method) && r.path().equals(path)) {
                return r;
            }
        }
        throw new IllegalArgumentException("no route " + method + " " + path);
    }

    private static List<Route> build() {
        List<Route> r = new ArrayList<>();
        JavaType sandboxes = WireJson.mapper().getTypeFactory().constructCollectionType(List.class, SandboxView.class);
        JavaType events = WireJson.mapper().getTypeFactory().constructCollectionType(List.class, AuditEventView.class);
        Query limit = new Query("limit", "integer", "Most events, 1 to 10000 (default 10000)");
        r.add(new Route("GET", "/health", "Whether the server answers (no API key needed)", Body.none(), 200,
                new Body(Kind.BARE_JSON, HealthBody.class), List.of()));
        r.add(new Route("GET", "/openapi.json", "This document", Body.none(), 200, new Body(Kind.BARE_JSON, Object.class),
                List.of()));
        r.add(new Route("GET", "/metrics", "The daemon's metrics in the Prometheus text format (the same API key as "
                + "every route)", Body.none(), 200, new Body(Kind.PROMETHEUS_TEXT, String.class), List.of()));
        r.add(get("/status", "Version, uptime, backend, runs, warm pool, sandboxes and sessions", StatusView.class));
        r.add(post("/run", "Run a command in a fresh sandbox", RunRequest.class, 200, RunResult.class));
        r.add(new Route("POST", "/run/stream", "Run a command in a fresh sandbox, its output as Server-Sent Events",
                json(RunRequest.class), 200, new Body(Kind.EVENTS, CommandEvent.class), List.of()));
        r.add(post("/batch/run", "Run several commands in parallel, each in a fresh sandbox", BatchRequest.class, 200,
                BatchResult.class));
        r.add(new Route("GET", "/sandboxes", "List persistent sandboxes", Body.none(), 200,
                new Body(Kind.ENVELOPE, sandboxes), List.of()));
        r.add(post("/sandboxes", "Create and start a persistent sandbox", CreateSandboxRequest.class, 201,
                SandboxView.class));
        r.add(get("/sandboxes/by-uuid/{uuid}", "A persistent sandbox by its uuid", SandboxView.class));
        JavaType snapshots = WireJson.mapper().getTypeFactory().constructCollectionType(List.class, SnapshotView.class);
        r.add(new Route("GET", "/snapshots", "List snapshots, oldest first", Body.none(), 200,
                new Body(Kind.ENVELOPE, snapshots), List.of()));
        r.add(post("/snapshots", "Take a snapshot of a sandbox (its writable layer and /workspace, as one more image "
                + "layer)", TakeSnapshotRequest.class, 201, SnapshotView.class));
        r.add(get("/snapshots/{snapshot}", "A snapshot", SnapshotView.class));
        r.add(new Route("DELETE", "/snapshots/{snapshot}", "Delete a snapshot that no sandbox runs on", Body.none(), 200,
                envelope(String.class), List.of()));
        r.add(new Route("POST", "/snapshots/{snapshot}/restore", "Put a sandbox on a snapshot's files (the one it was "
                + "taken from by default; created again if it is gone)", new Body(Kind.OPTIONAL_JSON,
                RestoreSnapshotRequest.class), 200, envelope(SandboxView.class), List.of()));
        r.add(new Route("POST", "/sandboxes/{name}/fork", "New sandboxes with the files a sandbox has now",
                new Body(Kind.OPTIONAL_JSON, ForkRequest.class), 201, envelope(ForkResult.class), List.of()));
        r.add(get("/sandboxes/{name}", "A persistent sandbox", SandboxView.class));
        r.add(post("/sandboxes/{name}/extend", "Give a sandbox with a time to live more time", ExtendRequest.class, 200,
                SandboxExtended.class));
        r.add(new Route("DELETE", "/sandboxes/{name}", "Stop and remove a sandbox with its files", Body.none(), 200,
                envelope(String.class), List.of()));
        r.add(post("/sandboxes/{name}/exec", "Run a command in a running sandbox", ExecRequest.class, 200,
                CommandResult.class));
        r.add(new Route("POST", "/sandboxes/{name}/exec/stream",
                "Run a command in a running sandbox, its output as Server-Sent Events", json(ExecRequest.class), 200,
                new Body(Kind.EVENTS, CommandEvent.class), List.of()));
        r.add(new Route("POST", "/sandboxes/{name}/start", "Start a stopped sandbox", Body.none(), 200,
                envelope(SandboxView.class), List.of()));
        r.add(new Route("POST", "/sandboxes/{name}/stop", "Stop a running sandbox (its files are kept)", Body.none(), 200,
                envelope(SandboxView.class), List.of()));
        // ---- pause and resume (issue 15) ----
        r.add(new Route("POST", "/sandboxes/{name}/pause", "Pause a running sandbox: every process frozen, memory kept"
                + " (idempotent)", Body.none(), 200, envelope(SandboxView.class), List.of()));
        r.add(new Route("POST", "/sandboxes/{name}/resume", "Resume a paused sandbox where it stopped (idempotent)",
                Body.none(), 200, envelope(SandboxView.class), List.of()));
        r.add(new Route("GET", "/sandboxes/{name}/logs", "A sandbox's audit events", Body.none(), 200,
                new Body(Kind.ENVELOPE, events), List.of(limit)));
        r.add(post("/sandboxes/{name}/files", "Write several files (each with its missing parent directories)",
                WriteFilesRequest.class, 200, FilesWritten.class));
        r.add(new Route("PUT", "/sandboxes/{name}/files/{+path}", "Write a file (JSON, or raw bytes as "
                + "application/octet-stream)", new Body(Kind.JSON_OR_BYTES, WriteFileRequest.class), 200,
                envelope(String.class), List.of()));
        r.add(new Route("GET", "/sandboxes/{name}/files/{+path}", "Read a file (JSON, or raw bytes with Accept: "
                + "application/octet-stream)", Body.none(), 200, new Body(Kind.ENVELOPE_OR_BYTES, FileContent.class),
                List.of()));
        r.add(new Route("DELETE", "/sandboxes/{name}/files/{+path}", "Delete a file", Body.none(), 200,
                envelope(String.class), List.of()));
        r.add(new Route("POST", "/sandboxes/{name}/attach", "Start an interactive session on a pseudo-terminal",
                new Body(Kind.OPTIONAL_JSON, AttachRequest.class), 201, envelope(AttachOpened.class), List.of()));
        r.add(new Route("GET", "/attach/{id}/events", "An interactive session's output as Server-Sent Events",
                Body.none(), 200, new Body(Kind.EVENTS, TerminalEvent.class), List.of()));
        r.add(new Route("POST", "/attach/{id}/input", "Send bytes to an interactive session",
                new Body(Kind.BYTES, null), 204, Body.none(),
                List.of(new Query("eof", "boolean", "End the session's input after these bytes"))));
        r.add(new Route("POST", "/attach/{id}/resize", "Set an interactive session's window size",
                json(ResizeRequest.class), 204, Body.none(), List.of()));
        r.add(new Route("DELETE", "/attach/{id}", "End an interactive session", Body.none(), 200,
                envelope(String.class), List.of()));
        r.add(new Route("GET", "/audit", "Recent audit events of all sandboxes", Body.none(), 200,
                new Body(Kind.ENVELOPE, events), List.of(limit)));
        r.add(post("/execute", "Run code in a stateful code session (a new one unless session_id is given)",
                ExecuteCodeRequest.class, 200, CodeResult.class));
        r.add(get("/sessions", "List code sessions", SessionList.class));
        r.add(new Route("POST", "/sessions", "Create a code session", new Body(Kind.OPTIONAL_JSON,
                CreateSessionRequest.class), 201, envelope(SessionView.class), List.of()));
        r.add(get("/sessions/{id}", "A code session", SessionView.class));
        r.add(new Route("DELETE", "/sessions/{id}", "End a code session", Body.none(), 200,
                envelope(SessionDeleted.class), List.of()));
        r.add(get("/stats", "Code sessions' use of the host", SessionStatsView.class));
        r.add(new Route("POST", "/maintenance/pause", "Pause the code sessions' maintenance", Body.none(), 200,
                envelope(MaintenanceView.class), List.of()));
        r.add(new Route("POST", "/maintenance/resume", "Resume the code sessions' maintenance", Body.none(), 200,
                envelope(MaintenanceView.class), List.of()));
        r.add(post("/tasks", "Dispatch a background task", DispatchTaskRequest.class, 202, TaskView.class));
        r.add(get("/tasks", "List background tasks, newest first", TaskList.class));
        r.add(get("/tasks/{id}", "A background task", TaskView.class));
        r.add(new Route("DELETE", "/tasks/{id}", "Cancel a background task", Body.none(), 200,
                envelope(TaskCancellation.class), List.of()));
        Query wait = new Query("timeout", "number", "Longest wait in seconds, 0 to 600 (default 60)");
        r.add(new Route("POST", "/tasks/{id}/wait", "Wait for a background task to end (at most timeout seconds)",
                new Body(Kind.OPTIONAL_JSON, WaitRequest.class), 200, envelope(TaskView.class), List.of(wait)));
        r.add(new Route("GET", "/tasks/{id}/wait", "Wait for a background task to end (at most timeout seconds)",
                Body.none(), 200, envelope(TaskView.class), List.of(wait)));
        r.add(new Route("POST", "/tasks/{id}/cancel", "Cancel a background task", Body.none(), 200,
                envelope(TaskCancellation.class), List.of()));
        for (String method : List.of("POST", "GET", "DELETE")) {
            r.add(new Route(method, "/mcp", "MCP over Streamable HTTP (JSON-RPC; see the MCP specification)",
                    method.equals("POST") ? new Body(Kind.JSON_RPC, null) : Body.none(), 200,
                    new Body(Kind.JSON_RPC, null), List.of()));
        }
        r.add(get("/images", "List the images in the daemon's store", ImageList.class));
        r.add(new Route("POST", "/images/pull", "Pull an image into the daemon's store, its progress as Server-Sent "
                + "Events (errors found before the first event are answered as errors)", json(PullImageRequest.class),
                200, new Body(Kind.EVENTS, ImagePullEvent.class), List.of()));
        r.add(new Route("DELETE", "/images/{+ref}", "Remove an image reference from the store (409 while in use)",
                Body.none(), 200, envelope(ImageRemoved.class), List.of()));
        r.add(new Route("GET", "/tools", "Search the tool libraries", Body.none(), 200, envelope(ToolSearchResult.class),
                List.of(new Query("query", "string", "Words to look for (default: every library)"))));
        r.add(new Route("DELETE", "/tools/cache", "Forget what was read of the tool libraries", Body.none(), 200,
                envelope(CacheCleared.class), List.of()));
        detached(r);
        // ---- named volumes (issue 15, point 6) ----
        r.add(post("/volumes", "Create a named volume (outlives sandboxes; 409 if the name is taken)",
                CreateVolumeRequest.class, 201, VolumeView.class));
        r.add(get("/volumes", "List named volumes", VolumeList.class));
        r.add(get("/volumes/{name}", "A named volume: its size, use and the sandboxes that mount it", VolumeView.class));
        r.add(new Route("DELETE", "/volumes/{name}", "Remove a volume with its files (409 while a sandbox mounts it;"
                + " force detaches it from stopped sandboxes, never from running ones)", Body.none(), 200,
                envelope(VolumeRemoved.class),
                List.of(new Query("force", "boolean", "Also when stopped sandboxes mount it (they lose the mount)"))));
        secrets(r);
        return List.copyOf(r);
    }

    /** Secrets (issue 16): stored encrypted, granted to sandboxes for given hosts; values are never answered. */
    private static void secrets(List<Route> r) {
        r.add(new Route("PUT", "/secrets/{name}", "Set a secret (create it, or replace its value); the value is stored"
                + " encrypted and never shown again", json(SetSecretRequest.class), 200, envelope(SecretView.class),
                List.of()));
        r.add(get("/secrets", "List secrets: names and dates, never values", SecretList.class));
        r.add(get("/secrets/{name}", "A secret's name and dates (never its value)", SecretView.class));
        r.add(new Route("DELETE", "/secrets/{name}", "Remove a secret", Body.none(), 200, envelope(SecretRemoved.class),
                List.of()));
    }

    /** Background processes of a running sandbox (issue 15, point 3). */
    private static void detached(List<Route> r) {
        JavaType list = WireJson.mapper().getTypeFactory().constructCollectionType(List.class, DetachedCommand.class);
        r.add(post("/sandboxes/{name}/exec/detach", "Start a command in the background in a running sandbox",
                DetachRequest.class, 200, DetachedCommand.class));
        r.add(new Route("GET", "/sandboxes/{name}/exec/detached", "List a sandbox's background processes",
                Body.none(), 200, new Body(Kind.ENVELOPE, list), List.of()));
        r.add(get("/sandboxes/{name}/exec/detached/{id}", "A background process", DetachedCommand.class));
        r.add(new Route("DELETE", "/sandboxes/{name}/exec/detached/{id}",
                "Kill a background process with every process it started (its process group)", Body.none(), 200,
                envelope(String.class), List.of()));
        r.add(new Route("GET", "/sandboxes/{name}/exec/detached/{id}/logs", "A background process's output so far; "
                + "followed live as Server-Sent Events with follow=true or Accept: text/event-stream", Body.none(), 200,
                new Body(Kind.ENVELOPE_OR_EVENTS, DetachedLogs.class, CommandEvent.class),
                List.of(new Query("stream", "string", "stdout or stderr (default: both)"),
                        new Query("follow", "boolean", "Follow the output live as Server-Sent Events: what was kept "
                                + "so far, then new output as it comes, then done with the exit code"))));
    }

    private static Body json(Class<?> type) {
        return new Body(Kind.JSON, type);
    }

    private static Body envelope(Type type) {
        return new Body(Kind.ENVELOPE, type);
    }

    private static Route get(String path, String summary, Class<?> data) {
        return new Route("GET", path, summary, Body.none(), 200, envelope(data), List.of());
    }

    private static Route post(String path, String summary, Class<?> request, int status, Class<?> data) {
        return new Route("POST", path, summary, json(request), status, envelope(data), List.of());
    }
}
