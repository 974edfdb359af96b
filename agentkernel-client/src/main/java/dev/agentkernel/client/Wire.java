package dev.agentkernel.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The JSON of the API: request bodies from options, results from response data. Decoding is
 * lenient about fields a server leaves out (they become empty, 0 or false) and strict about
 * fields of the wrong type ({@link MalformedException}). Package-private.
 */
final class Wire {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Wire() {
    }

    /** Response data that is not what the API documents. */
    static final class MalformedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message);
        }
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) { // a tree of plain nodes always serialises
            throw new IllegalStateException(e);
        }
    }

    // ---- requests -----------------------------------------------------------------------

    /** {@code {"command": [...], "fast": ..., "image"?, "profile"?, "sudo"?, "timeout"?, "env"?}}, as {@code /run} takes it. */
    static ObjectNode runRequest(List<String> command, RunOptions options) {
        ObjectNode body = MAPPER.createObjectNode();
        strings(body.putArray("command"), command);
        options.image().ifPresent(i -> body.put("image", i));
        options.profile().ifPresent(p -> body.put("profile", p.id()));
        body.put("fast", options.fast());
        if (options.sudo()) {
            body.put("sudo", true);
        }
        options.pull().ifPresent(p -> body.put("pull", p.id()));
        options.timeout().ifPresent(t -> timeout(body, t));
        if (!options.env().isEmpty()) {
            strings(body.putArray("env"), EnvVars.assignments(options.env()));
        }
        return body;
    }

    static ObjectNode batchRequest(List<BatchCommand> commands) {
        ObjectNode body = MAPPER.createObjectNode();
        ArrayNode all = body.putArray("commands");
        for (BatchCommand c : commands) {
            all.add(runRequest(c.command(), c.options()));
        }
        return body;
    }

    static ObjectNode createRequest(String name, SandboxOptions options) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("name", name);
        options.image().ifPresent(i -> body.put("image", i));
        options.vcpus().ifPresent(v -> {
            if (v == Math.rint(v) && Math.abs(v) < 1e15) {
                body.put("vcpus", (long) v);
            } else {
                body.put("vcpus", v);
            }
        });
        options.memoryMb().ifPresent(m -> body.put("memory_mb", m));
        options.diskMb().ifPresent(m -> body.put("disk_mb", m));
        options.profile().ifPresent(p -> body.put("profile", p.id()));
        options.network().ifPresent(n -> body.put("network", n));
        options.dir().ifPresent(d -> body.put("dir", d));
        options.pull().ifPresent(p -> body.put("pull", p.id()));
        return body;
    }

    static ObjectNode execRequest(List<String> command, ExecOptions options) {
        ObjectNode body = MAPPER.createObjectNode();
        strings(body.putArray("command"), command);
        if (!options.env().isEmpty()) {
            strings(body.putArray("env"), EnvVars.assignments(options.env()));
        }
        options.workdir().ifPresent(w -> body.put("workdir", w));
        options.timeout().ifPresent(t -> timeout(body, t));
        if (options.sudo()) {
            body.put("sudo", true);
        }
        return body;
    }

    /** {@code {"command"?, "env"?, "workdir"?, "rows", "cols"}}, as {@code /sandboxes/{name}/attach} takes it. */
    static ObjectNode attachRequest(AttachOptions options) {
        ObjectNode body = MAPPER.createObjectNode();
        if (!options.command().isEmpty()) {
            strings(body.putArray("command"), options.command());
        }
        if (!options.env().isEmpty()) {
            strings(body.putArray("env"), EnvVars.assignments(options.env()));
        }
        options.workdir().ifPresent(w -> body.put("workdir", w));
        body.put("rows", options.rows());
        body.put("cols", options.cols());
        return body;
    }

    static ObjectNode textFile(String text) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("content", text);
        body.put("encoding", "utf8");
        return body;
    }

    /**
     * {@code {"code", "session_id"?, "template"?, "flavor"?, "timeout"?, "volumes"?}}, as
     * {@code /execute} takes it.
     */
    static ObjectNode executeRequest(String code, CodeOptions options) {
        java.util.Objects.requireNonNull(code, "code");
        ObjectNode body = MAPPER.createObjectNode();
        body.put("code", code);
        options.sessionId().ifPresent(s -> body.put("session_id", s));
        options.template().ifPresent(t -> body.put("template", t));
        options.flavor().ifPresent(f -> body.put("flavor", f));
        options.timeout().ifPresent(t -> timeout(body, t));
        if (!options.volumes().isEmpty()) {
            strings(body.putArray("volumes"), options.volumes());
        }
        return body;
    }

    /**
     * {@code {"code", "template"?, "timeout"?, "verbose", "required_tools"?}}, as {@code POST /tasks}
     * takes it.
     */
    static ObjectNode taskRequest(String code, TaskOptions options) {
        java.util.Objects.requireNonNull(code, "code");
        ObjectNode body = MAPPER.createObjectNode();
        body.put("code", code);
        options.template().ifPresent(t -> body.put("template", t));
        options.timeout().ifPresent(t -> timeout(body, t));
        body.put("verbose", options.verbose());
        if (!options.requiredTools().isEmpty()) {
            strings(body.putArray("required_tools"), options.requiredTools());
        }
        options.image().ifPresent(i -> body.put("image", i));
        options.pull().ifPresent(p -> body.put("pull", p.id()));
        return body;
    }

    /** {@code {"timeout": seconds}}, as {@code POST /tasks/{id}/wait} takes it. */
    static ObjectNode waitRequest(Duration wait) {
        ObjectNode body = MAPPER.createObjectNode();
        timeout(body, wait);
        return body;
    }

    /** Seconds, whole when they are, else with millisecond precision (at least 1 ms). */
    private static void timeout(ObjectNode body, Duration t) {
        long millis = Math.max(1, t.toMillis());
        if (millis % 1000 == 0) {
            body.put("timeout", millis / 1000);
        } else {
            body.put("timeout", millis / 1000.0);
        }
    }

    private static void strings(ArrayNode array, List<String> values) {
        for (String v : values) {
            array.add(java.util.Objects.requireNonNull(v, "command and env entries must not be null"));
        }
    }

    // ---- responses ----------------------------------------------------------------------

    static RunResult runResult(JsonNode data) {
        object(data, "a command's result");
        Optional<Long> durationMs = optionalLong(data, "duration_ms");
        return new RunResult(text(data, "output").orElse(""), text(data, "stdout").orElse(""),
                text(data, "stderr").orElse(""), integer(data, "exit_code"),
                text(data, "reason"), bool(data, "truncated"), text(data, "sandbox"),
                durationMs.map(Duration::ofMillis));
    }

    static SandboxInfo sandboxInfo(JsonNode data) {
        object(data, "a sandbox");
        return new SandboxInfo(required(data, "name"), text(data, "status").orElse("unknown"),
                text(data, "backend").orElse("unknown"), text(data, "image"), number(data, "vcpus"),
                optionalLong(data, "memory_mb").orElse(0L), text(data, "profile").flatMap(Profile::fromId),
                bool(data, "network"), instant(data, "created_at"), text(data, "dir"),
                optionalLong(data, "disk_mb").map(OptionalLong::of).orElse(OptionalLong.empty()),
                optionalLong(data, "disk_used_mb").map(OptionalLong::of).orElse(OptionalLong.empty()));
    }

    /** The {@code session} of an attach response. */
    static String sessionId(JsonNode data) {
        object(data, "an interactive session");
        return required(data, "session");
    }

    static List<SandboxInfo> sandboxInfos(JsonNode data) {
        return list(data, "the sandboxes", Wire::sandboxInfo);
    }

    static FileContent fileContent(JsonNode data) {
        object(data, "a file");
        String encoding = text(data, "encoding").orElse("utf8");
        FileContent.Encoding e = switch (encoding) {
            case "utf8", "utf-8" -> FileContent.Encoding.UTF8;
            case "base64" -> FileContent.Encoding.BASE64;
            default -> throw new MalformedException("unknown file encoding '" + encoding + "'");
        };
        String content = required(data, "content");
        long size = optionalLong(data, "size").orElse(-1L);
        if (size < 0) {
            size = new FileContent(content, e, 0).bytes().length;
        }
        return new FileContent(content, e, size);
    }

    static List<AuditEvent> auditEvents(JsonNode data) {
        return list(data, "the audit events", Wire::auditEvent);
    }

    static AuditEvent auditEvent(JsonNode data) {
        object(data, "an audit event");
        Instant timestamp = instant(data, "timestamp")
                .orElseThrow(() -> new MalformedException("an audit event has no timestamp"));
        Map<String, Object> details = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = data.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            switch (field.getKey()) {
                case "timestamp", "event", "sandbox" -> {
                }
                default -> details.put(field.getKey(), plain(field.getValue()));
            }
        }
        return new AuditEvent(timestamp, required(data, "event"), text(data, "sandbox"), details);
    }

    static List<BatchResult> batchResults(JsonNode data) {
        object(data, "a batch result");
        return list(data.get("results"), "the batch results", entry -> {
            object(entry, "a batch entry");
            Optional<String> error = text(entry, "error");
            if (error.isPresent()) {
                return new BatchResult.Failed(error.get());
            }
            return new BatchResult.Completed(runResult(entry));
        });
    }

    static ServerStatus serverStatus(JsonNode data) {
        object(data, "the status");
        JsonNode runs = data.path("runs");
        JsonNode pool = data.path("pool");
        JsonNode boxes = data.path("sandboxes");
        JsonNode images = data.path("images");
        return new ServerStatus(text(data, "version").orElse("unknown"),
                Duration.ofMillis(optionalLong(data, "uptime_ms").orElse(0L)), text(data, "backend").orElse("unknown"),
                new ServerStatus.Runs(integer(runs, "running"), integer(runs, "max")),
                new ServerStatus.Pool(bool(pool, "enabled"), integer(pool, "target_per_key"),
                        optionalLong(pool, "served").orElse(0L), optionalLong(pool, "missed").orElse(0L)),
                new ServerStatus.SandboxCounts(integer(boxes, "total"), integer(boxes, "running"),
                        integer(boxes, "stopped")),
                images.isObject() ? new ServerStatus.ImageStoreUsage(optionalLong(images, "images").orElse(0L),
                        optionalLong(images, "layers").orElse(0L), optionalLong(images, "bytes").orElse(0L))
                        : ServerStatus.ImageStoreUsage.UNKNOWN);
    }

    static CodeResult codeResult(JsonNode data) {
        object(data, "a code result");
        Optional<CodeError> error = Optional.empty();
        JsonNode e = data.get("error");
        if (e != null && !e.isNull()) {
            object(e, "a code error");
            error = Optional.of(new CodeError(text(e, "type").orElse("Error"), text(e, "message").orElse(""),
                    text(e, "traceback").orElse("")));
        }
        boolean success = data.has("success") ? bool(data, "success") : error.isEmpty();
        return new CodeResult(required(data, "session_id"), text(data, "template").orElse(""),
                text(data, "flavor").orElse(""), bool(data, "session_created"), bool(data, "state_lost"),
                text(data, "stdout").orElse(""), text(data, "stderr").orElse(""), success, error,
                Duration.ofMillis(optionalLong(data, "execution_time_ms").orElse(0L)));
    }

    static SessionInfo sessionInfo(JsonNode data) {
        object(data, "a code session");
        JsonNode volumes = data.get("volumes");
        List<String> mounts = volumes == null || volumes.isNull() ? List.of()
                : list(volumes, "the volumes", v -> {
                    if (!v.isTextual()) {
                        throw new MalformedException("a volume is not a string: " + abbreviate(v.toString()));
                    }
                    return v.asText();
                });
        return new SessionInfo(required(data, "session_id"), text(data, "template").orElse(""),
                text(data, "flavor").orElse(""), number(data, "cpus"), optionalLong(data, "memory_mb").orElse(0L),
                text(data, "state").orElse("unknown"), optionalLong(data, "executions").orElse(0L),
                instant(data, "created_at"), instant(data, "last_used_at"), seconds(data, "age_seconds"),
                seconds(data, "idle_seconds"), mounts);
    }

    /** {@code {"sessions": [...]}} of {@code GET /sessions}. */
    static List<SessionInfo> sessionInfos(JsonNode data) {
        object(data, "the sessions");
        return list(data.get("sessions"), "the sessions", Wire::sessionInfo);
    }

    static SessionStats sessionStats(JsonNode data) {
        object(data, "the session statistics");
        Map<String, Integer> byTemplate = new LinkedHashMap<>();
        JsonNode templates = data.get("by_template");
        if (templates != null && !templates.isNull()) {
            object(templates, "by_template");
            for (Map.Entry<String, JsonNode> t : templates.properties()) {
                byTemplate.put(t.getKey(), integer(templates, t.getKey()));
            }
        }
        Map<String, SessionStats.Pool> pool = new LinkedHashMap<>();
        JsonNode pools = data.get("pool");
        if (pools != null && !pools.isNull()) {
            object(pools, "pool");
            for (Map.Entry<String, JsonNode> p : pools.properties()) {
                object(p.getValue(), "the pool of " + p.getKey());
                pool.put(p.getKey(), new SessionStats.Pool(integer(p.getValue(), "ready"),
                        integer(p.getValue(), "starting")));
            }
        }
        JsonNode sessions = data.get("sessions");
        return new SessionStats(integer(data, "active_sessions"), integer(data, "max_sessions"),
                optionalLong(data, "memory_allocated_mb").orElse(0L), optionalLong(data, "max_total_memory_mb").orElse(0L),
                seconds(data, "session_timeout_seconds"), byTemplate, pool,
                maintenance(data.has("maintenance") ? data.get("maintenance") : MAPPER.createObjectNode()),
                sessions == null || sessions.isNull() ? List.of() : list(sessions, "the sessions", Wire::sessionInfo));
    }

    /** The {@code maintenance} object of {@code /stats}, also the answer of pause and resume. */
    static SessionStats.Maintenance maintenance(JsonNode data) {
        object(data, "the maintenance");
        return new SessionStats.Maintenance(bool(data, "paused"), seconds(data, "interval_seconds"),
                optionalLong(data, "runs").orElse(0L), instant(data, "last_run_at"),
                optionalLong(data, "expired_total").orElse(0L), optionalLong(data, "evicted_total").orElse(0L),
                optionalLong(data, "orphans_removed_total").orElse(0L));
    }

    static TaskInfo taskInfo(JsonNode data) {
        object(data, "a task");
        String status = required(data, "status");
        TaskStatus parsed;
        try {
            parsed = TaskStatus.fromId(status);
        } catch (IllegalArgumentException e) {
            throw new MalformedException(e.getMessage());
        }
        JsonNode tools = data.get("required_tools");
        List<String> required = tools == null || tools.isNull() ? List.of() : list(tools, "the required tools", t -> {
            if (!t.isTextual()) {
                throw new MalformedException("a required tool is not a string: " + abbreviate(t.toString()));
            }
            return t.asText();
        });
        return new TaskInfo(required(data, "task_id"), parsed, bool(data, "queued"), text(data, "output").orElse(""),
                text(data, "error"), optionalLong(data, "exit_code").map(Long::intValue), integer(data, "attempts"),
                text(data, "template").orElse(""), seconds(data, "timeout"), bool(data, "verbose"), required,
                text(data, "code"), instant(data, "created_at"), instant(data, "started_at"),
                instant(data, "finished_at"));
    }

    /** {@code {"tasks": [...]}} of {@code GET /tasks}. */
    static List<TaskInfo> taskInfos(JsonNode data) {
        object(data, "the tasks");
        return list(data.get("tasks"), "the tasks", Wire::taskInfo);
    }

    /** {@code {"success", "message", "task"}} of {@code POST /tasks/{id}/cancel}. */
    static Cancellation cancellation(JsonNode data) {
        object(data, "a cancellation");
        return new Cancellation(bool(data, "success"), text(data, "message").orElse(""), taskInfo(data.get("task")));
    }

    /** {@code {"tools_dir", "libraries": [...]}} of {@code GET /tools}. */
    static ToolCatalog toolCatalog(JsonNode data) {
        object(data, "the tools");
        return new ToolCatalog(text(data, "tools_dir"), list(data.get("libraries"), "the tool libraries", l -> {
            object(l, "a tool library");
            JsonNode functions = l.get("functions");
            return new ToolLibrary(required(l, "name"), text(l, "language").orElse(""),
                    text(l, "description").orElse(""), functions == null || functions.isNull() ? List.of()
                    : list(functions, "the functions", f -> {
                        object(f, "a tool function");
                        return new ToolFunction(required(f, "name"), text(f, "signature").orElse(""),
                                text(f, "description").orElse(""));
                    }));
        }));
    }

    /**
     * The event of one SSE frame, or empty for a type this client does not know (skipped, as the
     * published clients do).
     */
    static Optional<StreamEvent> streamEvent(String type, String data) {
        if (!List.of("started", "progress", "output", "done", "error").contains(type)) {
            return Optional.empty();
        }
        JsonNode parsed;
        try {
            parsed = MAPPER.readTree(data);
        } catch (IOException e) {
            parsed = null;
        }
        if (parsed == null || !parsed.isObject()) {
            if (type.equals("error")) {
                return Optional.of(new StreamEvent.Error(data)); // a plain-text message is still a message
            }
            throw new MalformedException("the data of a '" + type + "' event is not a JSON object: " + abbreviate(data));
        }
        JsonNode json = parsed;
        return Optional.of(switch (type) {
            case "started" -> new StreamEvent.Started(text(json, "sandbox").orElse(""));
            case "progress" -> new StreamEvent.Progress(text(json, "stage").orElse(""));
            case "output" -> new StreamEvent.Output(text(json, "stream").orElse("stdout"),
                    text(json, "data").or(() -> text(json, "content")).orElse(""));
            case "done" -> new StreamEvent.Done(integer(json, "exit_code"), text(json, "reason"));
            default -> new StreamEvent.Error(text(json, "message").or(() -> text(json, "error"))
                    .orElse("the run failed without a message"));
        });
    }

    /** {@code {"image": ..., "policy": ...}}, as {@code /images/pull} takes it. */
    static ObjectNode pullRequest(String reference, PullPolicy policy) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("image", reference);
        body.put("policy", policy.id());
        return body;
    }

    static ImageInfo imageInfo(JsonNode data) {
        object(data, "an image");
        return new ImageInfo(required(data, "reference"), text(data, "digest").orElse(""),
                text(data, "platform").orElse(""), optionalLong(data, "size").orElse(0L), integer(data, "layers"),
                instant(data, "stored_at"));
    }

    static List<ImageInfo> imageInfos(JsonNode data) {
        object(data, "the image list");
        return list(data.get("images"), "images", Wire::imageInfo);
    }

    /** A progress event of a pull; empty for the end events and unknown ones. */
    static Optional<ImagePullEvent> imagePullEvent(String event, JsonNode data) {
        switch (event) {
            case "resolved":
                object(data, "a resolved event");
                return Optional.of(new ImagePullEvent.Resolved(required(data, "reference"), required(data, "digest"),
                        integer(data, "layers")));
            case "progress":
                object(data, "a progress event");
                return Optional.of(new ImagePullEvent.Progress(required(data, "layer"),
                        optionalLong(data, "bytes_done").orElse(0L), optionalLong(data, "bytes_total").orElse(0L)));
            case "layer":
                object(data, "a layer event");
                return Optional.of(new ImagePullEvent.LayerDone(required(data, "layer"),
                        optionalLong(data, "bytes_fetched").orElse(0L), bool(data, "already_stored")));
            default:
                return Optional.empty();
        }
    }

    // ---- field access -------------------------------------------------------------------

    private static void object(JsonNode node, String what) {
        if (node == null || !node.isObject()) {
            throw new MalformedException(what + " is not a JSON object: " + abbreviate(String.valueOf(node)));
        }
    }

    private static <T> List<T> list(JsonNode node, String what, java.util.function.Function<JsonNode, T> item) {
        if (node == null || !node.isArray()) {
            throw new MalformedException(what + " are not a JSON array: " + abbreviate(String.valueOf(node)));
        }
        List<T> out = new ArrayList<>(node.size());
        for (JsonNode n : node) {
            out.add(item.apply(n));
        }
        return Collections.unmodifiableList(out);
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw new MalformedException(field + " is not a string: " + abbreviate(v.toString()));
        }
        return Optional.of(v.asText());
    }

    private static String required(JsonNode node, String field) {
        return text(node, field).orElseThrow(() -> new MalformedException(field + " is missing"));
    }

    private static Optional<Long> optionalLong(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new MalformedException(field + " is not a whole number: " + abbreviate(v.toString()));
        }
        return Optional.of(v.asLong());
    }

    private static int integer(JsonNode node, String field) {
        return (int) optionalLong(node, field).orElse(0L).longValue();
    }

    private static double number(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isNumber()) {
            throw new MalformedException(field + " is not a number: " + abbreviate(v.toString()));
        }
        return v.asDouble();
    }

    /** A number of seconds (whole or not) as a duration, to the millisecond; zero when absent. */
    private static Duration seconds(JsonNode node, String field) {
        double value = number(node, field);
        if (value < 0 || value > Long.MAX_VALUE / 1000.0) {
            throw new MalformedException(field + " is not a number of seconds: " + value);
        }
        return Duration.ofMillis(Math.round(value * 1000));
    }

    private static boolean bool(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new MalformedException(field + " is not true or false: " + abbreviate(v.toString()));
        }
        return v.asBoolean();
    }

    private static Optional<Instant> instant(JsonNode node, String field) {
        Optional<String> text = text(node, field);
        try {
            return text.map(Instant::parse);
        } catch (DateTimeParseException e) {
            throw new MalformedException(field + " is not an ISO-8601 instant: " + text.get());
        }
    }

    /** A JSON value as plain Java: String, Long/Double/BigInteger/BigDecimal, Boolean, List, Map or null. */
    private static Object plain(JsonNode value) {
        return MAPPER.convertValue(value, Object.class);
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
