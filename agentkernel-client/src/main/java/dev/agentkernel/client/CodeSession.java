package dev.agentkernel.client;

import java.time.Duration;
import java.util.Optional;

/**
 * A stateful code session that lives as long as a {@code try} block: created by
 * {@link AgentKernel#codeSession(CodeOptions)}, started on the server by the first
 * {@link #execute(String)}, deleted with its sandbox and files by {@link #close()}, also when
 * the block throws.
 *
 * {@snippet :
 * try (CodeSession node = client.codeSession("node")) {
 *     node.execute("const square = n => n * n");
 *     CodeResult r = node.execute("square(7)");
 *     System.out.print(r.stdout()); // 49
 *     r = node.execute("undefinedFunction()");
 *     r.error().ifPresent(e -> System.err.println(e.describe())); // ReferenceError: ...
 * }
 * }
 *
 * <p>Calls run one at a time on the server, in the order they arrive. Thread-safe: concurrent
 * first calls create one session, not several.
 */
public interface CodeSession extends AutoCloseable {

    /**
     * The session's id on the server.
     *
     * @return its id, or empty before the first execute created it (and after a first execute failed)
     */
    Optional<String> id();

    /**
     * Runs code in the session, creating it on the first call, with the session's default timeout.
     *
     * @param code the code: statements and expressions, several lines allowed
     * @return what it printed and whether it raised; code that raises is a result, not an exception
     * @throws IllegalStateException     if the session is closed
     * @throws SessionNotFoundException  if the server removed the session (idle too long, or deleted)
     * @throws AgentKernelException      as for {@link AgentKernel#executeCode(String, CodeOptions)}
     */
    CodeResult execute(String code);

    /**
     * Runs code in the session, creating it on the first call, with its own timeout.
     *
     * @param code    the code
     * @param timeout this execution's limit: a positive duration, at most an hour
     * @return what it printed and whether it raised
     * @throws IllegalStateException if the session is closed
     * @throws AgentKernelException  as for {@link #execute(String)}
     */
    CodeResult execute(String code, Duration timeout);

    /**
     * The session as the server describes it now.
     *
     * @return its description
     * @throws IllegalStateException    if no execute has created it yet
     * @throws SessionNotFoundException if the server removed it
     */
    SessionInfo info();

    /**
     * Deletes the session, if an execute created it. Idempotent; a session already gone is not
     * an error; a failed deletion may be retried by calling again. Waits for an execute that is
     * creating the session. When the {@code try} block threw, a failure to delete is added to
     * that exception as suppressed.
     *
     * @throws AgentKernelException if the server cannot delete it
     */
    @Override
    void close();
}
