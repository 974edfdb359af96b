package dev.agentkernel.client;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * An interactive program on a pseudo-terminal inside a sandbox ({@link AgentKernel#attach}):
 * a shell, usually. Its output arrives as raw bytes (the terminal's, with escape sequences and
 * {@code \r\n}); what is written to its input is what a user types (a newline runs a shell
 * command, {@code 0x03} is Ctrl-C, {@code 0x04} at the start of a line is Ctrl-D).
 *
 * {@snippet :
 * try (TerminalSession shell = client.attach("box", AttachOptions.defaults())) {
 *     shell.input("echo $((6 * 7)); exit 3\n");
 *     int exitCode = shell.transferTo(System.out); // prints the prompt, the echo, 42
 * }
 * }
 *
 * <p>One thread reads the output ({@link #read()} until it returns null, or
 * {@link #transferTo}); any thread may send input, resize or close. The session ends when the
 * program exits; {@link #close()} before that kills it (so does the end of this process: the
 * server kills a session whose reader left).
 */
public interface TerminalSession extends AutoCloseable {

    /**
     * The session's id on the server.
     *
     * @return the id, e.g. {@code 2f1c...}
     */
    String id();

    /**
     * The sandbox it runs in.
     *
     * @return the sandbox's name
     */
    String sandbox();

    /**
     * The next piece of output, as the program wrote it; blocks until there is one.
     *
     * @return the bytes (never empty), or null once the program exited ({@link #exitCode()} is then
     *         complete) or the session was closed
     * @throws ConnectionException if the connection to the server broke before the program exited
     * @throws IllegalStateException if another thread is reading
     */
    byte[] read();

    /**
     * Sends bytes to the program's input, as if typed (large inputs are sent in pieces of 64 KiB).
     *
     * @param bytes what to send
     * @throws NotFoundException   if the session has ended
     * @throws AgentKernelException for the other failures
     */
    void input(byte[] bytes);

    /**
     * Sends text to the program's input, encoded as UTF-8.
     *
     * @param text what to type, e.g. {@code "ls\n"}
     * @throws AgentKernelException as for {@link #input(byte[])}
     */
    default void input(String text) {
        input(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Ends the program's input (what the end of a pipe would do; on a terminal, a shell usually
     * exits).
     *
     * @throws NotFoundException if the session has ended
     */
    void endInput();

    /**
     * Changes the terminal's size; the program gets {@code SIGWINCH}.
     *
     * @param rows height in lines, 1 to 1000
     * @param cols width in columns, 1 to 1000
     * @throws IllegalArgumentException if a value is out of range
     * @throws NotFoundException        if the session has ended
     */
    void resize(int rows, int cols);

    /**
     * The program's exit code, as a shell reports it (128 + signal when killed). Completes
     * when {@link #read()} reaches the program's end; completes exceptionally with
     * {@link ConnectionException} if the connection broke first, or when the session was closed
     * before the program exited.
     *
     * @return the exit code's future
     */
    CompletableFuture<Integer> exitCode();

    /**
     * Copies all output to {@code out} (flushing after each piece) until the program exits.
     *
     * @param out where the output goes, e.g. {@code System.out}
     * @return the program's exit code
     * @throws ConnectionException  if the connection broke before the program exited
     * @throws IllegalStateException if the session was closed before the program exited
     * @throws UncheckedIOException  if writing to {@code out} fails
     */
    default int transferTo(OutputStream out) {
        try {
            for (byte[] chunk; (chunk = read()) != null; ) {
                out.write(chunk);
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CompletableFuture<Integer> exit = exitCode();
        if (!exit.isDone() || exit.isCompletedExceptionally()) {
            throw new IllegalStateException("the session was closed before its program exited");
        }
        return exit.join();
    }

    /**
     * Kills the program if it still runs and releases the connection. Idempotent; never throws.
     */
    @Override
    void close();
}
