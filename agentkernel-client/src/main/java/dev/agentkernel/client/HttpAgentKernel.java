package dev.agentkernel.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** {@link AgentKernel} over HTTP: one method, one request. Package-private. */
final class HttpAgentKernel implements AgentKernel {

    private final Transport transport;
    private final boolean owner;

    private HttpAgentKernel(Transport transport, boolean owner) {
        this.transport = transport;
        this.owner = owner;
    }

    static HttpAgentKernel open(ClientSettings settings) {
        return new HttpAgentKernel(Transport.open(settings), true);
    }

    @Override
    public String health() {
        HttpRequest request = transport.request("/health", transport.timeout()).header("Accept", Transport.JSON)
                .GET().build();
        JsonNode json = transport.callRaw(request);
        // {"success": true, "data": "ok"} (the envelope), or {"status": "ok"} (the document's form).
        if (json.path("success").asBoolean(false) && json.path("data").isTextual()) {
            return json.path("data").asText();
        }
        if (json.path("status").isTextual()) {
            return json.path("status").asText();
        }
        if (json.has("success") && !json.path("success").asBoolean(false)) {
            throw new ServerException(200, json.path("error").asText("the daemon reports that it is not healthy"));
        }
        throw new ServerException(200, "the response to GET /health is not the AgentKernel API's: " + json);
    }

    @Override
    public ServerStatus status() {
        return transport.get("/status", Wire::serverStatus);
    }

    @Override
    public RunResult run(List<String> command, RunOptions options) {
        Objects.requireNonNull(options, "options");
        return transport.send("POST", "/run", Wire.runRequest(command, options, true),
                Timeouts.forCommand(transport.timeout(), options.timeout()), Wire::runResult);
    }

    @Override
    public EventStream runStream(List<String> command, RunOptions options) {
        Objects.requireNonNull(options, "options");
        return new HttpEventStream(transport.openEvents("/run/stream", Wire.runRequest(command, options, false)),
                "POST /run/stream " + command);
    }

    @Override
    public List<BatchResult> batchRun(List<BatchCommand> commands) {
        List<Optional<Duration>> timeouts = commands.stream().map(c -> c.options().timeout()).toList();
        return transport.send("POST", "/batch/run", Wire.batchRequest(commands),
                Timeouts.forCommands(transport.timeout(), timeouts), Wire::batchResults);
    }

    @Override
    public List<SandboxInfo> listSandboxes() {
        return transport.get("/sandboxes", Wire::sandboxInfos);
    }

    @Override
    public SandboxInfo createSandbox(String name, SandboxOptions options) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(options, "options");
        return transport.send("POST", "/sandboxes", Wire.createRequest(name, options), transport.timeout(),
                Wire::sandboxInfo);
    }

    @Override
    public SandboxInfo getSandbox(String name) {
        return transport.get(UrlPaths.sandbox(name), Wire::sandboxInfo);
    }

    @Override
    public SandboxInfo getSandboxByUuid(String uuid) {
        Objects.requireNonNull(uuid, "uuid");
        return transport.get("/sandboxes/by-uuid/" + UrlPaths.segment(uuid), Wire::sandboxInfo);
    }

    @Override
    public java.util.Optional<java.time.Instant> extendSandbox(String name, java.time.Duration by) {
        return transport.send("POST", UrlPaths.sandbox(name) + "/extend", Wire.extendRequest(by), transport.timeout(),
                Wire::expiry);
    }

    @Override
    public int writeFiles(String sandbox, java.util.Map<String, String> files) {
        return transport.send("POST", UrlPaths.sandbox(sandbox) + "/files", Wire.filesRequest(files),
                transport.timeout(), Wire::filesWritten);
    }

    @Override
    public SandboxInfo startSandbox(String name) {
        return transport.send("POST", UrlPaths.sandbox(name) + "/start", Wire.NO_FIELDS,
                transport.timeout(), Wire::sandboxInfo);
    }

    @Override
    public SandboxInfo stopSandbox(String name) {
        return transport.send("POST", UrlPaths.sandbox(name) + "/stop", Wire.NO_FIELDS,
                transport.timeout(), Wire::sandboxInfo);
    }

    // ---- pause and resume (issue 15) ----
    @Override
    public SandboxInfo pauseSandbox(String name) {
        return transport.send("POST", UrlPaths.sandbox(name) + "/pause", Wire.NO_FIELDS,
                transport.timeout(), Wire::sandboxInfo);
    }

    @Override
    public SandboxInfo resumeSandbox(String name) {
        return transport.send("POST", UrlPaths.sandbox(name) + "/resume", Wire.NO_FIELDS,
                transport.timeout(), Wire::sandboxInfo);
    }

    @Override
    public void removeSandbox(String name) {
        transport.delete(UrlPaths.sandbox(name), data -> null);
    }

    @Override
    public RunResult execInSandbox(String name, List<String> command, ExecOptions options) {
        Objects.requireNonNull(options, "options");
        return transport.send("POST", UrlPaths.sandbox(name) + "/exec", Wire.execRequest(command, options, true),
                Timeouts.forCommand(transport.timeout(), options.timeout()), Wire::commandResult);
    }

    @Override
    public EventStream execStream(String name, List<String> command, ExecOptions options) {
        Objects.requireNonNull(options, "options");
        String path = UrlPaths.sandbox(name) + "/exec/stream";
        return new HttpEventStream(transport.openEvents(path, Wire.execRequest(command, options, false)),
                "POST " + path + " " + command);
    }

    // ---- background processes (issue 15, point 3) ----

    @Override
    public BackgroundProcess execDetached(String sandbox, List<String> command, ExecOptions options) {
        Objects.requireNonNull(options, "options");
        return transport.send("POST", UrlPaths.sandbox(sandbox) + "/exec/detach", Wire.detachRequest(command, options),
                transport.timeout(), Wire::backgroundProcess);
    }

    @Override
    public List<BackgroundProcess> listDetached(String sandbox) {
        return transport.get(UrlPaths.sandbox(sandbox) + "/exec/detached", Wire::backgroundProcesses);
    }

    @Override
    public BackgroundProcess detached(String sandbox, String id) {
        return transport.get(detachedPath(sandbox, id), Wire::backgroundProcess);
    }

    @Override
    public BackgroundLogs detachedLogs(String sandbox, String id) {
        return transport.get(detachedPath(sandbox, id) + "/logs", Wire::backgroundLogs);
    }

    @Override
    public EventStream followDetached(String sandbox, String id) {
        String path = detachedPath(sandbox, id) + "/logs?follow=true";
        return new HttpEventStream(transport.getEvents(path), "GET " + path);
    }

    @Override
    public String killDetached(String sandbox, String id) {
        return transport.delete(detachedPath(sandbox, id), Wire::message);
    }

    private static String detachedPath(String sandbox, String id) {
        Objects.requireNonNull(id, "id");
        return UrlPaths.sandbox(sandbox) + "/exec/detached/" + UrlPaths.segment(id);
    }

    // ---- snapshots and forks (issue 15) ----

    @Override
    public SnapshotInfo takeSnapshot(String sandbox, Optional<String> name) {
        Objects.requireNonNull(name, "name");
        return transport.send("POST", "/snapshots", Wire.snapshotRequest(sandbox, name), transport.timeout(),
                Wire::snapshotInfo);
    }

    @Override
    public List<SnapshotInfo> listSnapshots() {
        return transport.get("/snapshots", Wire::snapshotInfos);
    }

    @Override
    public SnapshotInfo getSnapshot(String name) {
        return transport.get(snapshotPath(name), Wire::snapshotInfo);
    }

    @Override
    public void deleteSnapshot(String name) {
        transport.delete(snapshotPath(name), data -> null);
    }

    @Override
    public SandboxInfo restoreSnapshot(String name, Optional<String> into) {
        Objects.requireNonNull(into, "into");
        return transport.send("POST", snapshotPath(name) + "/restore", Wire.restoreRequest(into), transport.timeout(),
                Wire::sandboxInfo);
    }

    @Override
    public ForkResult forkSandbox(String name, int count) {
        return transport.send("POST", UrlPaths.sandbox(name) + "/fork", Wire.forkRequest(count), transport.timeout(),
                Wire::forkResult);
    }

    @Override
    public ForkResult forkSandbox(String name, List<String> names) {
        return transport.send("POST", UrlPaths.sandbox(name) + "/fork", Wire.forkRequest(names), transport.timeout(),
                Wire::forkResult);
    }

    private static String snapshotPath(String name) {
        Objects.requireNonNull(name, "name");
        return "/snapshots/" + UrlPaths.segment(name);
    }

    @Override
    public TerminalSession attach(String name, AttachOptions options) {
        Objects.requireNonNull(options, "options");
        String id = transport.send("POST", UrlPaths.sandbox(name) + "/attach", Wire.attachRequest(options),
                transport.timeout(), Wire::sessionId);
        return HttpTerminalSession.open(transport, id, name);
    }

    @Override
    public FileContent readFile(String sandbox, String path) {
        return transport.get(UrlPaths.file(sandbox, path), Wire::fileContent);
    }

    @Override
    public byte[] readFileBytes(String sandbox, String path) {
        return transport.getBytes(UrlPaths.file(sandbox, path));
    }

    @Override
    public java.io.InputStream readFileStream(String sandbox, String path) {
        return transport.getByteStream(UrlPaths.file(sandbox, path));
    }

    @Override
    public void writeFile(String sandbox, String path, String text) {
        Objects.requireNonNull(text, "text");
        transport.send("PUT", UrlPaths.file(sandbox, path), Wire.textFile(text), transport.timeout(), data -> null);
    }

    @Override
    public void writeFile(String sandbox, String path, byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        transport.putBytes(UrlPaths.file(sandbox, path), bytes, data -> null);
    }

    @Override
    public void writeFile(String sandbox, String path, java.nio.file.Path source) {
        Objects.requireNonNull(source, "source");
        transport.putFile(UrlPaths.file(sandbox, path), source, transport.timeout(), data -> null);
    }

    @Override
    public void deleteFile(String sandbox, String path) {
        transport.delete(UrlPaths.file(sandbox, path), data -> null);
    }

    @Override
    public List<AuditEvent> logs(String sandbox) {
        return transport.get(UrlPaths.sandbox(sandbox) + "/logs", Wire::auditEvents);
    }

    @Override
    public List<AuditEvent> logs(String sandbox, int limit) {
        return transport.get(UrlPaths.sandbox(sandbox) + "/logs?limit=" + limit, Wire::auditEvents);
    }

    @Override
    public List<AuditEvent> audit(int limit) {
        return transport.get("/audit?limit=" + limit, Wire::auditEvents);
    }

    @Override
    public CodeResult executeCode(String code, CodeOptions options) {
        Objects.requireNonNull(options, "options");
        return transport.send("POST", "/execute", Wire.executeRequest(code, options),
                Timeouts.forCommand(transport.timeout(), Optional.of(options.timeout().orElse(CodeOptions.DEFAULT_TIMEOUT))),
                Wire::codeResult);
    }

    @Override
    public List<SessionInfo> listSessions() {
        return transport.get("/sessions", Wire::sessionInfos);
    }

    @Override
    public SessionInfo getSession(String id) {
        return transport.get(UrlPaths.session(id), Wire::sessionInfo);
    }

    @Override
    public void deleteSession(String id) {
        transport.delete(UrlPaths.session(id), data -> null);
    }

    @Override
    public SessionStats sessionStats() {
        return transport.get("/stats", Wire::sessionStats);
    }

    @Override
    public SessionStats.Maintenance pauseMaintenance() {
        return transport.send("POST", "/maintenance/pause", Wire.NO_FIELDS, transport.timeout(),
                Wire::maintenance);
    }

    @Override
    public SessionStats.Maintenance resumeMaintenance() {
        return transport.send("POST", "/maintenance/resume", Wire.NO_FIELDS, transport.timeout(),
                Wire::maintenance);
    }

    @Override
    public CodeSession codeSession(CodeOptions options) {
        return new RemoteCodeSession(this, options);
    }

    @Override
    public TaskInfo dispatchTask(String code, TaskOptions options) {
        Objects.requireNonNull(options, "options");
        return transport.send("POST", "/tasks", Wire.taskRequest(code, options), transport.timeout(), Wire::taskInfo);
    }

    @Override
    public TaskInfo getTask(String taskId) {
        return transport.get(UrlPaths.task(taskId), Wire::taskInfo);
    }

    @Override
    public TaskInfo waitForTask(String taskId, Duration timeout) {
        String path = UrlPaths.task(taskId) + "/wait";
        return TaskWaits.upTo(taskId, timeout, (id, wait) -> transport.send("POST", path, Wire.waitRequest(wait),
                Timeouts.forCommand(transport.timeout(), Optional.of(wait)), Wire::taskInfo));
    }

    @Override
    public List<TaskInfo> listTasks() {
        return transport.get("/tasks", Wire::taskInfos);
    }

    @Override
    public Cancellation cancelTask(String taskId) {
        return transport.send("POST", UrlPaths.task(taskId) + "/cancel", Wire.NO_FIELDS,
                transport.timeout(), Wire::cancellation);
    }

    @Override
    public ToolCatalog searchTools(String query) {
        Objects.requireNonNull(query, "query");
        String q = query.strip();
        return transport.get(q.isEmpty() ? "/tools" : "/tools?query=" + java.net.URLEncoder.encode(q,
                java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"), Wire::toolCatalog);
    }

    @Override
    public void clearToolCache() {
        transport.delete("/tools/cache", data -> null);
    }

    @Override
    public List<ImageInfo> listImages() {
        return transport.get("/images", Wire::imageInfos);
    }

    @Override
    public ImageInfo pullImage(String reference, PullPolicy policy, ImagePullListener listener) {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(listener, "listener");
        return ImagePullStream.read(transport.openEvents("/images/pull", Wire.pullRequest(reference, policy)),
                "POST /images/pull " + reference, listener);
    }

    @Override
    public void removeImage(String reference) {
        transport.delete(UrlPaths.image(reference), data -> null);
    }

    @Override
    public SandboxSession sandbox(String name, SandboxOptions options) {
        SandboxInfo info;
        try {
            info = createSandbox(name, options);
        } catch (ConnectionException e) {
            // The request may have reached the server and created it: leave nothing behind.
            try {
                removeSandbox(name);
            } catch (AgentKernelException | IllegalStateException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return new RemoteSandboxSession(this, info.name());
    }

    @Override
    public AgentKernel withTimeout(Duration timeout) {
        return new HttpAgentKernel(transport.withTimeout(timeout), false);
    }

    @Override
    public void close() {
        if (owner) {
            transport.close();
        }
    }

    @Override
    public String toString() {
        return "AgentKernel[" + transport + "]";
    }

    // ---- named volumes (issue 15, point 6) ----

    @Override
    public SandboxInfo createSandbox(String name, SandboxOptions options, List<String> volumes) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(volumes, "volumes");
        return transport.send("POST", "/sandboxes", Wire.createRequest(name, options, volumes), transport.timeout(),
                Wire::sandboxInfo);
    }

    @Override
    public VolumeInfo createVolume(String name, java.util.OptionalLong sizeMb) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sizeMb, "sizeMb");
        return transport.send("POST", "/volumes", Wire.volumeRequest(name, sizeMb), transport.timeout(),
                Wire::volumeInfo);
    }

    @Override
    public List<VolumeInfo> listVolumes() {
        return transport.get("/volumes", Wire::volumeInfos);
    }

    @Override
    public VolumeInfo getVolume(String name) {
        return transport.get(UrlPaths.volume(name), Wire::volumeInfo);
    }

    @Override
    public void removeVolume(String name, boolean force) {
        transport.delete(UrlPaths.volume(name) + (force ? "?force=true" : ""), data -> null);
    }

    // ---- secrets (issue 16) ----

    @Override
    public SecretInfo setSecret(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        return transport.send("PUT", UrlPaths.secret(name), Wire.secretRequest(value), transport.timeout(),
                Wire::secretInfo);
    }

    @Override
    public List<SecretInfo> listSecrets() {
        return transport.get("/secrets", Wire::secretInfos);
    }

    @Override
    public SecretInfo getSecret(String name) {
        return transport.get(UrlPaths.secret(name), Wire::secretInfo);
    }

    @Override
    public void removeSecret(String name) {
        transport.delete(UrlPaths.secret(name), data -> null);
    }
}
