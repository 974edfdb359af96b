package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code POST /volumes}: a named volume that outlives sandboxes.
 *
 * @param name   letters, digits, '_' and '-' (the rules of sandbox names)
 * @param sizeMb its size in MiB (default 1024); a limit where the server can mount disk images
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CreateVolumeRequest(@JsonProperty(required = true) String name, Long sizeMb) {
    public CreateVolumeRequest {
        Check.required(name, "name", "{\"name\": \"data\", \"size_mb\": 512}");
        Check.positive(sizeMb, "size_mb", " of MiB (the volume's size), e.g. 512");
    }
}
