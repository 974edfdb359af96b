/**
 * Java client of the AgentKernel daemon's HTTP API: run untrusted commands in isolated
 * sandboxes from Java. Depends only on the JDK's {@link java.net.http.HttpClient} and Jackson.
 *
 * {@snippet :
 * try (AgentKernel client = AgentKernel.create()) {            // AGENTKERNEL_BASE_URL, AGENTKERNEL_API_KEY
 *     RunResult result = client.run("python3", "-c", "print(1 + 1)");
 *     System.out.print(result.output());                       // 2
 *
 *     try (EventStream events = client.runStream(List.of("sh", "-c", "echo a; sleep 1; echo b"))) {
 *         for (StreamEvent event : events) {
 *             if (event instanceof StreamEvent.Output out) {
 *                 System.out.print(out.text());                // as it is printed
 *             }
 *         }
 *     }
 *
 *     try (SandboxSession sandbox = client.sandbox("work")) {  // removed at the end of the block
 *         sandbox.writeFile("/workspace/hello.txt", "hello\n");
 *         System.out.print(sandbox.run("cat", "/workspace/hello.txt").output());
 *     }
 * }
 * }
 *
 * <h2>Entry points</h2>
 * <ul>
 *   <li>{@link dev.agentkernel.client.AgentKernel}: the blocking client;
 *       {@link dev.agentkernel.client.AsyncAgentKernel}: the same calls returning
 *       {@link java.util.concurrent.CompletableFuture}s. Both are built by
 *       {@link dev.agentkernel.client.ClientBuilder}.</li>
 *   <li>{@link dev.agentkernel.client.SandboxSession} and
 *       {@link dev.agentkernel.client.AsyncSandboxSession}: a persistent sandbox removed when
 *       the session closes.</li>
 *   <li>{@link dev.agentkernel.client.EventStream} of
 *       {@link dev.agentkernel.client.StreamEvent}s: a command's output as it happens
 *       ({@code runStream}, {@code execStream}).</li>
 *   <li>{@link dev.agentkernel.client.TerminalSession}: an interactive program on a
 *       pseudo-terminal in a sandbox ({@code attach}).</li>
 *   <li>{@link dev.agentkernel.client.CodeSession} and
 *       {@link dev.agentkernel.client.AsyncCodeSession}: a stateful Python, Node.js or bash
 *       interpreter whose variables survive between calls ({@code codeSession},
 *       {@code executeCode}), deleted when the session closes.</li>
 * </ul>
 *
 * <h2>Errors</h2>
 * Every failure is an unchecked {@link dev.agentkernel.client.AgentKernelException}, one of a
 * sealed set of subtypes chosen by HTTP status and the error's code (400/413 validation, 401
 * authentication, 403 permission, 404 not found (a code session: session not found), 409
 * conflict, 429 resource limit, 5xx server (an interpreter that cannot start: code execution),
 * no response: connection). A command that exits non-zero is a result
 * ({@link dev.agentkernel.client.RunResult#exitCode()}), and so is code that raises
 * ({@link dev.agentkernel.client.CodeResult#error()}), not an exception. Arguments that can never be valid (nulls, an empty sandbox name, an
 * environment variable name with {@code =}) throw {@link java.lang.IllegalArgumentException} or
 * {@link java.lang.NullPointerException} before any request.
 */
package dev.agentkernel.client;
