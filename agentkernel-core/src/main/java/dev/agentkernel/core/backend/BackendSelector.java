package dev.agentkernel.core.backend;

import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.model.BackendUnavailableException;
import dev.agentkernel.model.InvalidRequestException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Chooses the isolation backend: the one named, or the available one with the highest
 * priority. When none fits, one error lists every candidate and why it was rejected.
 */
public final class BackendSelector {

    private final List<BackendProvider> providers;

    /** A selector over the given providers. */
    public BackendSelector(List<BackendProvider> providers) {
        this.providers = providers.stream()
                .sorted(Comparator.comparingInt(BackendProvider::priority).reversed())
                .toList();
    }

    /** A selector over every provider found on the class path. */
    public static BackendSelector discover() {
        List<BackendProvider> found = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(found::add);
        return new BackendSelector(found);
    }

    /** The providers, best first. */
    public List<BackendProvider> providers() {
        return providers;
    }

    /** Probes every provider, best first. */
    public List<Probe> probeAll(HostContext host) {
        return providers.stream().map(p -> new Probe(p, safeProbe(p, host))).toList();
    }

    /**
     * Selects and opens a backend.
     *
     * @param requested a backend name, or empty for the best available
     * @throws InvalidRequestException     for an unknown backend name
     * @throws BackendUnavailableException if the requested backend, or every backend, is unavailable
     */
    public IsolationBackend open(Optional<String> requested, HostContext host) {
        if (requested.isPresent()) {
            String name = requested.get();
            BackendProvider provider = providers.stream().filter(p -> p.name().equals(name)).findFirst()
                    .orElseThrow(() -> new InvalidRequestException("unknown backend '" + name + "': use one of "
                            + providers.stream().map(BackendProvider::name).collect(Collectors.joining(", "))));
            Availability availability = safeProbe(provider, host);
            if (availability instanceof Availability.Unavailable u) {
                throw new BackendUnavailableException("backend " + name + " is not available: " + u.reason()
                        + (u.fix().isEmpty() ? "" : " (fix: " + u.fix() + ")"));
            }
            return provider.open(host);
        }
        // best first, and no further: a probe may run the engine's client (docker info: ~0.1 s)
        List<Probe> probes = new java.util.ArrayList<>(providers.size());
        for (BackendProvider provider : providers) {
            Availability availability = safeProbe(provider, host);
            if (availability.isAvailable()) {
                return provider.open(host);
            }
            probes.add(new Probe(provider, availability));
        }
        throw new BackendUnavailableException("no isolation backend is available: " + probes.stream()
                .map(Probe::summary).collect(Collectors.joining("; ")));
    }

    private static Availability safeProbe(BackendProvider provider, HostContext host) {
        try {
            return provider.probe(host);
        } catch (RuntimeException e) {
            return Availability.unavailable("probe failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()), "");
        }
    }

    /**
     * The outcome of probing one provider.
     *
     * @param provider     the provider
     * @param availability what its probe said
     */
    public record Probe(BackendProvider provider, Availability availability) {
        /** "name: available" or "name: reason (fix: ...)". */
        public String summary() {
            return switch (availability) {
                case Availability.Available a -> provider.name() + ": available";
                case Availability.Unavailable u -> provider.name() + ": " + u.reason()
                        + (u.fix().isEmpty() ? "" : " (fix: " + u.fix() + ")");
            };
        }
    }
}
