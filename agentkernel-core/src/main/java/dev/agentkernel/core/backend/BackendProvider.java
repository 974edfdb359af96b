package dev.agentkernel.core.backend;

import dev.agentkernel.core.host.HostContext;

/**
 * Service-provider interface of an isolation backend, listed in
 * {@code META-INF/services/dev.agentkernel.core.backend.BackendProvider}. Implementations
 * must be cheap to construct; the work happens in {@link #probe} and {@link #open}.
 */
public interface BackendProvider {

    /** Stable short name used in configuration and on the command line, e.g. {@code bwrap}. */
    String name();

    /** One-line description for {@code agentkernel doctor}. */
    String description();

    /** Higher wins when several backends are available and none is configured. */
    int priority();

    /** Checks, without side effects on the host, whether this backend can run here. */
    Availability probe(HostContext host);

    /**
     * Creates the backend. Call only after {@link #probe} said available.
     *
     * @throws dev.agentkernel.model.BackendUnavailableException if it cannot start after all
     */
    IsolationBackend open(HostContext host);
}
