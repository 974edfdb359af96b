package dev.agentkernel.core.egress;

import dev.agentkernel.core.audit.AuditEvent;
import dev.agentkernel.core.audit.AuditEventType;
import dev.agentkernel.core.audit.AuditLog;
import dev.agentkernel.egress.EgressEvents;
import dev.agentkernel.egress.Refusal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What egress control refused, as audit events: {@code policy_violation} with the sandbox, the
 * destination (name or address), its port, the protocol and the rule; a secret's placeholder
 * sent to a host it is not granted for ({@code secret_withheld}, never a value).
 */
public final class EgressAudit implements EgressEvents {

    private final AuditLog audit;

    /** Events into {@code audit}. */
    public EgressAudit(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public void refused(Refusal refusal) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("reason", "network policy refused " + refusal.destination()
                + (refusal.port() > 0 ? ":" + refusal.port() : "") + " (" + refusal.rule() + ")");
        details.put("destination", refusal.destination());
        if (refusal.port() > 0) {
            details.put("port", refusal.port());
        }
        details.put("protocol", refusal.protocol());
        details.put("rule", refusal.rule());
        audit.append(AuditEvent.now(AuditEventType.POLICY_VIOLATION, refusal.sandbox(), details));
    }

    @Override
    public void placeholderWithheld(String sandbox, String secret, String host) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("reason", "the placeholder of secret " + secret + " was sent to " + host
                + ", which it is not granted for: sent as the placeholder");
        details.put("secret", secret);
        details.put("destination", host);
        details.put("rule", "secret not granted for this host");
        audit.append(AuditEvent.now(AuditEventType.POLICY_VIOLATION, sandbox, details));
    }
}
