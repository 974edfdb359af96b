package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One audit event ({@code GET /audit}, {@code GET /sandboxes/NAME/logs}): when, what, which
 * sandbox, and the event's own details as further fields.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class AuditEventView {

    private final String timestamp;
    private final String event;
    private final String sandbox;
    private final Map<String, Object> details = new LinkedHashMap<>();

    /**
     * @param timestamp when (ISO-8601)
     * @param event     what, e.g. {@code sandbox.created}
     * @param sandbox   which sandbox, or null
     * @param details   the event's own fields
     */
    public AuditEventView(String timestamp, String event, String sandbox, Map<String, ?> details) {
        this.timestamp = timestamp;
        this.event = event;
        this.sandbox = sandbox;
        if (details != null) {
            this.details.putAll(details);
        }
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    AuditEventView(@JsonProperty("timestamp") String timestamp, @JsonProperty("event") String event,
                   @JsonProperty("sandbox") String sandbox) {
        this(timestamp, event, sandbox, null);
    }

    /** When (ISO-8601). */
    @JsonProperty("timestamp")
    public String timestamp() {
        return timestamp;
    }

    /** What, e.g. {@code sandbox.created}. */
    @JsonProperty("event")
    public String event() {
        return event;
    }

    /** Which sandbox, or null. */
    @JsonProperty("sandbox")
    public String sandbox() {
        return sandbox;
    }

    /** The event's own fields. */
    @JsonAnyGetter
    @JsonIgnore
    public Map<String, Object> details() {
        return details;
    }

    @JsonAnySetter
    void detail(String key, Object value) {
        details.put(key, value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuditEventView && WireJson.tree(this).equals(WireJson.tree(o));
    }

    @Override
    public int hashCode() {
        return WireJson.tree(this).hashCode();
    }

    @Override
    public String toString() {
        return WireJson.text(this);
    }
}
