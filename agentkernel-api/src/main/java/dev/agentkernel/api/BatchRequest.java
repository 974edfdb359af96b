package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * {@code POST /batch/run}: up to {@link #MAX} commands run in parallel, each in its own sandbox.
 *
 * @param commands the commands
 */
public record BatchRequest(@JsonProperty(required = true) List<RunRequest> commands) {

    /** Most commands one batch holds. */
    public static final int MAX = 256;

    public BatchRequest {
        if (commands == null) {
            throw Check.bad("commands is required: an array of {\"command\": [...]} objects");
        }
        if (commands.isEmpty()) {
            throw Check.bad("commands must not be empty");
        }
        if (commands.size() > MAX) {
            throw Check.bad("a batch holds at most " + MAX + " commands, got " + commands.size());
        }
        for (int i = 0; i < commands.size(); i++) {
            if (commands.get(i) == null) {
                throw Check.bad("commands[" + i + "] must be an object like {\"command\": [\"echo\", \"hi\"]}");
            }
        }
        commands = List.copyOf(commands);
    }
}
