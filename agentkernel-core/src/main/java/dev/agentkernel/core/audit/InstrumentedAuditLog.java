package dev.agentkernel.core.audit;

import dev.agentkernel.core.metrics.Metric;
import dev.agentkernel.core.metrics.Metrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An {@link AuditLog} that counts events by type ({@link Metric#AUDIT_EVENTS}) and stamps each
 * event appended while a request is served ({@link RequestId#current()}) with that request's id
 * in its {@code request_id} detail, then hands it to the log it wraps.
 */
public final class InstrumentedAuditLog implements AuditLog {

    /** The detail that carries the id of the request that caused an event. */
    public static final String REQUEST_ID = "request_id";

    private final AuditLog log;
    private final Metrics metrics;

    /** Wraps {@code log}. */
    public InstrumentedAuditLog(AuditLog log, Metrics metrics) {
        this.log = Objects.requireNonNull(log, "log");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public void append(AuditEvent event) {
        AuditEvent stamped = event;
        java.util.Optional<String> request = RequestId.current();
        if (request.isPresent() && !event.details().containsKey(REQUEST_ID)) {
            Map<String, Object> details = new LinkedHashMap<>(event.details());
            details.put(REQUEST_ID, request.get());
            stamped = new AuditEvent(event.timestamp(), event.type(), event.sandbox(), details);
        }
        log.append(stamped);
        metrics.count(Metric.AUDIT_EVENTS, event.type().id());
    }

    @Override
    public List<AuditEvent> forSandbox(String sandbox, int limit) {
        return log.forSandbox(sandbox, limit);
    }

    @Override
    public List<AuditEvent> recent(int limit) {
        return log.recent(limit);
    }
}
