package dev.agentkernel.core.wire;

import dev.agentkernel.api.AuditEventView;
import dev.agentkernel.api.CodeResult;
import dev.agentkernel.api.ImageList;
import dev.agentkernel.api.ImageView;
import dev.agentkernel.api.MaintenanceView;
import dev.agentkernel.api.SandboxView;
import dev.agentkernel.api.SessionStatsView;
import dev.agentkernel.api.SessionView;
import dev.agentkernel.api.TaskView;
import dev.agentkernel.api.ToolLibraryView;
import dev.agentkernel.api.ToolSearchResult;
import dev.agentkernel.core.audit.AuditEvent;
import dev.agentkernel.core.sandbox.SandboxInfo;
import dev.agentkernel.core.session.ExecuteResult;
import dev.agentkernel.core.session.MaintenanceStatus;
import dev.agentkernel.core.session.SessionInfo;
import dev.agentkernel.core.session.SessionStats;
import dev.agentkernel.core.task.TaskInfo;
import dev.agentkernel.core.tools.ToolLibrary;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Core's state as the wire contract's records ({@code agentkernel-api}), for the HTTP routes and the
 * MCP tools alike: the one place that decides what of a sandbox, a task, a session, ... is shown.
 * No JSON here: the records' mapping is {@link dev.agentkernel.api.WireJson}'s.
 */
public final class WireViews {

    private WireViews() {
    }

    /**
     * A persistent sandbox. {@code vcpus} is whole on the wire (the published clients type it as an
     * integer): a sandbox stored with a fraction by an older version shows it rounded up.
     */
    public static SandboxView sandbox(SandboxInfo info) {
        var r = info.record();
        return new SandboxView(r.name(), info.status().id(), r.backend(), r.image().orElse(null),
                (long) Math.ceil(r.vcpus()), r.memoryMb(),
                r.diskMb().isPresent() ? Long.valueOf(r.diskMb().getAsLong()) : null,
                info.disk().map(d -> d.usedMb()).orElse(null), info.disk().map(d -> d.availableMb()).orElse(null),
                r.profile().id(), r.network(), r.projectDir().map(Object::toString).orElse(null),
                r.createdAt().truncatedTo(ChronoUnit.SECONDS).toString(), r.uuid(),
                r.expiresAt().map(WireViews::seconds).orElse(null),
                info.volumes().stream().map(Object::toString).toList());
    }

    /** An instant as the wire shows it: ISO-8601 in UTC, whole seconds (an expiry rounded up, never early). */
    public static String seconds(Instant at) {
        Instant whole = at.truncatedTo(ChronoUnit.SECONDS);
        return (whole.equals(at) ? whole : whole.plusSeconds(1)).toString();
    }

    /** A snapshot (its image as a reference pinned to its digest). */
    public static dev.agentkernel.api.SnapshotView snapshot(dev.agentkernel.core.snapshot.SnapshotRecord s) {
        return new dev.agentkernel.api.SnapshotView(s.name(), s.sandbox(), s.image(), s.backend(), s.baseImage(),
                (long) Math.ceil(s.vcpus()), s.memoryMb(), s.sizeBytes(),
                s.createdAt().truncatedTo(ChronoUnit.SECONDS).toString());
    }

    // ---- named volumes (issue 15, point 6) ----

    /** A named volume. */
    public static dev.agentkernel.api.VolumeView volume(dev.agentkernel.core.volume.VolumeInfo info) {
        var r = info.record();
        return new dev.agentkernel.api.VolumeView(r.name(), r.sizeMb(), r.limited(),
                info.usage().map(u -> u.usedMb()).orElse(null), info.usage().map(u -> u.availableMb()).orElse(null),
                info.inUse(), info.users().stream().map(u -> new dev.agentkernel.api.VolumeMountView(u.sandbox(),
                        u.mount().path(), u.mount().readOnly())).toList(),
                r.createdAt().truncatedTo(ChronoUnit.SECONDS).toString());
    }

    /** Named volumes, in the order given. */
    public static dev.agentkernel.api.VolumeList volumes(List<dev.agentkernel.core.volume.VolumeInfo> volumes) {
        return new dev.agentkernel.api.VolumeList(volumes.stream().map(WireViews::volume).toList());
    }

    // ---- secrets (issue 16) ----

    /** A secret: its name and dates, never its value. */
    public static dev.agentkernel.api.SecretView secret(dev.agentkernel.core.secret.SecretInfo info) {
        return new dev.agentkernel.api.SecretView(info.name(), info.createdAt().truncatedTo(ChronoUnit.SECONDS).toString(),
                info.updatedAt().truncatedTo(ChronoUnit.SECONDS).toString());
    }

    /** Secrets, in the order given. */
    public static dev.agentkernel.api.SecretList secrets(List<dev.agentkernel.core.secret.SecretInfo> secrets) {
        return new dev.agentkernel.api.SecretList(secrets.stream().map(WireViews::secret).toList());
    }

    /** A stored image. */
    public static ImageView image(dev.agentkernel.image.Image image) {
        return new ImageView(image.reference().toString(), image.digest(), image.platform(), image.size(),
                image.layers().size(), image.stored().truncatedTo(ChronoUnit.SECONDS).toString());
    }

    /** Stored images, in the order given. */
    public static ImageList images(List<dev.agentkernel.image.Image> images) {
        return new ImageList(images.stream().map(WireViews::image).toList());
    }

    /** The result of an {@code execute_code} call. */
    public static CodeResult executeResult(ExecuteResult r) {
        CodeResult.CodeError error = r.error() == null ? null
                : new CodeResult.CodeError(r.error().type(), r.error().message(), r.error().traceback());
        return new CodeResult(r.sessionId(), r.template().id(), r.flavor().id(), r.sessionCreated(), r.stateLost(),
                r.stdout(), r.stderr(), r.success(), error, r.executionTimeMs());
    }

    /** A code session as listed, its age and idle time counted at {@code now}. */
    public static SessionView session(SessionInfo s, Instant now) {
        return new SessionView(s.sessionId(), s.template().id(), s.flavor().id(), s.flavor().cpus(),
                s.flavor().memoryMb(), s.busy() ? "busy" : "ready", s.executions(), s.createdAt().toString(),
                s.lastUsedAt().toString(), Math.max(0, Duration.between(s.createdAt(), now).toSeconds()),
                s.busy() ? 0 : Math.max(0, Duration.between(s.lastUsedAt(), now).toSeconds()), s.volumes());
    }

    /** The code sessions' background maintenance. */
    public static MaintenanceView maintenance(MaintenanceStatus m) {
        return new MaintenanceView(m.paused(), m.interval().toSeconds(), m.runs(),
                m.lastRunAt().map(Object::toString).orElse(null), m.expiredTotal(), m.evictedTotal(), m.orphansRemoved());
    }

    /** The code sessions' use of the host. */
    public static SessionStatsView stats(SessionStats stats, Instant now) {
        Map<String, SessionStatsView.PoolCount> pool = new TreeMap<>();
        stats.pool().forEach((template, count) -> pool.put(template,
                new SessionStatsView.PoolCount(count.ready(), count.starting())));
        return new SessionStatsView(stats.activeSessions(), stats.maxSessions(), stats.memoryAllocatedMb(),
                stats.maxTotalMemoryMb(), stats.sessionTimeout().toSeconds(), new TreeMap<>(stats.byTemplate()), pool,
                maintenance(stats.maintenance()), stats.sessions().stream().map(s -> session(s, now)).toList());
    }

    /** A tool library with its functions. */
    public static ToolLibraryView toolLibrary(ToolLibrary l) {
        return new ToolLibraryView(l.name(), l.language(), l.description(), l.functions().stream()
                .map(f -> new ToolLibraryView.Function(f.name(), f.signature(), f.description())).toList());
    }

    /** Tool libraries found in {@code dir} (if any). */
    public static ToolSearchResult tools(Optional<?> dir, List<ToolLibrary> libraries) {
        return new ToolSearchResult(dir.map(Object::toString).orElse(null),
                libraries.stream().map(WireViews::toolLibrary).toList());
    }

    /** A background task, everything about it. */
    public static TaskView task(TaskInfo t) {
        return new TaskView(t.id(), t.status().id(), t.queued(), t.output(), t.error().orElse(null),
                t.exitCode().orElse(null), t.attempts(), t.spec().code(), t.spec().template().id(),
                t.spec().timeout().toMillis() / 1000.0, t.spec().verbose(), t.spec().requiredTools(),
                t.createdAt().toString(), t.startedAt().map(Object::toString).orElse(null),
                t.finishedAt().map(Object::toString).orElse(null));
    }

    /** An audit event: its details become fields beside timestamp, event and sandbox. */
    public static AuditEventView auditEvent(AuditEvent e) {
        return new AuditEventView(e.timestamp().toString(), e.type().id(), e.sandbox().orElse(null),
                new LinkedHashMap<>(e.details()));
    }

    // ---- background processes (issue 15, point 3) ----

    /** A background process of a sandbox. */
    public static dev.agentkernel.api.DetachedCommand detached(dev.agentkernel.core.sandbox.BackgroundProcess.Info p) {
        var ending = p.ending();
        Integer signal = ending.map(e -> e.status() instanceof dev.agentkernel.agent.ExitStatus.Signaled(int sig)
                ? sig : null).orElse(null);
        return new dev.agentkernel.api.DetachedCommand(p.id(), p.sandbox(), p.command(), p.pid(), p.state().id(),
                ending.map(e -> e.status().exitCode()).orElse(null), signal,
                p.startedAt().truncatedTo(ChronoUnit.MILLIS).toString(),
                ending.map(e -> e.at().truncatedTo(ChronoUnit.MILLIS).toString()).orElse(null),
                ending.flatMap(e -> e.reason()).orElse(null));
    }

    /**
     * A background process's output so far as text: both streams, or only {@code only}'s. Kept output that
     * begins inside a UTF-8 character (the bytes before it were dropped) begins at the next character.
     */
    public static dev.agentkernel.api.DetachedLogs detachedLogs(dev.agentkernel.core.sandbox.BackgroundProcess.Output o,
                                                              Optional<dev.agentkernel.model.OutputStreamKind> only) {
        boolean out = only.isEmpty() || only.get() == dev.agentkernel.model.OutputStreamKind.STDOUT;
        boolean err = only.isEmpty() || only.get() == dev.agentkernel.model.OutputStreamKind.STDERR;
        return new dev.agentkernel.api.DetachedLogs(out ? text(o.stdout(), o.stdoutDropped()) : null,
                err ? text(o.stderr(), o.stderrDropped()) : null,
                out && o.stdoutDropped() > 0 ? o.stdoutDropped() : null,
                err && o.stderrDropped() > 0 ? o.stderrDropped() : null);
    }

    private static String text(byte[] bytes, long dropped) {
        int from = 0;
        while (dropped > 0 && from < Math.min(3, bytes.length) && (bytes[from] & 0xC0) == 0x80) {
            from++;
        }
        return new String(bytes, from, bytes.length - from, java.nio.charset.StandardCharsets.UTF_8);
    }
}
