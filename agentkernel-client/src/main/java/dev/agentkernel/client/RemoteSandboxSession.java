package dev.agentkernel.client;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@link SandboxSession} of a sandbox on the daemon. Package-private. */
final class RemoteSandboxSession implements SandboxSession {

    private final AgentKernel client;
    private final String name;
    private final AtomicBoolean closed = new AtomicBoolean();

    RemoteSandboxSession(AgentKernel client, String name) {
        this.client = client;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public SandboxInfo info() {
        return client.getSandbox(name);
    }

    @Override
    public RunResult run(List<String> command, ExecOptions options) {
        return client.execInSandbox(name, command, options);
    }

    @Override
    public FileContent readFile(String path) {
        return client.readFile(name, path);
    }

    @Override
    public byte[] readFileBytes(String path) {
        return client.readFileBytes(name, path);
    }

    @Override
    public void writeFile(String path, String text) {
        client.writeFile(name, path, text);
    }

    @Override
    public void writeFile(String path, byte[] bytes) {
        client.writeFile(name, path, bytes);
    }

    @Override
    public void deleteFile(String path) {
        client.deleteFile(name, path);
    }

    @Override
    public List<AuditEvent> logs() {
        return client.logs(name);
    }

    @Override
    public BackgroundProcess execDetached(List<String> command, ExecOptions options) {
        return client.execDetached(name, command, options);
    }

    @Override
    public List<BackgroundProcess> detached() {
        return client.listDetached(name);
    }

    @Override
    public BackgroundProcess detached(String id) {
        return client.detached(name, id);
    }

    @Override
    public BackgroundLogs detachedLogs(String id) {
        return client.detachedLogs(name, id);
    }

    @Override
    public EventStream followDetached(String id) {
        return client.followDetached(name, id);
    }

    @Override
    public String killDetached(String id) {
        return client.killDetached(name, id);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            client.removeSandbox(name);
        } catch (NotFoundException alreadyGone) {
            // removed by someone else: the session's job is done
        } catch (RuntimeException e) {
            closed.set(false); // let a later close() try again
            throw e;
        }
    }

    @Override
    public String toString() {
        return "SandboxSession[" + name + (closed.get() ? ", closed" : "") + "]";
    }
}
