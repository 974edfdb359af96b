package dev.agentkernel.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.api.AttachOpened;
import dev.agentkernel.api.AttachRequest;
import dev.agentkernel.api.AuditEventView;
import dev.agentkernel.api.BadRequestException;
import dev.agentkernel.api.BatchItem;
import dev.agentkernel.api.BatchRequest;
import dev.agentkernel.api.CommandEvent;
import dev.agentkernel.api.CommandResult;
import dev.agentkernel.api.CreateSandboxRequest;
import dev.agentkernel.api.DispatchTaskRequest;
import dev.agentkernel.api.ExecRequest;
import dev.agentkernel.api.ExecuteCodeRequest;
import dev.agentkernel.api.ExtendRequest;
import dev.agentkernel.api.FilesWritten;
import dev.agentkernel.api.ImageList;
import dev.agentkernel.api.ImageView;
import dev.agentkernel.api.MaintenanceView;
import dev.agentkernel.api.PullImageRequest;
import dev.agentkernel.api.SandboxExtended;
import dev.agentkernel.api.SandboxView;
import dev.agentkernel.api.SessionList;
import dev.agentkernel.api.SessionStatsView;
import dev.agentkernel.api.SessionView;
import dev.agentkernel.api.StatusView;
import dev.agentkernel.api.TaskCancellation;
import dev.agentkernel.api.TaskList;
import dev.agentkernel.api.TaskView;
import dev.agentkernel.api.ToolLibraryView;
import dev.agentkernel.api.ToolSearchResult;
import dev.agentkernel.api.WaitRequest;
import dev.agentkernel.api.WireJson;
import dev.agentkernel.api.WriteFileRequest;
import dev.agentkernel.api.WriteFilesRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Between the SDK's types and the wire contract's records ({@code dev.agentkernel.api}): request
 * records from options, the SDK's results from answer records. The JSON is {@link WireJson}'s
 * alone: answers are read leniently about fields a server leaves out (they become empty, 0 or false)
 * and strictly about fields of the wrong type ({@link MalformedException} naming the field); a
 * request the contract refuses fails before it is sent, as the server would answer it
 * ({@link ValidationException}). Package-private.
 */
final class Wire {

    /** How the SDK asks for output: the exact bytes, base64 ({@code output_encoding}). */
    static final String BASE64 = "base64";

    /** The body of a {@code POST} that takes no fields: {@code {}}. */
    static final Map<String, Object> NO_FIELDS = Map.of();

    private Wire() {
    }

    /** Response data that is not what the API documents. */
    static final class MalformedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message);
        }
    }

    // ---- requests -----------------------------------------------------------------------

    /**
     * {@code /run} (the output's exact bytes) or {@code /run/stream} (text: a stream's output events
     * are text), and each entry of {@code /batch/run}.
     */
    static dev.agentkernel.api.RunRequest runRequest(List<String> command, RunOptions options, boolean exactBytes) {
        return request(() -> new dev.agentkernel.api.RunRequest(List.copyOf(command), options.image().orElse(null),
                options.profile().map(Profile::id).orElse(null), seconds(options.timeout()), env(options.env()),
                options.fast(), options.sudo(), options.pull().map(PullPolicy::id).orElse(null),
                exactBytes ? BASE64 : null, options.backend().orElse(null), options.networkPolicy().orElse(null)));
    }

    static BatchRequest batchRequest(List<BatchCommand> commands) {
        List<dev.agentkernel.api.RunRequest> all = new ArrayList<>(commands.size());
        for (BatchCommand c : commands) {
            all.add(runRequest(c.command(), c.options(), true));
        }
        return request(() -> new BatchRequest(all));
    }

    static CreateSandboxRequest createRequest(String name, SandboxOptions options) {
        Integer vcpus = null;
        if (options.vcpus().isPresent()) {
            double v = options.vcpus().getAsDouble();
            if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
                throw new ValidationException(400, "vcpus must be a whole number of CPUs, e.g. 1 or 2, not " + v);
            }
            vcpus = (int) v;
        }
        Integer cpus = vcpus;
        return request(() -> new CreateSandboxRequest(name, options.image().orElse(null),
                options.profile().map(Profile::id).orElse(null), cpus, boxed(options.memoryMb()),
                boxed(options.diskMb()), options.network().orElse(null), options.dir().orElse(null),
                options.pull().map(PullPolicy::id).orElse(null), options.backend().orElse(null),
                options.ttl().map(t -> Long.toString(t.toSeconds())).orElse(null), options.snapshot().orElse(null),
                null, options.networkPolicy().orElse(null), options.secrets(), options.secretFiles(),
                options.secretsInBody(), options.sourceUrl().orElse(null), options.sourceRef().orElse(null)));
    }

    /** {@code POST /sandboxes/{name}/extend}: whole seconds, at least one. */
    static ExtendRequest extendRequest(Duration by) {
        java.util.Objects.requireNonNull(by, "by");
        return request(() -> new ExtendRequest(Long.toString(Math.max(1, by.toSeconds()))));
    }

    /** {@code POST /sandboxes/{name}/files}: text files, relative paths under {@code /workspace}. */
    static WriteFilesRequest filesRequest(Map<String, String> files) {
        java.util.Objects.requireNonNull(files, "files");
        return request(() -> new WriteFilesRequest(files, "utf8"));
    }

    /** The expiry of an extended sandbox, if it has one. */
    static Optional<Instant> expiry(JsonNode data) {
        SandboxExtended extended = read(data, SandboxExtended.class);
        return extended.expiresAt() == null ? Optional.empty() : instant(extended.expiresAt(), "expires_at");
    }

    /** How many files a request wrote. */
    static int filesWritten(JsonNode data) {
        return read(data, FilesWritten.class).written();
    }

    // ---- named volumes (issue 15, point 6) ----

    /** {@code POST /sandboxes} with volumes ({@code NAME:/path} or {@code NAME:/path:ro}). */
    static CreateSandboxRequest createRequest(String name, SandboxOptions options, List<String> volumes) {
        CreateSandboxRequest r = createRequest(name, options);
        List<String> copy = List.copyOf(volumes);
        return request(() -> new CreateSandboxRequest(r.name(), r.image(), r.profile(), r.vcpus(), r.memoryMb(),
                r.diskMb(), r.network(), r.dir(), r.pull(), r.backend(), r.ttl(), r.snapshot(), copy, r.networkPolicy(),
                r.secrets(), r.secretFiles(), r.secretsInBody(), r.sourceUrl(), r.sourceRef()));
    }

    static dev.agentkernel.api.CreateVolumeRequest volumeRequest(String name, OptionalLong sizeMb) {
        return request(() -> new dev.agentkernel.api.CreateVolumeRequest(name, boxed(sizeMb)));
    }

    static VolumeInfo volumeInfo(JsonNode data) {
        return volumeInfo(read(data, dev.agentkernel.api.VolumeView.class));
    }

    static List<VolumeInfo> volumeInfos(JsonNode data) {
        return map(read(data, dev.agentkernel.api.VolumeList.class).volumes(), Wire::volumeInfo);
    }

    private static VolumeInfo volumeInfo(dev.agentkernel.api.VolumeView v) {
        return new VolumeInfo(required(v.name(), "name"), v.sizeMb(), v.limited(), optionalLong(v.usedMb()),
                optionalLong(v.availableMb()), v.inUse(), map(v.mounts(), m -> new VolumeInfo.Mount(
                        required(m.sandbox(), "mounts[].sandbox"), required(m.path(), "mounts[].path"), m.readOnly())),
                instant(v.createdAt(), "created_at"));
    }

    // ---- secrets (issue 16) ----

    static dev.agentkernel.api.SetSecretRequest secretRequest(String value) {
        return request(() -> new dev.agentkernel.api.SetSecretRequest(value));
    }

    static SecretInfo secretInfo(JsonNode data) {
        return secretInfo(read(data, dev.agentkernel.api.SecretView.class));
    }

    static List<SecretInfo> secretInfos(JsonNode data) {
        return map(read(data, dev.agentkernel.api.SecretList.class).secrets(), Wire::secretInfo);
    }

    private static SecretInfo secretInfo(dev.agentkernel.api.SecretView v) {
        return new SecretInfo(required(v.name(), "name"), instant(v.createdAt(), "created_at"),
                instant(v.updatedAt(), "updated_at"));
    }

    /** {@code /sandboxes/{name}/exec} (the output's exact bytes) or {@code /exec/stream} (text). */
    static ExecRequest execRequest(List<String> command, ExecOptions options, boolean exactBytes) {
        return request(() -> new ExecRequest(List.copyOf(command), env(options.env()), options.workdir().orElse(null),
                seconds(options.timeout()), options.sudo(), exactBytes ? BASE64 : null));
    }

    static AttachRequest attachRequest(AttachOptions options) {
        return request(() -> new AttachRequest(options.command().isEmpty() ? null : options.command(),
                env(options.env()), options.workdir().orElse(null), options.rows(), options.cols()));
    }

    static WriteFileRequest textFile(String text) {
        return request(() -> new WriteFileRequest(text, "utf8"));
    }

    static ExecuteCodeRequest executeRequest(String code, CodeOptions options) {
        java.util.Objects.requireNonNull(code, "code");
        return request(() -> new ExecuteCodeRequest(code, options.template().orElse(null),
                options.sessionId().orElse(null), options.flavor().orElse(null), seconds(options.timeout()),
                options.volumes(), options.backend().orElse(null)));
    }

    static DispatchTaskRequest taskRequest(String code, TaskOptions options) {
        java.util.Objects.requireNonNull(code, "code");
        return request(() -> new DispatchTaskRequest(code, null, options.template().orElse(null),
                seconds(options.timeout()), options.verbose(),
                options.requiredTools().isEmpty() ? null : options.requiredTools(), options.image().orElse(null),
                options.pull().map(PullPolicy::id).orElse(null), options.backend().orElse(null)));
    }

    static WaitRequest waitRequest(Duration wait) {
        return request(() -> new WaitRequest(seconds(Optional.of(wait))));
    }

    static PullImageRequest pullRequest(String reference, PullPolicy policy) {
        return request(() -> new PullImageRequest(reference, policy.id()));
    }

    /** A request record, or the refusal the server would answer for it. */
    private static <T> T request(Supplier<T> record) {
        try {
            return record.get();
        } catch (BadRequestException e) {
            throw AgentKernelException.forStatus(e.code().status(), e.code().wire(), e.getMessage());
        }
    }

    /** Seconds with millisecond precision (at least 1 ms), or null. */
    private static Double seconds(Optional<Duration> t) {
        return t.map(d -> Math.max(1, d.toMillis()) / 1000.0).orElse(null);
    }

    private static List<String> env(Map<String, String> env) {
        return env.isEmpty() ? null : EnvVars.assignments(env);
    }

    private static Long boxed(OptionalLong value) {
        return value.isPresent() ? value.getAsLong() : null;
    }

    // ---- answers ------------------------------------------------------------------------

    /** {@code data} as the contract's {@code type}, or the {@link MalformedException} naming the field. */
    static <T> T read(JsonNode data, Class<T> type) {
        if (data == null || data.isNull() || data.isMissingNode()) {
            throw new MalformedException("the answer has no data");
        }
        try {
            return WireJson.answer(data, type);
        } catch (BadRequestException e) {
            throw new MalformedException(e.getMessage());
        }
    }

    /** {@code POST /run}. */
    static RunResult runResult(JsonNode data) {
        dev.agentkernel.api.RunResult r = read(data, dev.agentkernel.api.RunResult.class);
        return runResult(r.output(), r.stdout(), r.stderr(), r.encoding(), r.exitCode(), r.reason(), r.truncated(),
                Optional.ofNullable(r.sandbox()), Optional.of(Duration.ofMillis(r.durationMs())));
    }

    /** {@code POST /sandboxes/{name}/exec}. */
    static RunResult commandResult(JsonNode data) {
        CommandResult r = read(data, CommandResult.class);
        return runResult(r.output(), r.stdout(), r.stderr(), r.encoding(), r.exitCode(), r.reason(), r.truncated(),
                Optional.empty(), Optional.empty());
    }

    static List<BatchResult> batchResults(JsonNode data) {
        List<BatchResult> out = new ArrayList<>();
        for (BatchItem i : read(data, dev.agentkernel.api.BatchResult.class).results()) {
            out.add(i.error() != null ? new BatchResult.Failed(i.error())
                    : new BatchResult.Completed(runResult(i.output(), i.stdout(), i.stderr(), i.encoding(),
                    i.exitCode() == null ? 0 : i.exitCode(), i.reason(), i.truncated(), Optional.ofNullable(i.sandbox()),
                    Optional.ofNullable(i.durationMs()).map(Duration::ofMillis))));
        }
        return Collections.unmodifiableList(out);
    }

    /** A result from the answer's output fields: text, or the exact bytes as base64. */
    private static RunResult runResult(String output, String stdout, String stderr, String encoding, int exitCode,
                                       String reason, Boolean truncated, Optional<String> sandbox,
                                       Optional<Duration> duration) {
        byte[] all;
        byte[] out;
        byte[] err;
        if (encoding == null || encoding.equals("utf8")) {
            all = utf8(output);
            out = utf8(stdout);
            err = utf8(stderr);
        } else if (encoding.equals(BASE64)) {
            all = base64(output, "output");
            out = base64(stdout, "stdout");
            err = base64(stderr, "stderr");
        } else {
            throw new MalformedException("encoding is not utf8 or base64: " + encoding);
        }
        return new RunResult(text(all), text(out), text(err), exitCode, Optional.ofNullable(reason),
                Boolean.TRUE.equals(truncated), sandbox, duration, all, out, err);
    }

    private static byte[] utf8(String text) {
        return text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] base64(String value, String field) {
        try {
            return value == null ? new byte[0] : Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new MalformedException(field + " is not base64: " + e.getMessage());
        }
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static SandboxInfo sandboxInfo(JsonNode data) {
        return sandboxInfo(read(data, SandboxView.class));
    }

    private static SandboxInfo sandboxInfo(SandboxView s) {
        return new SandboxInfo(required(s.name(), "name"), or(s.status(), "unknown"), or(s.backend(), "unknown"),
                Optional.ofNullable(s.image()), s.vcpus(), s.memoryMb(),
                Optional.ofNullable(s.profile()).flatMap(Profile::fromId), s.network(), instant(s.createdAt(), "created_at"),
                Optional.ofNullable(s.dir()), optionalLong(s.diskMb()), optionalLong(s.diskUsedMb()),
                Optional.ofNullable(s.uuid()), s.expiresAt() == null ? Optional.empty() : instant(s.expiresAt(), "expires_at"),
                s.volumes());
    }

    static List<SandboxInfo> sandboxInfos(JsonNode data) {
        return map(List.of(read(data, SandboxView[].class)), Wire::sandboxInfo);
    }

    /** The {@code session} of an attach answer. */
    static String sessionId(JsonNode data) {
        return required(read(data, AttachOpened.class).session(), "session");
    }

    static FileContent fileContent(JsonNode data) {
        dev.agentkernel.api.FileContent f = read(data, dev.agentkernel.api.FileContent.class);
        String encoding = or(f.encoding(), "utf8");
        FileContent.Encoding e;
        switch (encoding) {
            case "utf8":
            case "utf-8":
                e = FileContent.Encoding.UTF8;
                break;
            case "base64":
                e = FileContent.Encoding.BASE64;
                break;
            default:
                throw new MalformedException("unknown file encoding '" + encoding + "'");
        }
        String content = required(f.content(), "content");
        long size = f.size() > 0 || content.isEmpty() ? f.size() : new FileContent(content, e, 0).bytes().length;
        return new FileContent(content, e, size);
    }

    static List<AuditEvent> auditEvents(JsonNode data) {
        return map(List.of(read(data, AuditEventView[].class)), a -> new AuditEvent(
                instant(a.timestamp(), "timestamp")
                        .orElseThrow(() -> new MalformedException("an audit event has no timestamp")),
                required(a.event(), "event"), Optional.ofNullable(a.sandbox()), a.details()));
    }

    static ServerStatus serverStatus(JsonNode data) {
        StatusView s = read(data, StatusView.class);
        StatusView.Runs runs = s.runs() == null ? new StatusView.Runs(0, 0) : s.runs();
        StatusView.Pool pool = s.pool() == null ? StatusView.Pool.DISABLED : s.pool();
        StatusView.Sandboxes boxes = s.sandboxes() == null ? new StatusView.Sandboxes(0, 0, 0) : s.sandboxes();
        return new ServerStatus(or(s.version(), "unknown"), Duration.ofMillis(s.uptimeMs()), or(s.backend(), "unknown"),
                new ServerStatus.Runs(runs.running(), runs.max()),
                new ServerStatus.Pool(pool.enabled(), or(pool.targetPerKey(), 0), or(pool.served(), 0L),
                        or(pool.missed(), 0L)),
                new ServerStatus.SandboxCounts(boxes.total(), boxes.running(), boxes.stopped()),
                s.images() == null ? ServerStatus.ImageStoreUsage.UNKNOWN
                        : new ServerStatus.ImageStoreUsage(s.images().images(), s.images().layers(), s.images().bytes()));
    }

    static CodeResult codeResult(JsonNode data) {
        dev.agentkernel.api.CodeResult c = read(data, dev.agentkernel.api.CodeResult.class);
        Optional<CodeError> error = Optional.ofNullable(c.error()).map(e -> new CodeError(or(e.type(), "Error"),
                or(e.message(), ""), or(e.traceback(), "")));
        return new CodeResult(required(c.sessionId(), "session_id"), or(c.template(), ""), or(c.flavor(), ""),
                c.sessionCreated(), c.stateLost(), or(c.stdout(), ""), or(c.stderr(), ""), c.success(), error,
                Duration.ofMillis(c.executionTimeMs()));
    }

    static SessionInfo sessionInfo(JsonNode data) {
        return sessionInfo(read(data, SessionView.class));
    }

    private static SessionInfo sessionInfo(SessionView s) {
        return new SessionInfo(required(s.sessionId(), "session_id"), or(s.template(), ""), or(s.flavor(), ""), s.cpus(),
                s.memoryMb(), or(s.state(), "unknown"), s.executions(), instant(s.createdAt(), "created_at"),
                instant(s.lastUsedAt(), "last_used_at"), Duration.ofSeconds(s.ageSeconds()),
                Duration.ofSeconds(s.idleSeconds()), s.volumes());
    }

    /** {@code {"sessions": [...]}} of {@code GET /sessions}. */
    static List<SessionInfo> sessionInfos(JsonNode data) {
        return map(read(data, SessionList.class).sessions(), Wire::sessionInfo);
    }

    static SessionStats sessionStats(JsonNode data) {
        SessionStatsView s = read(data, SessionStatsView.class);
        Map<String, SessionStats.Pool> pool = new LinkedHashMap<>();
        if (s.pool() != null) {
            s.pool().forEach((template, p) -> pool.put(template, p == null ? new SessionStats.Pool(0, 0)
                    : new SessionStats.Pool(p.ready(), p.starting())));
        }
        return new SessionStats(s.activeSessions(), s.maxSessions(), s.memoryAllocatedMb(), s.maxTotalMemoryMb(),
                Duration.ofSeconds(s.sessionTimeoutSeconds()), s.byTemplate() == null ? Map.of() : s.byTemplate(), pool,
                maintenance(s.maintenance() == null ? new MaintenanceView(false, 0, 0, null, 0, 0, 0) : s.maintenance()),
                s.sessions() == null ? List.of() : map(s.sessions(), Wire::sessionInfo));
    }

    /** The answer of pause and resume, also the {@code maintenance} of {@code /stats}. */
    static SessionStats.Maintenance maintenance(JsonNode data) {
        return maintenance(read(data, MaintenanceView.class));
    }

    private static SessionStats.Maintenance maintenance(MaintenanceView m) {
        return new SessionStats.Maintenance(m.paused(), Duration.ofSeconds(m.intervalSeconds()), m.runs(),
                instant(m.lastRunAt(), "last_run_at"), m.expiredTotal(), m.evictedTotal(), m.orphansRemovedTotal());
    }

    static TaskInfo taskInfo(JsonNode data) {
        return taskInfo(read(data, TaskView.class));
    }

    private static TaskInfo taskInfo(TaskView t) {
        TaskStatus status;
        try {
            status = TaskStatus.fromId(required(t.status(), "status"));
        } catch (IllegalArgumentException e) {
            throw new MalformedException(e.getMessage());
        }
        if (!(t.timeout() >= 0) || t.timeout() > Long.MAX_VALUE / 1000.0) {
            throw new MalformedException("timeout is not a number of seconds: " + t.timeout());
        }
        return new TaskInfo(required(t.taskId(), "task_id"), status, t.queued(), or(t.output(), ""),
                Optional.ofNullable(t.error()), Optional.ofNullable(t.exitCode()), t.attempts(), or(t.template(), ""),
                Duration.ofMillis(Math.round(t.timeout() * 1000)), t.verbose(), t.requiredTools(),
                Optional.ofNullable(t.code()), instant(t.createdAt(), "created_at"), instant(t.startedAt(), "started_at"),
                instant(t.finishedAt(), "finished_at"));
    }

    /** {@code {"tasks": [...]}} of {@code GET /tasks}. */
    static List<TaskInfo> taskInfos(JsonNode data) {
        return map(read(data, TaskList.class).tasks(), Wire::taskInfo);
    }

    /** {@code {"success", "message", "task"}} of {@code POST /tasks/{id}/cancel}. */
    static Cancellation cancellation(JsonNode data) {
        TaskCancellation c = read(data, TaskCancellation.class);
        return new Cancellation(c.success(), or(c.message(), ""), taskInfo(required(c.task(), "task")));
    }

    /** {@code {"tools_dir", "libraries": [...]}} of {@code GET /tools}. */
    static ToolCatalog toolCatalog(JsonNode data) {
        ToolSearchResult r = read(data, ToolSearchResult.class);
        return new ToolCatalog(Optional.ofNullable(r.toolsDir()), map(r.libraries(), Wire::toolLibrary));
    }

    private static ToolLibrary toolLibrary(ToolLibraryView l) {
        return new ToolLibrary(required(l.name(), "name"), or(l.language(), ""), or(l.description(), ""),
                map(l.functions(), f -> new ToolFunction(required(f.name(), "name"), or(f.signature(), ""),
                        or(f.description(), ""))));
    }

    /**
     * The event of one SSE frame of a command, or empty for a type this client does not know
     * (skipped, as the published clients do).
     */
    static Optional<StreamEvent> streamEvent(String type, String data) {
        switch (type) {
            case "started":
                return Optional.of(new StreamEvent.Started(or(event(type, data, CommandEvent.Started.class).sandbox(), "")));
            case "progress":
                return Optional.of(new StreamEvent.Progress(or(event(type, data, CommandEvent.Progress.class).stage(), "")));
            case "output": {
                CommandEvent.Output o = event(type, data, CommandEvent.Output.class);
                return Optional.of(new StreamEvent.Output(or(o.stream(), "stdout"), or(o.data(), or(o.content(), ""))));
            }
            case "done": {
                CommandEvent.Done d = event(type, data, CommandEvent.Done.class);
                return Optional.of(new StreamEvent.Done(d.exitCode(), Optional.ofNullable(d.reason())));
            }
            case "error": {
                Optional<JsonNode> json = object(data);
                if (json.isEmpty()) {
                    return Optional.of(new StreamEvent.Error(data)); // a plain-text message is still a message
                }
                return Optional.of(new StreamEvent.Error(or(read(json.get(), CommandEvent.Error.class).message(),
                        "the run failed without a message")));
            }
            default:
                return Optional.empty();
        }
    }

    /** {@code images} of {@code GET /images}. */
    static List<ImageInfo> imageInfos(JsonNode data) {
        return map(read(data, ImageList.class).images(), Wire::imageInfo);
    }

    static ImageInfo imageInfo(ImageView i) {
        return new ImageInfo(required(i.reference(), "reference"), or(i.digest(), ""), or(i.platform(), ""), i.size(),
                i.layers(), instant(i.storedAt(), "stored_at"));
    }

    /** A progress event of a pull from its record; the end events are the caller's. */
    static ImagePullEvent imagePullEvent(dev.agentkernel.api.ImagePullEvent.Resolved r) {
        return new ImagePullEvent.Resolved(required(r.reference(), "reference"), required(r.digest(), "digest"),
                r.layers());
    }

    static ImagePullEvent imagePullEvent(dev.agentkernel.api.ImagePullEvent.Progress p) {
        return new ImagePullEvent.Progress(required(p.layer(), "layer"), p.bytesDone(), p.bytesTotal());
    }

    static ImagePullEvent imagePullEvent(dev.agentkernel.api.ImagePullEvent.Layer l) {
        return new ImagePullEvent.LayerDone(required(l.layer(), "layer"), l.bytesFetched(), l.alreadyStored());
    }

    /** The JSON data of an SSE frame as the contract's {@code type}. */
    static <T> T event(String name, String data, Class<T> type) {
        return read(object(data).orElseThrow(() -> new MalformedException("the data of a '" + name
                + "' event is not a JSON object: " + abbreviate(data))), type);
    }

    private static Optional<JsonNode> object(String data) {
        try {
            return Optional.ofNullable(WireJson.mapper().readTree(data)).filter(JsonNode::isObject);
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    // ---- values -------------------------------------------------------------------------

    private static <A, B> List<B> map(List<A> values, Function<A, B> f) {
        List<B> out = new ArrayList<>(values.size());
        for (A v : values) {
            out.add(f.apply(v));
        }
        return Collections.unmodifiableList(out);
    }

    private static <T> T required(T value, String field) {
        if (value == null) {
            throw new MalformedException(field + " is missing");
        }
        return value;
    }

    private static <T> T or(T value, T absent) {
        return value == null ? absent : value;
    }

    private static OptionalLong optionalLong(Long value) {
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    private static Optional<Instant> instant(String value, String field) {
        try {
            return Optional.ofNullable(value).map(Instant::parse);
        } catch (DateTimeParseException e) {
            throw new MalformedException(field + " is not an ISO-8601 instant: " + abbreviate(value));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    // ---- background processes (issue 15, point 3) ----

    /** {@code POST /sandboxes/{name}/exec/detach} (its time limit, if any, is not sent: none applies). */
    static dev.agentkernel.api.DetachRequest detachRequest(List<String> command, ExecOptions options) {
        return request(() -> new dev.agentkernel.api.DetachRequest(List.copyOf(command), env(options.env()),
                options.workdir().orElse(null), options.sudo()));
    }

    static BackgroundProcess backgroundProcess(JsonNode data) {
        return backgroundProcess(read(data, dev.agentkernel.api.DetachedCommand.class));
    }

    static List<BackgroundProcess> backgroundProcesses(JsonNode data) {
        return map(List.of(read(data, dev.agentkernel.api.DetachedCommand[].class)), Wire::backgroundProcess);
    }

    private static BackgroundProcess backgroundProcess(dev.agentkernel.api.DetachedCommand d) {
        String status = required(d.status(), "status");
        return new BackgroundProcess(required(d.id(), "id"), or(d.sandbox(), ""), d.command(), d.pid(),
                BackgroundProcess.Status.fromId(status)
                        .orElseThrow(() -> new MalformedException("unknown background process status '" + abbreviate(status) + "'")),
                Optional.ofNullable(d.exitCode()), Optional.ofNullable(d.signal()), instant(d.startedAt(), "started_at"),
                instant(d.endedAt(), "ended_at"), Optional.ofNullable(d.reason()));
    }

    static BackgroundLogs backgroundLogs(JsonNode data) {
        dev.agentkernel.api.DetachedLogs l = read(data, dev.agentkernel.api.DetachedLogs.class);
        return new BackgroundLogs(Optional.ofNullable(l.stdout()), Optional.ofNullable(l.stderr()),
                l.stdoutDropped() == null ? 0 : l.stdoutDropped(), l.stderrDropped() == null ? 0 : l.stderrDropped());
    }

    /** A message answer ({@code DELETE .../exec/detached/{id}}). */
    static String message(JsonNode data) {
        return data == null || data.isNull() ? "" : data.isTextual() ? data.asText() : data.toString();
    }

    // ---- snapshots and forks (issue 15) ----

    /** {@code POST /snapshots}. */
    static dev.agentkernel.api.TakeSnapshotRequest snapshotRequest(String sandbox, Optional<String> name) {
        return request(() -> new dev.agentkernel.api.TakeSnapshotRequest(sandbox, name.orElse(null)));
    }

    /** {@code POST /snapshots/{name}/restore}: {@code {}} for the sandbox it was taken from. */
    static Object restoreRequest(Optional<String> into) {
        return into.isEmpty() ? NO_FIELDS : request(() -> new dev.agentkernel.api.RestoreSnapshotRequest(into.get()));
    }

    /** {@code POST /sandboxes/{name}/fork} with a count. */
    static dev.agentkernel.api.ForkRequest forkRequest(int count) {
        return request(() -> new dev.agentkernel.api.ForkRequest(count, null));
    }

    /** {@code POST /sandboxes/{name}/fork} with the new sandboxes' names. */
    static dev.agentkernel.api.ForkRequest forkRequest(List<String> names) {
        java.util.Objects.requireNonNull(names, "names");
        if (names.isEmpty()) {
            throw new ValidationException(400, "names must name at least one sandbox, e.g. [\"try-1\", \"try-2\"]");
        }
        return request(() -> new dev.agentkernel.api.ForkRequest(null, List.copyOf(names)));
    }

    static SnapshotInfo snapshotInfo(JsonNode data) {
        return snapshotInfo(read(data, dev.agentkernel.api.SnapshotView.class));
    }

    static List<SnapshotInfo> snapshotInfos(JsonNode data) {
        return map(List.of(read(data, dev.agentkernel.api.SnapshotView[].class)), Wire::snapshotInfo);
    }

    private static SnapshotInfo snapshotInfo(dev.agentkernel.api.SnapshotView s) {
        return new SnapshotInfo(required(s.name(), "name"), or(s.sandbox(), ""), required(s.imageTag(), "image_tag"),
                or(s.backend(), "unknown"), Optional.ofNullable(s.baseImage()), s.vcpus(), s.memoryMb(), s.sizeBytes(),
                instant(s.createdAt(), "created_at"));
    }

    static ForkResult forkResult(JsonNode data) {
        dev.agentkernel.api.ForkResult f = read(data, dev.agentkernel.api.ForkResult.class);
        return new ForkResult(snapshotInfo(required(f.snapshot(), "snapshot")),
                map(required(f.sandboxes(), "sandboxes"), Wire::sandboxInfo));
    }
}
