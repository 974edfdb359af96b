package dev.agentkernel.client;

import java.util.Iterator;
import java.util.stream.Stream;

/**
 * The live events of a streamed run, as they arrive from the server. Like
 * {@link java.nio.file.DirectoryStream} it may be iterated once, and it must be closed:
 *
 * {@snippet :
 * try (EventStream events = client.runStream(List.of("python3", "script.py"))) {
 *     for (StreamEvent event : events) {
 *         if (event instanceof StreamEvent.Output out) {
 *             System.out.print(out.text());
 *         }
 *     }
 * }
 * }
 *
 * <p>Iteration ends after the {@link StreamEvent.Done} or {@link StreamEvent.Error} event, and
 * the connection is released then. Closing the stream before that closes the HTTP connection,
 * and the server then kills the command and removes its sandbox. Iteration throws
 * {@link ConnectionException} if the connection breaks, or ends before a done or error event,
 * and {@link ServerException} if an event is not the API's. Events the client does not know are
 * skipped. Not thread-safe, except that {@link #close()} may be called from any thread: a
 * thread waiting for the next event then sees the iteration end.
 */
public interface EventStream extends Iterable<StreamEvent>, AutoCloseable {

    /**
     * The events, in order; blocks until the next one arrives.
     *
     * @return the only iterator of this stream
     * @throws IllegalStateException if called a second time
     */
    @Override
    Iterator<StreamEvent> iterator();

    /**
     * The events as a sequential {@link Stream}, whose {@link Stream#close()} closes this event
     * stream. Uses up the one iteration.
     *
     * @return the stream of events
     * @throws IllegalStateException if the events were already iterated
     */
    Stream<StreamEvent> stream();

    /**
     * Closes the connection if the stream has not ended yet, which ends the command on the
     * server; then nothing more is read. Idempotent; never throws.
     */
    @Override
    void close();
}
