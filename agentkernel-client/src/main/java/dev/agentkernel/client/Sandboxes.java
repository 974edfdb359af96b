package dev.agentkernel.client;

import java.util.List;

/**
 * The persistent sandboxes of a client ({@link AgentKernel#sandboxes()}): one verb per action.
 * Each method is the client call of the same meaning (e.g. {@link #exec} is
 * {@link AgentKernel#execInSandbox}).
 */
public final class Sandboxes {

    private final AgentKernel client;

    Sandboxes(AgentKernel client) {
        this.client = client;
    }

    /**
     * Lists them.
     *
     * @return every persistent sandbox
     */
    public List<SandboxInfo> list() {
        return client.listSandboxes();
    }

    /**
     * Creates and starts one.
     *
     * @param name    the new sandbox's name
     * @param options its image, profile and limits
     * @return the sandbox, running
     */
    public SandboxInfo create(String name, SandboxOptions options) {
        return client.createSandbox(name, options);
    }

    /**
     * Looks one up.
     *
     * @param name the sandbox
     * @return it
     */
    public SandboxInfo get(String name) {
        return client.getSandbox(name);
    }

    /**
     * Looks one up by its uuid.
     *
     * @param uuid the sandbox's uuid
     * @return it
     */
    public SandboxInfo byUuid(String uuid) {
        return client.getSandboxByUuid(uuid);
    }

    /**
     * Gives one with a time to live more time.
     *
     * @param name the sandbox
     * @param by   how much more
     * @return its new expiry; empty if it has no time to live
     */
    public java.util.Optional<java.time.Instant> extend(String name, java.time.Duration by) {
        return client.extendSandbox(name, by);
    }

    /**
     * Writes several text files in one request.
     *
     * @param name  the sandbox
     * @param files path → text; relative paths under {@code /workspace}
     * @return how many were written
     */
    public int writeAll(String name, java.util.Map<String, String> files) {
        return client.writeFiles(name, files);
    }

    /**
     * Starts one again.
     *
     * @param name the sandbox
     * @return it, running
     */
    public SandboxInfo start(String name) {
        return client.startSandbox(name);
    }

    /**
     * Stops one.
     *
     * @param name the sandbox
     * @return it, stopped (its files kept)
     */
    public SandboxInfo stop(String name) {
        return client.stopSandbox(name);
    }

    // ---- pause and resume (issue 15) ----

    /**
     * Pauses one: every process frozen, memory kept, no CPU used. Idempotent.
     *
     * @param name the sandbox
     * @return it, paused
     */
    public SandboxInfo pause(String name) {
        return client.pauseSandbox(name);
    }

    /**
     * Resumes a paused one where it stopped. Idempotent.
     *
     * @param name the sandbox
     * @return it, running
     */
    public SandboxInfo resume(String name) {
        return client.resumeSandbox(name);
    }

    /**
     * Stops and removes one with its files.
     *
     * @param name the sandbox to stop and remove with its files
     */
    public void remove(String name) {
        client.removeSandbox(name);
    }

    /**
     * Runs a command in one and waits for its end.
     *
     * @param name    the sandbox
     * @param command the argv
     * @param options environment, working directory, timeout
     * @return its output and exit code
     */
    public RunResult exec(String name, List<String> command, ExecOptions options) {
        return client.execInSandbox(name, command, options);
    }

    /**
     * Runs a command in one, its output as events.
     *
     * @param name    the sandbox
     * @param command the argv
     * @param options environment, working directory, timeout
     * @return its events as they come
     */
    public EventStream stream(String name, List<String> command, ExecOptions options) {
        return client.execStream(name, command, options);
    }

    /**
     * Opens an interactive session.
     *
     * @param name    the sandbox
     * @param options the command and window size
     * @return an interactive session on a pseudo-terminal
     */
    public TerminalSession attach(String name, AttachOptions options) {
        return client.attach(name, options);
    }

    /**
     * Reads a file, as bytes.
     *
     * @param name the sandbox
     * @param path an absolute path in it
     * @return the file's bytes
     */
    public byte[] read(String name, String path) {
        return client.readFileBytes(name, path);
    }

    /**
     * Writes a file.
     *
     * @param name  the sandbox
     * @param path  an absolute path in it
     * @param bytes the content
     */
    public void write(String name, String path, byte[] bytes) {
        client.writeFile(name, path, bytes);
    }

    /**
     * Deletes a file.
     *
     * @param name the sandbox
     * @param path an absolute path in it
     */
    public void delete(String name, String path) {
        client.deleteFile(name, path);
    }

    /**
     * Its audit events.
     *
     * @param name the sandbox
     * @return its audit events
     */
    public List<AuditEvent> events(String name) {
        return client.logs(name);
    }

    // ---- background processes (issue 15, point 3) ----

    /**
     * Starts a command in the background in one.
     *
     * @param name    the sandbox
     * @param command the argv
     * @param options environment, working directory, sudo (no timeout applies)
     * @return the process, usually still running
     */
    public BackgroundProcess execDetached(String name, List<String> command, ExecOptions options) {
        return client.execDetached(name, command, options);
    }

    /**
     * Its background processes.
     *
     * @param name the sandbox
     * @return its background processes, oldest first
     */
    public List<BackgroundProcess> detached(String name) {
        return client.listDetached(name);
    }

    /**
     * One background process.
     *
     * @param name the sandbox
     * @param id   the process's id
     * @return it now
     */
    public BackgroundProcess detached(String name, String id) {
        return client.detached(name, id);
    }

    /**
     * A background process's output so far.
     *
     * @param name the sandbox
     * @param id   the process's id
     * @return its kept output
     */
    public BackgroundLogs detachedLogs(String name, String id) {
        return client.detachedLogs(name, id);
    }

    /**
     * Follows a background process's output live.
     *
     * @param name the sandbox
     * @param id   the process's id
     * @return its events as they come, ending with its exit code
     */
    public EventStream followDetached(String name, String id) {
        return client.followDetached(name, id);
    }

    /**
     * Kills a background process with its process group.
     *
     * @param name the sandbox
     * @param id   the process's id
     * @return the daemon's message
     */
    public String killDetached(String name, String id) {
        return client.killDetached(name, id);
    }

    // ---- forks (issue 15) ----

    /**
     * Makes new sandboxes with the files one has now, named {@code NAME-1} ... {@code NAME-count}
     * (a snapshot of it is taken and kept: {@link AgentKernel#snapshots()}).
     *
     * @param name  the sandbox
     * @param count how many, at least one
     * @return the snapshot and the new sandboxes, running
     */
    public ForkResult fork(String name, int count) {
        return client.forkSandbox(name, count);
    }

    /**
     * Makes new sandboxes, of these names, with the files one has now.
     *
     * @param name  the sandbox
     * @param names the new sandboxes' names
     * @return the snapshot and the new sandboxes, running, in that order
     */
    public ForkResult fork(String name, List<String> names) {
        return client.forkSandbox(name, names);
    }

    /**
     * Opens one that is removed when closed.
     *
     * @param name    a new sandbox's name
     * @param options its image, profile and limits
     * @return a session that removes the sandbox when closed
     */
    public SandboxSession open(String name, SandboxOptions options) {
        return client.sandbox(name, options);
    }
}
