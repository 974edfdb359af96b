package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * {@code POST /sandboxes/NAME/fork}: new sandboxes with the files the sandbox has now.
 *
 * @param count how many (default 1, or as many as {@code names})
 * @param names their names (default {@code NAME-1} ... {@code NAME-count})
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ForkRequest(Integer count, List<String> names) {

    public ForkRequest {
        if (count != null && count < 1) {
            throw Check.bad("count must be at least 1, e.g. {\"count\": 3}");
        }
        names = Check.optionalList(names, "names");
        if (!names.isEmpty() && count != null && names.size() != count) {
            throw Check.bad("count is " + count + " but " + names.size() + " names are given");
        }
    }

    /** How many sandboxes are asked for. */
    public int sandboxes() {
        return !names.isEmpty() ? names.size() : count == null ? 1 : count;
    }
}
