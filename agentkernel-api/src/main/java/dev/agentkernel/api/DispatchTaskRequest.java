package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /tasks}: a background task.
 *
 * @param code            the code to run ({@code task_description} is taken as well)
 * @param taskDescription the product document's name for {@code code}
 * @param template        python (default), node or bash
 * @param timeout         the time limit in seconds
 * @param verbose         verbose output
 * @param requiredTools   tool libraries it uses: a list of names, or an object of name to function names
 * @param image           the image it runs on (default: its template's, e.g. python:3.12-alpine)
 * @param pull            when to ask the image's registry: missing (default), always or never
 * @param backend         the isolation backend it runs on: bwrap, runc, crun, gvisor, ... (default: the server's)
 * @param networkPolicy what the task's sandbox may reach ({@link NetworkRules}; default: the daemon's)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record DispatchTaskRequest(String code, String taskDescription, String template, @com.fasterxml.jackson.databind.annotation.JsonSerialize(using = Seconds.class) Double timeout,
                                  Boolean verbose, @JsonTypes({"array", "object"}) Object requiredTools,
                                  String image, String pull, String backend, NetworkRules networkPolicy) {

    /** A task without a network policy of its own. */
    public DispatchTaskRequest(String code, String taskDescription, String template, Double timeout, Boolean verbose,
                               Object requiredTools, String image, String pull, String backend) {
        this(code, taskDescription, template, timeout, verbose, requiredTools, image, pull, backend, null);
    }

    /** A task on the server's default backend. */
    public DispatchTaskRequest(String code, String taskDescription, String template, Double timeout, Boolean verbose,
                               Object requiredTools, String image, String pull) {
        this(code, taskDescription, template, timeout, verbose, requiredTools, image, pull, null);
    }

    /** A task on its template's image. */
    public DispatchTaskRequest(String code, String taskDescription, String template, Double timeout, Boolean verbose,
                               Object requiredTools) {
        this(code, taskDescription, template, timeout, verbose, requiredTools, null, null, null);
    }

    public DispatchTaskRequest {
        if (code == null && taskDescription == null) {
            throw Check.bad("code is required (or task_description), e.g. {\"code\": \"print(6 * 7)\"}");
        }
        template = Check.optionalText(template, "template");
        image = Check.optionalText(image, "image");
        pull = Check.pullPolicy(pull);
        backend = Check.backend(backend);
        timeout = Check.timeout(timeout);
        libraryNames(requiredTools);
    }

    /** {@code code} to run. */
    public static DispatchTaskRequest of(String code) {
        return new DispatchTaskRequest(code, null, null, null, null, null);
    }

    /** The code to run. */
    @JsonIgnore
    public String source() {
        return code != null ? code : taskDescription;
    }

    /** The names of the required tool libraries. */
    @JsonIgnore
    public List<String> libraryNames() {
        return libraryNames(requiredTools);
    }

    private static List<String> libraryNames(Object tools) {
        if (tools == null) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        if (tools instanceof List) {
            for (Object item : (List<?>) tools) {
                if (!(item instanceof String)) {
                    throw Check.bad("required_tools must hold library names (strings)");
                }
                names.add((String) item);
            }
        } else if (tools instanceof Map) {
            for (Object key : ((Map<?, ?>) tools).keySet()) {
                names.add(String.valueOf(key));
            }
        } else {
            throw Check.bad("required_tools must be a list of library names or an object of library "
                    + "name to functions, e.g. {\"finance\": [\"get_stock_data\"]}");
        }
        return List.copyOf(names);
    }
}
