package dev.agentkernel.backend.bwrap;

import dev.agentkernel.egress.EgressEvents;
import dev.agentkernel.egress.Refusal;

/**
 * The {@link EgressEvents} a backend's gateway reports to: whatever the backend's user set
 * ({@code IsolationBackend.egressEvents}), or nowhere until then (the refusals still happen).
 */
final class EventRelay implements EgressEvents {

    private static final System.Logger LOG = System.getLogger(EventRelay.class.getName());
    private volatile EgressEvents target = EgressEvents.NONE;

    void target(EgressEvents events) {
        target = events;
    }

    @Override
    public void refused(Refusal refusal) {
        LOG.log(System.Logger.Level.DEBUG, () -> "egress refused: " + refusal);
        target.refused(refusal);
    }

    @Override
    public void placeholderWithheld(String sandbox, String secret, String host) {
        target.placeholderWithheld(sandbox, secret, host);
    }
}
