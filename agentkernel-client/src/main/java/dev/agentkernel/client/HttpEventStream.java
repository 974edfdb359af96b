package dev.agentkernel.client;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** {@link EventStream} over the body of a {@code POST /run/stream} response. Package-private. */
final class HttpEventStream implements EventStream {

    private final InputStream body;
    private final SseReader reader;
    private final String what;
    private boolean iterated;
    private boolean ended;
    private volatile boolean closed;

    HttpEventStream(InputStream body, String what) {
        this.body = body;
        this.reader = new SseReader(body);
        this.what = what;
    }

    @Override
    public synchronized Iterator<StreamEvent> iterator() {
        if (iterated) {
            throw new IllegalStateException("an event stream can be iterated only once");
        }
        iterated = true;
        return new Iterator<>() {
            private StreamEvent next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    next = read();
                }
                return next != null;
            }

            @Override
            public StreamEvent next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("the event stream has ended");
                }
                StreamEvent e = next;
                next = null;
                return e;
            }
        };
    }

    @Override
    public Stream<StreamEvent> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(),
                Spliterator.ORDERED | Spliterator.NONNULL), false).onClose(this::close);
    }

    /** The next known event, or null after the last one or once closed. */
    private StreamEvent read() {
        if (ended || closed) {
            return null;
        }
        try {
            while (true) {
                SseReader.Frame frame = reader.next();
                if (frame == null) {
                    ended = true;
                    close();
                    throw new ConnectionException("the event stream of " + what
                            + " ended before its done or error event: the connection or the server went away", null);
                }
                Optional<StreamEvent> event;
                try {
                    event = Wire.streamEvent(frame.event(), frame.data());
                } catch (Wire.MalformedException e) {
                    ended = true;
                    close();
                    throw new ServerException(200, "the event stream of " + what + " is malformed: " + e.getMessage(), e);
                }
                if (event.isPresent()) {
                    if (event.get() instanceof StreamEvent.Done || event.get() instanceof StreamEvent.Error) {
                        ended = true;
                        close(); // the server ends the response here; release the connection at once
                    }
                    return event.get();
                }
            }
        } catch (IOException e) {
            ended = true;
            boolean byUs = closed;
            close();
            if (byUs) {
                return null;
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new ConnectionException("interrupted while reading the event stream of " + what, e);
            }
            throw new ConnectionException("reading the event stream of " + what + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            body.close();
        } catch (IOException | RuntimeException ignored) {
            // closing is best effort: the connection is dropped either way
        }
    }
}
