package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code POST /snapshots/NAME/restore} (the body is optional).
 *
 * @param sandbox the sandbox to put on the snapshot's files; default: the one it was taken from
 *                (created from the snapshot if it no longer exists)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record RestoreSnapshotRequest(String sandbox) {

    public RestoreSnapshotRequest {
        sandbox = Check.optionalText(sandbox, "sandbox");
    }
}
