package dev.agentkernel.server;

import dev.agentkernel.api.DispatchTaskRequest;
import dev.agentkernel.api.TaskCancellation;
import dev.agentkernel.api.TaskList;
import dev.agentkernel.api.WaitRequest;
import dev.agentkernel.core.session.InterpreterTemplate;
import dev.agentkernel.core.task.TaskInfo;
import dev.agentkernel.core.task.TaskManager;
import dev.agentkernel.core.wire.WireViews;
import dev.agentkernel.model.InvalidRequestException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Background tasks: {@code POST /tasks} (dispatch), {@code GET /tasks}, {@code GET /tasks/{id}},
 * {@code POST /tasks/{id}/wait}, {@code POST /tasks/{id}/cancel} (also {@code DELETE
 * /tasks/{id}}). Package-private.
 */
final class TaskRoutes {

    /** The longest a wait request may block. */
    static final Duration MAX_WAIT = Duration.ofSeconds(WaitRequest.MAX_SECONDS);
    private static final double DEFAULT_WAIT_SECONDS = 60;

    private final TaskManager tasks;
    private final Bodies bodies;

    TaskRoutes(TaskManager tasks, Bodies bodies) {
        this.tasks = tasks;
        this.bodies = bodies;
    }

    void dispatch(ServerRequest req, ServerResponse res) {
        DispatchTaskRequest body = Json.read(bodies.read(req), DispatchTaskRequest.class);
        InterpreterTemplate template = SessionRoutes.template(body.template()).orElse(InterpreterTemplate.PYTHON);
        TaskInfo task = tasks.dispatch(body.source(), template, RequestFields.timeout(body.timeout()),
                Boolean.TRUE.equals(body.verbose()), body.libraryNames(), java.util.Optional.ofNullable(body.image()),
                RequestFields.pull(body.pull()), java.util.Optional.ofNullable(body.backend()),
                RequestFields.egress(body.networkPolicy()));
        Json.send(res, 202, WireViews.task(task));
    }

    void list(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, new TaskList(tasks.list().stream().map(WireViews::task).toList()));
    }

    void get(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, WireViews.task(tasks.status(id(req))));
    }

    void await(ServerRequest req, ServerResponse res) throws InterruptedException {
        String id = id(req);
        byte[] raw = bodies.read(req);
        WaitRequest wait;
        Optional<String> query = req.query().first("timeout").asOptional();
        if (raw.length > 0) {
            wait = Json.read(raw, WaitRequest.class);
        } else if (query.isPresent()) {
            try {
                wait = new WaitRequest(Double.parseDouble(query.get()));
            } catch (NumberFormatException e) {
                throw new InvalidRequestException("timeout must be a number of seconds, not '" + query.get() + "'");
            }
        } else {
            wait = new WaitRequest(null);
        }
        double seconds = wait.timeout() == null ? DEFAULT_WAIT_SECONDS : wait.timeout();
        Json.send(res, 200, WireViews.task(tasks.await(id, Duration.ofMillis((long) (seconds * 1000)))));
    }

    void cancel(ServerRequest req, ServerResponse res) throws InterruptedException {
        TaskManager.Cancellation c = tasks.cancel(id(req));
        Json.send(res, 200, new TaskCancellation(c.cancelled(), c.message(), WireViews.task(c.task())));
    }

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }
}
