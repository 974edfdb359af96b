package dev.agentkernel.core.session;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code execute_code} call.
 *
 * @param code      the code, not empty
 * @param template  the interpreter; empty: the session's, or Python for a new session
 * @param sessionId an existing session; empty: a new one
 * @param flavor    the size of a new session; empty: the configured default (must match for an existing session)
 * @param timeout   the execution's time limit; empty: the configured default
 * @param volumes   volumes of a new session
 * @param backend   the isolation backend of a new session; empty: the default
 * @param egress    what a new session's network may reach ({@link dev.agentkernel.model.NetworkPolicy#NONE}: the daemon's default)
 */
public record ExecuteRequest(String code, Optional<InterpreterTemplate> template, Optional<String> sessionId,
                             Optional<Flavor> flavor, Optional<Duration> timeout, List<VolumeMapping> volumes,
                             Optional<String> backend, dev.agentkernel.model.NetworkPolicy egress) {

    /** Validates and copies. */
    public ExecuteRequest {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(flavor, "flavor");
        Objects.requireNonNull(timeout, "timeout");
        volumes = List.copyOf(volumes);
        Objects.requireNonNull(backend, "backend");
        backend.ifPresent(dev.agentkernel.model.SandboxRequest::requireBackendName);
        Objects.requireNonNull(egress, "egress");
    }

    /** A request without a network policy of its own. */
    public ExecuteRequest(String code, Optional<InterpreterTemplate> template, Optional<String> sessionId,
                          Optional<Flavor> flavor, Optional<Duration> timeout, List<VolumeMapping> volumes,
                          Optional<String> backend) {
        this(code, template, sessionId, flavor, timeout, volumes, backend, dev.agentkernel.model.NetworkPolicy.NONE);
    }

    /** A copy whose new session's network is under {@code value}. */
    public ExecuteRequest withEgress(dev.agentkernel.model.NetworkPolicy value) {
        return new ExecuteRequest(code, template, sessionId, flavor, timeout, volumes, backend, value);
    }

    /** A request whose new session runs on the default backend. */
    public ExecuteRequest(String code, Optional<InterpreterTemplate> template, Optional<String> sessionId,
                          Optional<Flavor> flavor, Optional<Duration> timeout, List<VolumeMapping> volumes) {
        this(code, template, sessionId, flavor, timeout, volumes, Optional.empty());
    }

    /** {@code code} in a new session of {@code template}, everything else by default. */
    public static ExecuteRequest of(String code, InterpreterTemplate template) {
        return new ExecuteRequest(code, Optional.of(template), Optional.empty(), Optional.empty(), Optional.empty(), List.of());
    }

    /** {@code code} in the existing session {@code sessionId}. */
    public static ExecuteRequest inSession(String sessionId, String code) {
        return new ExecuteRequest(code, Optional.empty(), Optional.of(sessionId), Optional.empty(), Optional.empty(), List.of());
    }

    /** A copy with a time limit. */
    public ExecuteRequest withTimeout(Duration value) {
        return new ExecuteRequest(code, template, sessionId, flavor, Optional.of(value), volumes, backend, egress);
    }

    /** A copy with a flavor. */
    public ExecuteRequest withFlavor(Flavor value) {
        return new ExecuteRequest(code, template, sessionId, Optional.of(value), timeout, volumes, backend, egress);
    }

    /** A copy with volumes. */
    public ExecuteRequest withVolumes(List<VolumeMapping> value) {
        return new ExecuteRequest(code, template, sessionId, flavor, timeout, value, backend, egress);
    }

    /** A copy whose new session runs on the named backend. */
    public ExecuteRequest withBackend(String value) {
        return new ExecuteRequest(code, template, sessionId, flavor, timeout, volumes, Optional.of(value), egress);
    }
}
