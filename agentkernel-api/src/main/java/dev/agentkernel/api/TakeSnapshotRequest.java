package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code POST /snapshots}: a snapshot of a sandbox, running or stopped.
 *
 * @param sandbox the sandbox
 * @param name    the snapshot's name (letters, digits, '-', '_', '.'); default {@code SANDBOX-YYYYMMDD-HHMMSS}
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record TakeSnapshotRequest(@JsonProperty(required = true) String sandbox, String name) {

    public TakeSnapshotRequest {
        Check.required(sandbox, "sandbox", "{\"sandbox\": \"my-sandbox\", \"name\": \"before-upgrade\"}");
        name = Check.optionalText(name, "name");
    }
}
