package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.client.Cancellation;
import dev.agentkernel.client.TaskInfo;
import dev.agentkernel.client.ToolCatalog;
import dev.agentkernel.client.ToolFunction;
import dev.agentkernel.client.ToolLibrary;
import java.util.List;

/** Tasks and tool libraries as the JSON the daemon speaks ({@code /tasks}, {@code /tools}), for {@code --json}. */
final class TaskJson {

    private TaskJson() {
    }

    static ObjectNode task(TaskInfo t) {
        ObjectNode o = CodeSessionJson.MAPPER.createObjectNode();
        o.put("task_id", t.taskId());
        o.put("status", t.status().id());
        o.put("queued", t.queued());
        o.put("output", t.output());
        o.put("error", t.error().orElse(null));
        if (t.exitCode().isPresent()) {
            o.put("exit_code", t.exitCode().get());
        } else {
            o.putNull("exit_code");
        }
        o.put("attempts", t.attempts());
        o.put("template", t.template());
        o.put("timeout", t.timeout().toMillis() / 1000.0);
        o.put("verbose", t.verbose());
        ArrayNode tools = o.putArray("required_tools");
        t.requiredTools().forEach(tools::add);
        t.code().ifPresent(c -> o.put("code", c));
        o.put("created_at", t.createdAt().map(Object::toString).orElse(null));
        o.put("started_at", t.startedAt().map(Object::toString).orElse(null));
        o.put("finished_at", t.finishedAt().map(Object::toString).orElse(null));
        return o;
    }

    static ObjectNode tasks(List<TaskInfo> tasks) {
        ObjectNode o = CodeSessionJson.MAPPER.createObjectNode();
        ArrayNode all = o.putArray("tasks");
        tasks.forEach(t -> all.add(task(t)));
        return o;
    }

    static ObjectNode cancellation(Cancellation c) {
        ObjectNode o = CodeSessionJson.MAPPER.createObjectNode();
        o.put("success", c.cancelled());
        o.put("message", c.message());
        o.set("task", task(c.task()));
        return o;
    }

    static ObjectNode tools(ToolCatalog catalog) {
        ObjectNode o = CodeSessionJson.MAPPER.createObjectNode();
        o.put("tools_dir", catalog.toolsDir().orElse(null));
        ArrayNode libraries = o.putArray("libraries");
        for (ToolLibrary l : catalog.libraries()) {
            ObjectNode lib = libraries.addObject();
            lib.put("name", l.name());
            lib.put("language", l.language());
            lib.put("description", l.description());
            ArrayNode functions = lib.putArray("functions");
            for (ToolFunction f : l.functions()) {
                functions.addObject().put("name", f.name()).put("signature", f.signature()).put("description", f.description());
            }
        }
        return o;
    }
}
