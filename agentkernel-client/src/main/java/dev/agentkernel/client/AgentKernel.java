package dev.agentkernel.client;

import java.time.Duration;
import java.util.List;

/**
 * The blocking client of an AgentKernel daemon's HTTP API. Each method is one request; every
 * failure is an {@link AgentKernelException} (unchecked). Thread-safe: share one client.
 *
 * {@snippet :
 * try (AgentKernel client = AgentKernel.create()) {
 *     RunResult result = client.run("python3", "-c", "print(1 + 1)");
 *     System.out.print(result.output()); // 2
 * }
 * }
 *
 * <p>Configuration ({@link #builder()}): the base URL, API key and per-request timeout, falling
 * back to {@code AGENTKERNEL_BASE_URL} (default {@code http://localhost:18888}),
 * {@code AGENTKERNEL_API_KEY} and 30 seconds. A command's own timeout
 * ({@link RunOptions#withTimeout}, {@link ExecOptions#withTimeout}) extends the wait for its
 * result; {@link #withTimeout(Duration)} changes it for any request.
 *
 * @see AsyncAgentKernel the same API with CompletableFutures
 */
public interface AgentKernel extends AutoCloseable {

    /**
     * A client configured from the environment ({@code AGENTKERNEL_BASE_URL},
     * {@code AGENTKERNEL_API_KEY}) and the defaults.
     *
     * @return a new client; close it
     * @throws IllegalArgumentException if {@code AGENTKERNEL_BASE_URL} is not an http(s) URL
     */
    static AgentKernel create() {
        return builder().build();
    }

    /**
     * A builder whose unset values fall back to the environment, then to the defaults.
     *
     * {@snippet :
     * AgentKernel client = AgentKernel.builder()
     *         .baseUrl("http://localhost:18888")
     *         .apiKey("secret")
     *         .timeout(Duration.ofSeconds(10))
     *         .build();
     * }
     *
     * @return a new builder
     */
    static ClientBuilder<AgentKernel> builder() {
        return new ClientBuilder<>(HttpAgentKernel::open);
    }

    /**
     * Whether the daemon is up ({@code GET /health}; needs no API key).
     *
     * @return the daemon's answer, {@code ok}
     * @throws AgentKernelException if it is not reachable or not healthy
     */
    String health();

    /**
     * The daemon's version, uptime, backend, running commands, warm pool and sandboxes
     * ({@code GET /status}).
     *
     * @return its status
     * @throws AgentKernelException as described there
     */
    ServerStatus status();

    /**
     * Runs a command in a fresh temporary sandbox and waits for it to end ({@code POST /run}).
     *
     * @param command the program and its arguments, not joined into a shell string: e.g.
     *                {@code List.of("python3", "-c", "print(1 + 1)")}
     * @param options image, profile, warm pool, timeout, environment
     * @return what it produced; a non-zero exit code is a result, not an exception
     * @throws ValidationException      if the command or an option is invalid
     * @throws ServerException          if no sandbox is available (429) or the run fails
     * @throws AgentKernelException     for the other failures described there
     */
    RunResult run(List<String> command, RunOptions options);

    /**
     * Runs a command with the default options.
     *
     * @param command the program and its arguments
     * @return what it produced
     * @throws AgentKernelException as for {@link #run(List, RunOptions)}
     */
    default RunResult run(List<String> command) {
        return run(command, RunOptions.defaults());
    }

    /**
     * Runs a command with the default options.
     *
     * @param command the program and its arguments, e.g. {@code "echo", "hello"}
     * @return what it produced
     * @throws AgentKernelException as for {@link #run(List, RunOptions)}
     */
    default RunResult run(String... command) {
        return run(List.of(command), RunOptions.defaults());
    }

    /**
     * Runs a command in a fresh temporary sandbox and streams its events as they happen
     * ({@code POST /run/stream}). The client's timeout bounds only the wait for the stream to
     * start; the command's own timeout bounds the rest. Close the stream: closing it early ends
     * the command.
     *
     * @param command the program and its arguments
     * @param options as for {@link #run(List, RunOptions)}
     * @return the open event stream
     * @throws AgentKernelException if the stream cannot start (e.g. {@link ValidationException}); failures after
     *                              that arrive as a {@link StreamEvent.Error} event
     */
    EventStream runStream(List<String> command, RunOptions options);

    /**
     * Streams a command with the default options.
     *
     * @param command the program and its arguments
     * @return the open event stream
     * @throws AgentKernelException as for {@link #runStream(List, RunOptions)}
     */
    default EventStream runStream(List<String> command) {
        return runStream(command, RunOptions.defaults());
    }

    /**
     * Runs commands in parallel, each in its own temporary sandbox, and waits for all
     * ({@code POST /batch/run}). The wait is bounded as for the command with the longest
     * timeout; a large batch may need {@link #withTimeout(Duration)}.
     *
     * @param commands the commands (at most 256)
     * @return one result per command, in the same order
     * @throws ValidationException  if any command is invalid (then none runs)
     * @throws AgentKernelException for the other failures described there
     */
    List<BatchResult> batchRun(List<BatchCommand> commands);

    /**
     * The persistent sandboxes ({@code GET /sandboxes}).
     *
     * @return every sandbox, running or stopped
     * @throws AgentKernelException as described there
     */
    List<SandboxInfo> listSandboxes();

    /**
     * Creates and starts a persistent sandbox ({@code POST /sandboxes}). It runs until stopped or
     * removed; prefer {@link #sandbox(String, SandboxOptions)}, which removes it again.
     *
     * @param name    a name not in use: up to 63 letters, digits, {@code -} and {@code _}, starting with a
     *                letter or digit (the server checks it)
     * @param options image, limits, profile, network
     * @return the new sandbox
     * @throws ConflictException    if a sandbox of that name exists
     * @throws ValidationException  if the name or an option is invalid
     * @throws ServerException      if too many sandboxes run (429)
     */
    SandboxInfo createSandbox(String name, SandboxOptions options);

    /**
     * Creates and starts a persistent sandbox with the default options.
     *
     * @param name a name not in use
     * @return the new sandbox
     * @throws AgentKernelException as for {@link #createSandbox(String, SandboxOptions)}
     */
    default SandboxInfo createSandbox(String name) {
        return createSandbox(name, SandboxOptions.defaults());
    }

    /**
     * One persistent sandbox ({@code GET /sandboxes/{name}}).
     *
     * @param name its name
     * @return its description
     * @throws NotFoundException if there is none of that name
     */
    SandboxInfo getSandbox(String name);

    /**
     * One persistent sandbox by its uuid ({@code GET /sandboxes/by-uuid/{uuid}}), which stays the
     * same for the sandbox's whole life and is never given to another one.
     *
     * @param uuid its uuid ({@link SandboxInfo#uuid()})
     * @return its description
     * @throws NotFoundException if no sandbox has it
     */
    SandboxInfo getSandboxByUuid(String uuid);

    /**
     * Gives a sandbox created with a time to live ({@link SandboxOptions#withTtl}) more time
     * ({@code POST /sandboxes/{name}/extend}): its expiry moves {@code by} later (counted from now
     * if it has passed).
     *
     * @param name the sandbox
     * @param by   how much more, whole seconds
     * @return its new expiry; empty for a sandbox without a time to live, which keeps none
     * @throws NotFoundException if there is none of that name
     */
    java.util.Optional<java.time.Instant> extendSandbox(String name, java.time.Duration by);

    /**
     * Starts a stopped sandbox again, with the files it had ({@code POST /sandboxes/{name}/start}).
     *
     * @param name its name
     * @return its description, now running
     * @throws NotFoundException if there is none of that name
     */
    SandboxInfo startSandbox(String name);

    /**
     * Stops a sandbox's processes, keeping its files ({@code POST /sandboxes/{name}/stop}).
     *
     * @param name its name
     * @return its description, now stopped
     * @throws NotFoundException if there is none of that name
     */
    SandboxInfo stopSandbox(String name);

    // ---- pause and resume (issue 15) ----

    /**
     * Pauses a running sandbox: every process frozen, its memory kept, no CPU used
     * ({@code POST /sandboxes/{name}/pause}). Idempotent. Depending on the daemon's settings an exec
     * or file operation then resumes it transparently or gets a {@link ConflictException}.
     *
     * @param name its name
     * @return its description, now {@code paused}
     * @throws NotFoundException if there is none of that name
     * @throws ConflictException if it is stopped
     */
    SandboxInfo pauseSandbox(String name);

    /**
     * Resumes a paused sandbox where it stopped ({@code POST /sandboxes/{name}/resume}). Idempotent.
     *
     * @param name its name
     * @return its description, now {@code running}
     * @throws NotFoundException if there is none of that name
     * @throws ConflictException if it is stopped
     */
    SandboxInfo resumeSandbox(String name);

    /**
     * Removes a sandbox and its files ({@code DELETE /sandboxes/{name}}).
     *
     * @param name its name
     * @throws NotFoundException if there is none of that name
     */
    void removeSandbox(String name);

    /**
     * Runs a command inside a running sandbox and waits for it to end
     * ({@code POST /sandboxes/{name}/exec}).
     *
     * @param name    the sandbox
     * @param command the program and its arguments
     * @param options environment, working directory, timeout
     * @return what it produced (no {@link RunResult#sandbox()} or {@link RunResult#duration()})
     * @throws NotFoundException if there is no such sandbox
     * @throws ConflictException if it is stopped
     */
    RunResult execInSandbox(String name, List<String> command, ExecOptions options);

    /**
     * Runs a command inside a running sandbox with the default options.
     *
     * @param name    the sandbox
     * @param command the program and its arguments
     * @return what it produced
     * @throws AgentKernelException as for {@link #execInSandbox(String, List, ExecOptions)}
     */
    default RunResult execInSandbox(String name, List<String> command) {
        return execInSandbox(name, command, ExecOptions.defaults());
    }

    /**
     * Runs a command inside a running sandbox and streams its events as they happen
     * ({@code POST /sandboxes/{name}/exec/stream}): {@link StreamEvent.Started} (with the
     * sandbox's name), {@link StreamEvent.Progress}, {@link StreamEvent.Output} of stdout and
     * stderr as produced, then {@link StreamEvent.Done} with the exit code, or
     * {@link StreamEvent.Error} (e.g. the sandbox stopped). The client's timeout bounds only the
     * wait for the stream to start. Close the stream: closing it early kills the command.
     *
     * {@snippet :
     * try (EventStream events = client.execStream("box", List.of("make", "test"), ExecOptions.defaults())) {
     *     for (StreamEvent event : events) {
     *         switch (event) {
     *             case StreamEvent.Output o -> (o.stderr() ? System.err : System.out).print(o.text());
     *             case StreamEvent.Done d -> System.out.println("exit " + d.exitCode());
     *             default -> { }
     *         }
     *     }
     * }
     * }
     *
     * @param name    the sandbox
     * @param command the program and its arguments
     * @param options environment, working directory, timeout
     * @return the open event stream
     * @throws NotFoundException    if there is no such sandbox
     * @throws ValidationException  if the command or an option is invalid
     * @throws AgentKernelException for the other failures before the stream starts; failures after
     *                              that arrive as a {@link StreamEvent.Error} event
     */
    EventStream execStream(String name, List<String> command, ExecOptions options);

    /**
     * Starts an interactive program (a login shell unless {@link AttachOptions#command()} says
     * otherwise) on a pseudo-terminal in a running sandbox and connects to it
     * ({@code POST /sandboxes/{name}/attach}, then {@code GET /attach/{id}/events}). Read its
     * output, send it input, resize it; close the session.
     *
     * {@snippet :
     * try (TerminalSession shell = client.attach("box", AttachOptions.defaults().withSize(40, 120))) {
     *     shell.input("ls /workspace; exit\n");
     *     int exitCode = shell.transferTo(System.out);
     * }
     * }
     *
     * @param name    the sandbox
     * @param options program, environment, working directory, terminal size
     * @return the connected session; close it
     * @throws NotFoundException   if there is no such sandbox
     * @throws ConflictException   if it is stopped
     * @throws ValidationException if an option is invalid
     */
    TerminalSession attach(String name, AttachOptions options);

    /**
     * Reads a file of a running sandbox through JSON: text as is, anything else as base64
     * ({@code GET /sandboxes/{name}/files/{path}}).
     *
     * @param sandbox the sandbox
     * @param path    the file's path in the sandbox, e.g. {@code /workspace/out.txt}; a relative
     *                path is taken from the sandbox's root
     * @return the content
     * @throws NotFoundException   if the sandbox or the file does not exist
     * @throws ValidationException if the path is a directory or the file is larger than a JSON response carries
     *                             (413; use {@link #readFileBytes})
     */
    FileContent readFile(String sandbox, String path);

    /**
     * Reads a file of a running sandbox as raw bytes ({@code Accept: application/octet-stream}).
     *
     * @param sandbox the sandbox
     * @param path    the file's path in the sandbox
     * @return its bytes
     * @throws NotFoundException if the sandbox or the file does not exist
     */
    byte[] readFileBytes(String sandbox, String path);

    /**
     * Reads a file of a running sandbox as a stream of raw bytes
     * ({@code Accept: application/octet-stream}), for files too large to hold in memory. The
     * client's timeout bounds only the wait for the response to start.
     *
     * {@snippet :
     * try (InputStream in = client.readFileStream("box", "/workspace/out.tar")) {
     *     Files.copy(in, Path.of("out.tar"));
     * }
     * }
     *
     * @param sandbox the sandbox
     * @param path    the file's path in the sandbox
     * @return its bytes; close the stream
     * @throws NotFoundException   if the sandbox or the file does not exist
     * @throws ValidationException if the path is a directory
     */
    java.io.InputStream readFileStream(String sandbox, String path);

    /**
     * Creates or replaces a file of a running sandbox with text, as UTF-8 in a JSON body
     * ({@code PUT /sandboxes/{name}/files/{path}}), with its missing parent directories.
     *
     * @param sandbox the sandbox
     * @param path    the file's path in the sandbox
     * @param text    its new content
     * @throws NotFoundException         if the sandbox does not exist
     * @throws PermissionDeniedException if the path is read-only in the sandbox
     * @throws ValidationException       if the body is over the server's limit (413)
     */
    void writeFile(String sandbox, String path, String text);

    /**
     * Creates or replaces several text files of a running sandbox in one request
     * ({@code POST /sandboxes/{name}/files}), in order, each with its missing parent directories;
     * a relative path is under {@code /workspace}. The first failure ends the request (the files
     * before it stay written).
     *
     * @param sandbox the sandbox
     * @param files   path → text (UTF-8), at most 1000
     * @return how many files were written
     * @throws ValidationException       if a path is invalid or the body is over the server's limit
     * @throws PermissionDeniedException if a path is read-only in the sandbox
     */
    int writeFiles(String sandbox, java.util.Map<String, String> files);

    /**
     * Creates or replaces a file of a running sandbox with bytes, sent raw
     * ({@code Content-Type: application/octet-stream}). Parent directories must exist.
     *
     * @param sandbox the sandbox
     * @param path    the file's path in the sandbox
     * @param bytes   its new content
     * @throws AgentKernelException as for {@link #writeFile(String, String, String)}
     */
    void writeFile(String sandbox, String path, byte[] bytes);

    /**
     * Creates or replaces a file of a running sandbox with the bytes of a local file, streamed
     * raw ({@code Content-Type: application/octet-stream}). Parent directories must exist. The
     * client's timeout bounds the whole upload: give a large file a longer one
     * ({@link #withTimeout(Duration)}).
     *
     * @param sandbox the sandbox
     * @param path    the file's path in the sandbox
     * @param source  the local file
     * @throws IllegalArgumentException if {@code source} cannot be read
     * @throws ValidationException      if the file is over the server's limit (413)
     * @throws AgentKernelException     as for {@link #writeFile(String, String, String)}
     */
    void writeFile(String sandbox, String path, java.nio.file.Path source);

    /**
     * Deletes a file of a running sandbox ({@code DELETE /sandboxes/{name}/files/{path}}).
     *
     * @param sandbox the sandbox
     * @param path    the file's path in the sandbox
     * @throws NotFoundException if the sandbox or the file does not exist
     */
    void deleteFile(String sandbox, String path);

    /**
     * A sandbox's audit events, oldest first ({@code GET /sandboxes/{name}/logs}).
     *
     * @param sandbox the sandbox
     * @return its events (at most the server's limit, 10,000: the newest)
     * @throws NotFoundException if there is no such sandbox
     */
    List<AuditEvent> logs(String sandbox);

    /**
     * A sandbox's newest audit events, oldest first.
     *
     * @param sandbox the sandbox
     * @param limit   how many at most, 1 to 10,000
     * @return its newest events
     * @throws NotFoundException   if there is no such sandbox
     * @throws ValidationException if the limit is out of range
     */
    List<AuditEvent> logs(String sandbox, int limit);

    /**
     * The newest audit events of the whole daemon, oldest first ({@code GET /audit}).
     *
     * @param limit how many at most, 1 to 10,000
     * @return the newest events
     * @throws ValidationException if the limit is out of range
     */
    List<AuditEvent> audit(int limit);

    // ---- code sessions ----------------------------------------------------------------

    /**
     * Runs code in a stateful code session ({@code POST /execute}): in the session
     * {@link CodeOptions#sessionId()} names, else in a new one whose id the result carries.
     * Variables, functions, imports, the working directory and files are kept between calls in
     * one session. Prefer {@link #codeSession(CodeOptions)}, which deletes the session again.
     *
     * {@snippet :
     * CodeResult first = client.executeCode("x = 6 * 7", CodeOptions.defaults().withTemplate("python"));
     * CodeResult second = client.executeCode("x", CodeOptions.defaults().withSessionId(first.sessionId()));
     * System.out.print(second.stdout()); // 42
     * client.deleteSession(first.sessionId());
     * }
     *
     * <p>The client waits for the execution's timeout (the server's default, 30 s, when none is
     * given) plus 30 s for the session's start, or its own timeout if that is longer; a call
     * that queues behind others in the same session may need more ({@link #withTimeout}). If the
     * wait for a call that creates a session ends without a response
     * ({@link ConnectionException}), the session may exist without the caller knowing its id;
     * the server removes it once it has been idle for its session timeout.
     *
     * @param code    the code: statements and expressions, several lines allowed; not empty
     * @param options the session (or the new session's template, flavor and volumes), the timeout
     * @return what the code printed and whether it raised; code that raises is a result
     *         ({@link CodeResult#success()} false), not an exception
     * @throws ValidationException       if the code is empty, or the template, flavor, timeout or a volume is invalid
     *                                   (400)
     * @throws PermissionDeniedException if a volume is outside the daemon's allowed directories
     * @throws SessionNotFoundException  if the session does not exist (any more)
     * @throws ConflictException         if the template or flavor differs from the existing session's
     * @throws ResourceLimitException    if a new session would pass the server's session or memory limit
     * @throws CodeExecutionException    if the session's interpreter cannot be started
     * @throws AgentKernelException      for the other failures described there
     */
    CodeResult executeCode(String code, CodeOptions options);

    /**
     * Runs code in a new code session of the server's default template (Python) and flavor. The
     * session stays: delete it with {@link #deleteSession(String)}.
     *
     * @param code the code
     * @return what it produced, with the new session's id
     * @throws AgentKernelException as for {@link #executeCode(String, CodeOptions)}
     */
    default CodeResult executeCode(String code) {
        return executeCode(code, CodeOptions.defaults());
    }

    /**
     * The code sessions ({@code GET /sessions}).
     *
     * @return every session, oldest first
     * @throws AgentKernelException as described there
     */
    List<SessionInfo> listSessions();

    /**
     * One code session ({@code GET /sessions/{id}}).
     *
     * @param id its id
     * @return its description
     * @throws SessionNotFoundException if there is none of that id
     */
    SessionInfo getSession(String id);

    /**
     * Deletes a code session: stops its interpreter, removes its sandbox and files
     * ({@code DELETE /sessions/{id}}).
     *
     * @param id its id
     * @throws SessionNotFoundException if there is none of that id
     */
    void deleteSession(String id);

    /**
     * The code sessions, their limits and their maintenance ({@code GET /stats}).
     *
     * @return the statistics
     * @throws AgentKernelException as described there
     */
    SessionStats sessionStats();

    /**
     * Pauses the background maintenance of code sessions (idle expiry and orphan clean-up)
     * until {@link #resumeMaintenance()} ({@code POST /maintenance/pause}). Idempotent.
     *
     * @return the maintenance's state, now paused
     * @throws AgentKernelException as described there
     */
    SessionStats.Maintenance pauseMaintenance();

    /**
     * Resumes the background maintenance of code sessions ({@code POST /maintenance/resume}).
     * Idempotent.
     *
     * @return the maintenance's state, now running
     * @throws AgentKernelException as described there
     */
    SessionStats.Maintenance resumeMaintenance();

    /**
     * A code session for the length of a {@code try} block: its first
     * {@link CodeSession#execute(String) execute} creates the session on the server, later ones
     * run in it, and closing it deletes the session. Nothing is sent before the first execute.
     * With {@link CodeOptions#sessionId()} set, it takes over that existing session (and
     * deletes it when closed); its template and flavor are then the session's, not checked
     * against the options.
     *
     * {@snippet :
     * try (CodeSession python = client.codeSession(CodeOptions.defaults().withTemplate("python"))) {
     *     python.execute("import math; r = 2");
     *     System.out.print(python.execute("math.pi * r ** 2").stdout()); // 12.566370614359172
     * } // the session is deleted here
     * }
     *
     * @param options the session's template, flavor and volumes, and the default timeout of each execution
     * @return the session; close it
     */
    CodeSession codeSession(CodeOptions options);

    /**
     * A code session of a template with the default options, as
     * {@link #codeSession(CodeOptions)}.
     *
     * @param template {@code python}, {@code node} or {@code bash}, or an alias
     * @return the session; close it
     * @throws IllegalArgumentException if the template is blank
     */
    default CodeSession codeSession(String template) {
        return codeSession(CodeOptions.defaults().withTemplate(template));
    }

    // ---- background tasks -------------------------------------------------------------

    /**
     * Dispatches code as a background task ({@code POST /tasks}) and returns at once, with the
     * task queued or running. The task runs in its own sandbox with the daemon's shared
     * {@code /workspace} (its working directory: files one task writes, the next one reads) and
     * the tool libraries it requires at {@code /tools}; it is killed at its timeout. Collect it
     * with {@link #waitForTask}; or use a {@link #taskManager()}, or {@link #executeTask} to
     * dispatch and wait in one call.
     *
     * {@snippet :
     * TaskInfo task = client.dispatchTask("print(sum(range(10)))", TaskOptions.defaults());
     * TaskInfo done = client.waitForTask(task.taskId(), Duration.ofMinutes(1));
     * System.out.print(done.output()); // 45
     * }
     *
     * @param code    the code: a program of the template's language; not blank
     * @param options template, timeout, verbosity, required tools
     * @return the new task ({@link TaskStatus#RUNNING}, maybe {@link TaskInfo#queued()})
     * @throws ValidationException     if the code is blank, or the template, timeout or tools are invalid
     * @throws ResourceLimitException  if too many tasks are queued
     * @throws AgentKernelException    for the other failures described there
     */
    TaskInfo dispatchTask(String code, TaskOptions options);

    /**
     * Dispatches Python code with the daemon's default timeout.
     *
     * @param code the code
     * @return the new task
     * @throws AgentKernelException as for {@link #dispatchTask(String, TaskOptions)}
     */
    default TaskInfo dispatchTask(String code) {
        return dispatchTask(code, TaskOptions.defaults());
    }

    /**
     * One task as it is now, without waiting ({@code GET /tasks/{id}}).
     *
     * @param taskId its id
     * @return its status, output so far and error
     * @throws NotFoundException if the daemon has no such task
     */
    TaskInfo getTask(String taskId);

    /**
     * Waits until the task ends or {@code timeout} has passed ({@code POST /tasks/{id}/wait}),
     * whichever comes first. The daemon holds one request for at most 10 minutes: a longer wait
     * is several requests. The client's wait for each response is the request's wait plus 30 s.
     *
     * @param taskId  its id
     * @param timeout the longest wait, positive; sent with millisecond precision
     * @return the task as it is then: check {@link TaskInfo#isFinal()} (a task still running is not an error)
     * @throws IllegalArgumentException if the timeout is not positive
     * @throws NotFoundException        if the daemon has no such task
     * @throws ConnectionException      if the daemon stops answering, or the thread is interrupted (the task goes on)
     */
    TaskInfo waitForTask(String taskId, Duration timeout);

    /**
     * Dispatches code and waits until it ends: the one-off execution of other AgentKernel
     * clients' {@code execute_task}, whose {@code (result, output, error)} the result carries.
     * The task's timeout (the daemon's default, 5 minutes, unless {@code options} says)
     * bounds the wait.
     *
     * {@snippet :
     * TaskResult r = client.executeTask("print(sum(range(10)))", TaskOptions.defaults());
     * if (r.completed()) {
     *     System.out.print(r.output()); // 45
     * } else {
     *     System.err.println(r.status().id() + ": " + r.error().orElse(""));
     * }
     * }
     *
     * @param code    the code
     * @param options template, timeout, verbosity, required tools
     * @return how it ended; code that failed is a result, not an exception
     * @throws AgentKernelException as for {@link #dispatchTask(String, TaskOptions)} and
     *                              {@link #waitForTask(String, Duration)} (then the task goes on: its id is in
     *                              {@link #listTasks()})
     */
    default TaskResult executeTask(String code, TaskOptions options) {
        return TaskResult.of(TaskWaits.untilEnd(this, dispatchTask(code, options).taskId()));
    }

    /**
     * Runs Python code as a task with the default options and waits until it ends.
     *
     * @param code the code
     * @return how it ended
     * @throws AgentKernelException as for {@link #executeTask(String, TaskOptions)}
     */
    default TaskResult executeTask(String code) {
        return executeTask(code, TaskOptions.defaults());
    }

    /**
     * The daemon's tasks, newest first ({@code GET /tasks}): running, queued and ended ones (the
     * daemon keeps the newest thousand by default).
     *
     * @return the tasks
     * @throws AgentKernelException as described there
     */
    List<TaskInfo> listTasks();

    /**
     * Cancels a task, killing its processes ({@code POST /tasks/{id}/cancel}). A task that has
     * ended stays as it was.
     *
     * @param taskId its id
     * @return whether this call cancelled it, why not, and the task afterwards
     * @throws NotFoundException if the daemon has no such task
     */
    Cancellation cancelTask(String taskId);

    /**
     * A {@link TaskManager} over this client with the default task options: dispatch now,
     * collect later, cancel what is left when it closes. The manager does not close the client.
     *
     * @return a new manager; close it
     */
    default TaskManager taskManager() {
        return taskManager(TaskOptions.defaults());
    }

    /**
     * A {@link TaskManager} whose {@code dispatchTask(code)} uses {@code defaults}, e.g. a
     * default timeout for its tasks.
     *
     * @param defaults the options of the tasks dispatched without their own
     * @return a new manager; close it
     */
    default TaskManager taskManager(TaskOptions defaults) {
        return new RemoteTaskManager(this, defaults);
    }

    /**
     * The tool libraries of the daemon's tools directory whose name, description or functions
     * match every word of {@code query} ({@code GET /tools?query=}). Libraries are read from
     * their sources and cached until the directory changes.
     *
     * @param query words, e.g. {@code stock average}; blank for every library
     * @return the daemon's tools directory and the matching libraries
     * @throws AgentKernelException as described there
     */
    ToolCatalog searchTools(String query);

    /**
     * Every tool library of the daemon's tools directory.
     *
     * @return the tools directory and its libraries
     * @throws AgentKernelException as described there
     */
    default ToolCatalog searchTools() {
        return searchTools("");
    }

    /**
     * Drops the daemon's cache of tool libraries, so that the next search reads the directory
     * again ({@code DELETE /tools/cache}).
     *
     * @throws AgentKernelException as described there
     */
    void clearToolCache();

    /**
     * Creates a persistent sandbox for the length of a {@code try} block; closing the session
     * removes it. If creation fails, nothing is left to remove.
     *
     * @param name    a name not in use
     * @param options image, limits, profile, network
     * @return the session; close it
     * @throws AgentKernelException as for {@link #createSandbox(String, SandboxOptions)}
     */
    SandboxSession sandbox(String name, SandboxOptions options);

    /**
     * Creates a sandbox session with the default options.
     *
     * @param name a name not in use
     * @return the session; close it
     * @throws AgentKernelException as for {@link #createSandbox(String, SandboxOptions)}
     */
    default SandboxSession sandbox(String name) {
        return sandbox(name, SandboxOptions.defaults());
    }

    /**
     * This client with another per-request timeout, sharing its connections. Closing the returned
     * client does nothing; it stops working when this one is closed.
     *
     * @param timeout the longest wait for a response, e.g. {@code Duration.ofMinutes(10)}
     * @return a view of this client
     * @throws IllegalArgumentException if the timeout is not positive
     */
    AgentKernel withTimeout(Duration timeout);

    /**
     * The images in the daemon's store ({@code GET /images}), by reference.
     *
     * @return the images
     * @throws AgentKernelException as described there
     */
    List<ImageInfo> listImages();

    /**
     * Brings an image into the daemon's store ({@code POST /images/pull}, whose Server-Sent Events
     * are given to {@code listener}) and waits until it is stored. The client's timeout bounds the
     * wait for the first event (the manifest); the layers may take longer.
     *
     * @param reference the reference, e.g. {@code python:3.12-alpine}
     * @param policy    when to ask the registry
     * @param listener  receives the progress, on this thread
     * @return the stored image
     * @throws ValidationException       if the reference is not valid
     * @throws NotFoundException         if neither the store nor the registry has the image
     * @throws PermissionDeniedException if the registry refuses access
     * @throws ServerException           if the registry cannot be reached or the pull fails on the way
     */
    ImageInfo pullImage(String reference, PullPolicy policy, ImagePullListener listener);

    /**
     * Removes an image reference from the daemon's store ({@code DELETE /images/{ref}}).
     *
     * @param reference the reference
     * @throws NotFoundException   if no image is stored under it
     * @throws ConflictException   if a sandbox uses the image
     * @throws ValidationException if the reference is not valid
     */
    void removeImage(String reference);

    /**
     * The images of the daemon's store, one verb per action.
     *
     * @return the images' client
     */
    default Images images() {
        return new Images(this);
    }

    /**
     * The persistent sandboxes, one verb per action ({@code sandboxes().create(...)}, {@code exec}, ...).
     *
     * @return the sandboxes' client
     */
    default Sandboxes sandboxes() {
        return new Sandboxes(this);
    }

    /**
     * The code sessions, one verb per action.
     *
     * @return the sessions' client
     */
    default Sessions sessions() {
        return new Sessions(this);
    }

    /**
     * The background tasks, one verb per action.
     *
     * @return the tasks' client
     */
    default Tasks tasks() {
        return new Tasks(this);
    }

    // ---- background processes of a persistent sandbox (issue 15, point 3) ----

    /**
     * Starts a command in the background in a running sandbox ({@code POST /sandboxes/{name}/exec/detach}):
     * it runs in its own process group until it ends, is killed ({@link #killDetached}) or the sandbox
     * stops; its output is kept (the last few MiB of each stream). A program that does not exist ends at
     * once with exit code 127. The options' timeout does not apply.
     *
     * @param sandbox the sandbox
     * @param command the argv
     * @param options environment, working directory, sudo
     * @return the process, usually still running
     * @throws NotFoundException   if there is no such sandbox
     * @throws ConflictException   if the sandbox is stopped
     * @throws ValidationException for a bad command, variable or working directory
     * @throws ServerException     if too many background processes run in the sandbox (429)
     */
    BackgroundProcess execDetached(String sandbox, List<String> command, ExecOptions options);

    /**
     * A sandbox's background processes, oldest first ({@code GET /sandboxes/{name}/exec/detached}): the
     * running ones and the newest ended ones.
     *
     * @param sandbox the sandbox
     * @return its background processes
     * @throws ConflictException if the sandbox is stopped (its processes ended with it)
     */
    List<BackgroundProcess> listDetached(String sandbox);

    /**
     * One background process ({@code GET /sandboxes/{name}/exec/detached/{id}}).
     *
     * @param sandbox the sandbox
     * @param id      the process's id
     * @return it now
     * @throws NotFoundException if there is no such sandbox or process
     */
    BackgroundProcess detached(String sandbox, String id);

    /**
     * What a background process wrote so far ({@code GET /sandboxes/{name}/exec/detached/{id}/logs}).
     *
     * @param sandbox the sandbox
     * @param id      the process's id
     * @return its kept output, both streams
     * @throws NotFoundException if there is no such sandbox or process
     */
    BackgroundLogs detachedLogs(String sandbox, String id);

    /**
     * Follows a background process's output live ({@code GET .../exec/detached/{id}/logs?follow=true}):
     * {@link StreamEvent.Started}, what was kept so far and new output as {@link StreamEvent.Output}, then
     * {@link StreamEvent.Done} with its exit code. Closing the stream stops following, never the process.
     *
     * @param sandbox the sandbox
     * @param id      the process's id
     * @return its events as they come; close it
     * @throws NotFoundException if there is no such sandbox or process
     */
    EventStream followDetached(String sandbox, String id);

    /**
     * Kills a background process with every process of its group (SIGKILL)
     * ({@code DELETE /sandboxes/{name}/exec/detached/{id}}). One that ended already is left as it is.
     *
     * @param sandbox the sandbox
     * @param id      the process's id
     * @return the daemon's message
     * @throws NotFoundException if there is no such sandbox or process
     */
    String killDetached(String sandbox, String id);

    // ---- snapshots and forks (issue 15) ----

    /**
     * Takes a snapshot of a persistent sandbox, running or stopped ({@code POST /snapshots}): its
     * image plus one layer with what it changed in its root file system and its whole
     * {@code /workspace} (not {@code /tmp}, not its memory or processes).
     *
     * @param sandbox the sandbox
     * @param name    the snapshot's name (letters, digits, '-', '_', '.'); empty: {@code SANDBOX-YYYYMMDD-HHMMSS}
     * @return the snapshot
     * @throws NotFoundException   if there is no such sandbox
     * @throws ConflictException   if the name is taken, or the sandbox has no image of its own (it runs on the
     *                             host's {@code /usr}, or has a host directory at {@code /workspace})
     * @throws ValidationException if the name is not valid
     */
    SnapshotInfo takeSnapshot(String sandbox, java.util.Optional<String> name);

    /**
     * The snapshots, oldest first ({@code GET /snapshots}).
     *
     * @return every snapshot
     */
    List<SnapshotInfo> listSnapshots();

    /**
     * One snapshot ({@code GET /snapshots/{name}}).
     *
     * @param name the snapshot
     * @return it
     * @throws NotFoundException if there is none of that name
     */
    SnapshotInfo getSnapshot(String name);

    /**
     * Deletes a snapshot and its image ({@code DELETE /snapshots/{name}}).
     *
     * @param name the snapshot
     * @throws NotFoundException if there is none of that name
     * @throws ConflictException while a sandbox runs on it
     */
    void deleteSnapshot(String name);

    /**
     * Puts a sandbox on a snapshot's files, exactly ({@code POST /snapshots/{name}/restore}); a
     * running sandbox is started again on them, one that does not exist is created from the snapshot.
     *
     * @param name the snapshot
     * @param into the sandbox; empty: the one the snapshot was taken from
     * @return the sandbox
     * @throws NotFoundException if there is no such snapshot
     */
    SandboxInfo restoreSnapshot(String name, java.util.Optional<String> into);

    /**
     * Makes {@code count} new sandboxes with the files a sandbox has now
     * ({@code POST /sandboxes/{name}/fork}): a snapshot of it is taken (and kept), the new sandboxes,
     * named {@code NAME-1} ... {@code NAME-count}, are made from it. All or nothing.
     *
     * @param name  the sandbox
     * @param count how many, at least one
     * @return the snapshot and the new sandboxes, running
     * @throws ValidationException if count is below one
     * @throws ConflictException   if a name is taken or the sandbox has no image of its own
     * @throws ResourceLimitException if more sandboxes are asked for than may run
     */
    ForkResult forkSandbox(String name, int count);

    /**
     * As {@link #forkSandbox(String, int)}, with the new sandboxes' names.
     *
     * @param name  the sandbox
     * @param names the new sandboxes' names, at least one
     * @return the snapshot and the new sandboxes, running, in the order of {@code names}
     */
    ForkResult forkSandbox(String name, List<String> names);

    /**
     * The snapshots, one verb per action.
     *
     * @return the snapshots' client
     */
    default Snapshots snapshots() {
        return new Snapshots(this);
    }

    /**
     * Releases the connections. Requests still running on other threads fail with
     * {@link ConnectionException} (open event streams end, and with them their commands); later
     * calls throw {@link IllegalStateException}. Idempotent; never throws.
     */
    @Override
    void close();

    // ---- named volumes (issue 15, point 6) ----

    /**
     * Creates and starts a persistent sandbox that mounts named volumes at every start.
     *
     * @param name    a name not in use
     * @param options image, limits, profile, network
     * @param volumes {@code NAME:/path} (read-write) or {@code NAME:/path:ro}; each volume must exist
     * @return the new sandbox
     * @throws NotFoundException   if a volume does not exist
     * @throws ValidationException for a bad entry or a path used twice
     * @throws ConflictException   if a sandbox of that name exists
     */
    SandboxInfo createSandbox(String name, SandboxOptions options, List<String> volumes);

    /**
     * Creates a named volume ({@code POST /volumes}).
     *
     * @param name   a name not in use
     * @param sizeMb its size in MiB; empty: the server's default (1024)
     * @return the new volume
     * @throws ConflictException   if one of that name exists
     * @throws ValidationException for a bad name or size
     */
    VolumeInfo createVolume(String name, java.util.OptionalLong sizeMb);

    /**
     * Every named volume ({@code GET /volumes}), oldest first.
     *
     * @return the volumes
     */
    List<VolumeInfo> listVolumes();

    /**
     * A named volume ({@code GET /volumes/NAME}).
     *
     * @param name its name
     * @return the volume, with its use and the sandboxes that mount it
     * @throws NotFoundException if there is none
     */
    VolumeInfo getVolume(String name);

    /**
     * Removes a named volume and its files ({@code DELETE /volumes/NAME}).
     *
     * @param name  its name
     * @param force also when stopped sandboxes mount it (they lose the mount); never while a running one does
     * @throws NotFoundException if there is none
     * @throws ConflictException while a sandbox mounts it
     */
    void removeVolume(String name, boolean force);

    /**
     * The named volumes, one verb per action.
     *
     * @return the volumes' client
     */
    default Volumes volumes() {
        return new Volumes(this);
    }

    // ---- secrets (issue 16) ----

    /**
     * Sets a secret ({@code PUT /secrets/NAME}): creates it, or replaces the value of the one of
     * that name. The server stores the value encrypted and never shows it again; sandboxes it is
     * granted to see only a placeholder.
     *
     * @param name  an environment variable's name ({@code [A-Za-z_][A-Za-z0-9_]*}, at most 128 characters)
     * @param value the value: not empty, at most 64 KiB of UTF-8
     * @return its name and dates
     * @throws ValidationException for a bad name or value
     */
    SecretInfo setSecret(String name, String value);

    /**
     * Every secret's name and dates ({@code GET /secrets}), by name; never values.
     *
     * @return the secrets
     */
    List<SecretInfo> listSecrets();

    /**
     * A secret's name and dates ({@code GET /secrets/NAME}); never its value.
     *
     * @param name its name
     * @return the secret
     * @throws NotFoundException if there is none
     */
    SecretInfo getSecret(String name);

    /**
     * Removes a secret ({@code DELETE /secrets/NAME}).
     *
     * @param name its name
     * @throws NotFoundException if there is none
     */
    void removeSecret(String name);

    /**
     * The server's secrets, one verb per action.
     *
     * @return the secrets' client
     */
    default Secrets secrets() {
        return new Secrets(this);
    }
}
