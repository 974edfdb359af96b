package dev.agentkernel.core.backend;

import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.SandboxSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The backends of one AgentKernel process, chosen per sandbox: a spec that names a backend
 * ({@link SandboxSpec#backend()}) runs there, one that names none runs on the default. Other
 * backends are opened on first use and kept until {@link #close()}. An unknown name is an
 * {@link dev.agentkernel.model.InvalidRequestException} that lists the known ones; a backend that
 * cannot run here is a {@link dev.agentkernel.model.BackendUnavailableException} with the reason and
 * the fix; never a silent fallback to another backend.
 */
public final class BackendRouter implements IsolationBackend {

    private final IsolationBackend fallback;
    private final BackendSelector selector;
    private final HostContext host;
    private final Map<String, IsolationBackend> opened = new LinkedHashMap<>();
    private volatile dev.agentkernel.egress.EgressEvents egressEvents = dev.agentkernel.egress.EgressEvents.NONE;

    /**
     * @param defaultBackend the backend of specs that name none (closed with this router)
     * @param selector       where other backends are found
     * @param host           the host they are opened for
     */
    public BackendRouter(IsolationBackend defaultBackend, BackendSelector selector, HostContext host) {
        this.fallback = defaultBackend;
        this.selector = selector;
        this.host = host;
    }

    /** The default backend's name. */
    @Override
    public String name() {
        return fallback.name();
    }

    /** The name of the backend {@code spec} runs on. */
    public String nameFor(SandboxSpec spec) {
        return spec.backend().orElse(fallback.name());
    }

    /**
     * The backend {@code spec} runs on, opened if needed.
     *
     * @throws dev.agentkernel.model.InvalidRequestException     for an unknown backend
     * @throws dev.agentkernel.model.BackendUnavailableException for one that cannot run here
     */
    public IsolationBackend backendFor(SandboxSpec spec) {
        return backendNamed(spec.backend());
    }

    private IsolationBackend backendNamed(Optional<String> name) {
        if (name.isEmpty() || name.get().equals(fallback.name())) {
            return fallback;
        }
        synchronized (opened) {
            IsolationBackend backend = opened.get(name.get());
            if (backend == null) {
                backend = selector.open(name, host);
                backend.egressEvents(egressEvents);
                opened.put(name.get(), backend);
            }
            return backend;
        }
    }

    /** Sets where every backend, opened or to be opened, reports egress refusals. */
    @Override
    public void egressEvents(dev.agentkernel.egress.EgressEvents events) {
        egressEvents = events;
        fallback.egressEvents(events);
        synchronized (opened) {
            opened.values().forEach(b -> b.egressEvents(events));
        }
    }

    @Override
    public Execution start(SandboxSpec spec, CommandSpec command, Stdio stdio) {
        return backendFor(spec).start(spec, command, stdio);
    }

    @Override
    public Execution startAgent(SandboxSpec spec, Stdio stdio) {
        return backendFor(spec).startAgent(spec, stdio);
    }

    @Override
    public Optional<List<String>> commandLine(SandboxSpec spec, CommandSpec command) {
        return backendFor(spec).commandLine(spec, command);
    }

    /** The default backend's. */
    @Override
    public SandboxIds sandboxIds() {
        return fallback.sandboxIds();
    }

    /** The named backend's (opened if needed; an unknown or unavailable one is the default's, for files only). */
    @Override
    public SandboxIds sandboxIds(String backend) {
        if (backend.equals(fallback.name())) {
            return fallback.sandboxIds();
        }
        synchronized (opened) {
            IsolationBackend open = opened.get(backend);
            if (open != null) {
                return open.sandboxIds();
            }
        }
        try {
            return backendNamed(Optional.of(backend)).sandboxIds();
        } catch (dev.agentkernel.model.AgentKernelException e) {
            return fallback.sandboxIds();
        }
    }

    @Override
    public boolean usesImages() {
        return fallback.usesImages();
    }

    /** Closes every backend it opened, and the default. */
    @Override
    public void close() {
        synchronized (opened) {
            for (IsolationBackend backend : opened.values()) {
                backend.close();
            }
            opened.clear();
        }
        fallback.close();
    }
}
