package dev.agentkernel.client;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/** {@link CodeSession} of a session on the daemon, created by its first execute. Package-private. */
final class RemoteCodeSession implements CodeSession {

    private final AgentKernel client;
    /** The new session's template, flavor, volumes and default timeout; no session id. */
    private final CodeOptions creation;
    /** Held while the session is being created or deleted. */
    private final ReentrantLock lifecycle = new ReentrantLock();
    private volatile String id;
    private volatile boolean closed;

    RemoteCodeSession(AgentKernel client, CodeOptions options) {
        this.client = client;
        Objects.requireNonNull(options, "options");
        this.id = options.sessionId().orElse(null);
        this.creation = new CodeOptions(Optional.empty(), options.template(), options.flavor(), options.timeout(),
                options.volumes());
    }

    @Override
    public Optional<String> id() {
        return Optional.ofNullable(id);
    }

    @Override
    public CodeResult execute(String code) {
        return execute(code, creation.timeout());
    }

    @Override
    public CodeResult execute(String code, Duration timeout) {
        return execute(code, Optional.of(Timeouts.requirePositive(timeout, "timeout")));
    }

    private CodeResult execute(String code, Optional<Duration> timeout) {
        Objects.requireNonNull(code, "code");
        requireOpen();
        String known = id;
        if (known == null) {
            lifecycle.lock();
            try {
                requireOpen();
                known = id;
                if (known == null) {
                    CodeResult first = client.executeCode(code, new CodeOptions(Optional.empty(), creation.template(),
                            creation.flavor(), timeout, creation.volumes()));
                    id = first.sessionId();
                    return first;
                }
            } finally {
                lifecycle.unlock();
            }
        }
        // Only the id: the session has its template and flavor, and volumes are for new sessions.
        return client.executeCode(code, new CodeOptions(Optional.of(known), Optional.empty(), Optional.empty(), timeout,
                List.of()));
    }

    @Override
    public SessionInfo info() {
        String known = id;
        if (known == null) {
            throw new IllegalStateException("the code session does not exist yet: its first execute creates it");
        }
        return client.getSession(known);
    }

    @Override
    public void close() {
        lifecycle.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            String known = id;
            if (known == null) {
                return;
            }
            try {
                client.deleteSession(known);
            } catch (SessionNotFoundException alreadyGone) {
                // deleted by someone else, or expired: the session's job is done
            } catch (RuntimeException e) {
                closed = false; // let a later close() try again
                throw e;
            }
        } finally {
            lifecycle.unlock();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the code session is closed; open a new one with client.codeSession(...)");
        }
    }

    @Override
    public String toString() {
        String known = id;
        return "CodeSession[" + (known == null ? "not created" : known) + (closed ? ", closed" : "") + "]";
    }
}
