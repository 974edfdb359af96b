package dev.agentkernel.core.process;

import dev.agentkernel.model.SandboxFailureException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Starts the processes of one program by asking a long-lived instance of it to fork them: the
 * program's {@code --serve 3} mode (AgentKernel's launcher {@code ak-launch} has one). Each
 * start costs a {@code fork} of a small static process and one message each way on a Unix
 * socket, where a spawn from this JVM costs a {@code vfork} of the JVM, the exec of the
 * program and the program's own start (about 2 ms of every sandbox start on these machines).
 *
 * <p>The protocol, one {@code SOCK_SEQPACKET} message each (the C side is {@code serve()} in
 * {@code ak-launch.c}): a request is {@code int64 seq, uint32 argc, uint32 envc}, then the
 * arguments, the environment and the working directory as NUL-terminated strings, with the
 * child's standard input, output and error attached ({@code SCM_RIGHTS}); the server answers
 * every request in order with {@code int32 type=1, int32 errno, int64 seq, int32 pid, int32 0}
 * and the child's pidfd attached, and later, when it has reaped the child,
 * {@code type=2, status, 0, pid, 0}. Children are {@link NativeProcess}es: signalled through
 * their pidfd, ended by the server's report (on a reaper thread).
 *
 * <p>Lifetimes: the server gets {@code PR_SET_PDEATHSIG} from {@link Spawner}'s thread, so it
 * dies with this JVM, and it ends when its socket does; its children die with it (their own
 * {@code PR_SET_PDEATHSIG}), and whatever they started with them. If the server ends, every
 * child still running is reported killed (128 + 9) once it is gone, and the next start starts a
 * new server.
 *
 * <p>A redirect to a pipe ({@link ProcessBuilder.Redirect#PIPE}) gets a pipe made here, whose
 * child end is sent and whose end here is read or written through {@link PipeStreams} (waits in
 * {@link PipePoller}: a virtual thread pumping a sandbox's output holds no carrier thread). Where
 * {@link Spawner} would not start natively, or a request would not fit one message, the child goes
 * to {@link Spawner#start}, as every start does with {@code -Dagentkernel.forkserver=false}.
 */
public final class ForkServer {

    private static final Map<Path, ForkServer> SERVERS = new ConcurrentHashMap<>();
    private static final int STARTED = 1;
    private static final int EXITED = 2;
    private static final int REPLY_BYTES = 24;
    /** Well below the socket's send buffer (a SOCK_SEQPACKET message must fit it whole) and the server's 256 KiB. */
    private static final int MAX_REQUEST = 128 * 1024;
    private static final long REPLY_TIMEOUT_SECONDS = 30;
    /** How long a child of a server that died is given to die too (it gets SIGKILL) before it is reported ended. */
    private static final int ORPHAN_WAIT_MILLIS = 5_000;
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int O_RDWR = 2;
    private static final int O_CREAT = 0100;
    private static final int O_TRUNC = 01000;
    private static final int O_APPEND = 02000;
    private static final System.Logger LOG = System.getLogger(ForkServer.class.getName());
    /** {@code -Dagentkernel.forkserver=false}: every start through {@link Spawner#start} (for comparisons). */
    private static final boolean ENABLED = !"false".equals(System.getProperty("agentkernel.forkserver"));

    private final Path program;
    private final Object lock = new Object();
    private Connection connection; // guarded by lock: the live server, or null
    private int leases; // guarded by lock

    private ForkServer(Path program) {
        this.program = program;
    }

    /**
     * A hold on the fork server of {@code program} (one per program in this JVM, started on first
     * use): closing the last lease retires the server, which ends once the children it started
     * have (a backend's {@code close()} does not end its running sandboxes).
     */
    public static Lease lease(Path program) {
        ForkServer server = SERVERS.computeIfAbsent(program.toAbsolutePath().normalize(), ForkServer::new);
        synchronized (server.lock) {
            server.leases++;
        }
        return server.new Lease();
    }

    /** A user's hold on a {@link ForkServer}; closed once, by that user. */
    public final class Lease implements AutoCloseable {

        private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

        private Lease() {
        }

        /**
         * Starts {@code builder}'s command, whose first element must be the server's program, with
         * its environment, directory and redirects: forked by the server, or through
         * {@link Spawner#start} where it cannot be (see the class comment).
         *
         * @throws SandboxFailureException naming the program if it cannot be started
         * @throws IllegalStateException   if this lease is closed
         */
        public Process start(ProcessBuilder builder) {
            if (closed.get()) {
                throw new IllegalStateException("the lease on the fork server of " + program + " is closed");
            }
            return ForkServer.this.start(builder);
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                release();
            }
        }
    }

    private void release() {
        synchronized (lock) {
            if (--leases == 0 && connection != null) {
                connection.retire();
                connection = null;
            }
        }
    }

    private Process start(ProcessBuilder builder) {
        List<String> command = List.copyOf(builder.command());
        if (command.isEmpty() || !Path.of(command.getFirst()).toAbsolutePath().normalize().equals(program)) {
            throw new IllegalArgumentException("not a command of " + program + ": " + command);
        }
        if (!ENABLED || !Spawner.startsNatively()) {
            return Spawner.start(builder);
        }
        byte[] request = Request.encode(0, command, builder.environment(), builder.directory());
        if (request.length > MAX_REQUEST) {
            return Spawner.start(builder);
        }
        Connection live;
        try {
            live = connection();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot start the fork server " + program + " (" + e.getMessage()
                    + "); starting " + program.getFileName() + " directly");
            return Spawner.start(builder);
        }
        try {
            return live.start(command, request, builder);
        } catch (IOException e) {
            throw new SandboxFailureException("cannot start " + command.getFirst() + ": " + e.getMessage(), e);
        }
    }

    private Connection connection() throws IOException {
        synchronized (lock) {
            if (connection == null || connection.ended) {
                connection = Connection.open(program);
            }
            return connection;
        }
    }

    /** A request's bytes (see the class comment). */
    private static final class Request {

        private Request() {
        }

        static byte[] encode(long seq, List<String> command, Map<String, String> environment, java.io.File directory) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
            ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
            header.putLong(seq).putInt(command.size()).putInt(environment.size());
            out.writeBytes(header.array());
            command.forEach(arg -> string(out, arg));
            environment.forEach((name, value) -> string(out, name + "=" + value));
            string(out, directory == null ? "" : directory.getPath());
            return out.toByteArray();
        }

        static void setSeq(byte[] request, long seq) {
            ByteBuffer.wrap(request).order(ByteOrder.nativeOrder()).putLong(0, seq);
        }

        private static void string(ByteArrayOutputStream out, String value) {
            if (value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("invalid null character in a command, its environment or directory");
            }
            out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
    }

    /** A start sent, awaiting its answer: what completes with the child, and this process's ends of its pipes. */
    private record Pending(CompletableFuture<NativeProcess> answer, NativeProcess.Streams streams) {
    }

    /** One running server: its socket, the starts awaiting their answer and the children it has not reported ended. */
    private static final class Connection {

        private final Path program;
        private final SeqPacketSocket socket;
        private final Process server;
        private final int devNull;
        private final AtomicLong sequence = new AtomicLong();
        private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
        private final Map<Integer, NativeProcess> live = new ConcurrentHashMap<>();
        private volatile boolean ended;
        private volatile boolean retiring;

        private Connection(Path program, SeqPacketSocket socket, Process server, int devNull) {
            this.program = program;
            this.socket = socket;
            this.server = server;
            this.devNull = devNull;
        }

        static Connection open(Path program) throws IOException {
            SeqPacketSocket[] pair = SeqPacketSocket.pair();
            int devNull = -1;
            try {
                devNull = SeqPacketSocket.open("/dev/null", O_RDWR);
                ProcessBuilder builder = new ProcessBuilder(program.toString(), "--serve", "3")
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.INHERIT);
                builder.environment().clear();
                Process server = Spawner.startPassing(builder, pair[1].descriptor());
                pair[1].close();
                Connection connection = new Connection(program, pair[0], server, devNull);
                Thread.ofPlatform().daemon(true).name("ak-fork-server").start(connection::read);
                return connection;
            } catch (IOException | RuntimeException e) {
                pair[0].close();
                pair[1].close();
                PosixSpawn.closeQuietly(devNull);
                throw e;
            }
        }

        NativeProcess start(List<String> command, byte[] request, ProcessBuilder builder) throws IOException {
            long seq = sequence.incrementAndGet();
            Request.setSeq(request, seq);
            List<Integer> opened = new ArrayList<>(3); // the child's ends, closed here once sent
            java.io.Closeable[] ours = new java.io.Closeable[3]; // this process's ends of the pipes, by stream
            NativeProcess.Streams streams = new NativeProcess.Streams(null, null, null);
            Pending waiting = null;
            try {
                int in = childEnd(builder.redirectInput(), 0, opened, ours);
                int out = childEnd(builder.redirectOutput(), 1, opened, ours);
                int err = builder.redirectErrorStream() ? out : childEnd(builder.redirectError(), 2, opened, ours);
                streams = new NativeProcess.Streams((OutputStream) ours[0], (InputStream) ours[1], (InputStream) ours[2]);
                waiting = new Pending(new CompletableFuture<>(), streams);
                pending.put(seq, waiting);
                if (ended) { // the reader may have failed the pending starts before this one was added
                    throw new IOException("the fork server " + program.getFileName() + " has ended");
                }
                socket.send(request, in, out, err);
            } catch (IOException | RuntimeException e) {
                pending.remove(seq);
                NativeProcess.Streams.close(ours);
                throw e;
            } finally {
                opened.forEach(PosixSpawn::closeQuietly);
            }
            CompletableFuture<NativeProcess> answer = waiting.answer();
            try {
                return answer.get(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answer.thenAccept(NativeProcess::destroyForcibly);
                throw new IOException("interrupted while starting " + command.getFirst(), e);
            } catch (TimeoutException e) {
                answer.thenAccept(NativeProcess::destroyForcibly);
                throw new IOException("the fork server " + program.getFileName() + " did not answer in "
                        + REPLY_TIMEOUT_SECONDS + " s", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().toString(), e.getCause());
            }
        }

        /** No more starts: the server ends once its children have (at once if none runs). */
        void retire() {
            retiring = true;
            stopIfIdle();
        }

        private void stopIfIdle() {
            if (retiring && live.isEmpty() && pending.isEmpty()) {
                socket.shutdown(); // the server reads the end of its socket and exits; so does the reader here
            }
        }

        /**
         * The descriptor to send as the child's {@code fd} (0, 1 or 2): for a pipe, the child's
         * end of a new one (this process's end goes into {@code ours[fd]}), else {@link #descriptor}.
         */
        private int childEnd(ProcessBuilder.Redirect redirect, int fd, List<Integer> opened, java.io.Closeable[] ours)
                throws IOException {
            if (redirect.type() != ProcessBuilder.Redirect.Type.PIPE) {
                return descriptor(redirect, fd, opened);
            }
            PipeStreams.Pipe pipe = PipeStreams.pipe();
            int child = fd == 0 ? pipe.read() : pipe.write();
            int mine = fd == 0 ? pipe.write() : pipe.read();
            opened.add(child);
            try {
                ours[fd] = fd == 0 ? PipeStreams.output(mine) : PipeStreams.input(mine);
            } catch (IOException | RuntimeException e) {
                PosixSpawn.closeQuietly(mine);
                throw e;
            }
            return child;
        }

        /** The descriptor for a redirect (not a pipe) of the child's descriptor {@code fd}; files opened here go into {@code opened}. */
        private int descriptor(ProcessBuilder.Redirect redirect, int fd, List<Integer> opened) throws IOException {
            if (redirect.type() == ProcessBuilder.Redirect.Type.INHERIT) {
                return fd;
            }
            if (redirect.file() != null && redirect.file().getPath().equals("/dev/null")) {
                return devNull;
            }
            int flags = switch (redirect.type()) {
                case READ -> O_RDONLY;
                case WRITE -> O_WRONLY | O_CREAT | O_TRUNC;
                case APPEND -> O_WRONLY | O_CREAT | O_APPEND;
                case PIPE, INHERIT -> throw new IllegalArgumentException("not a file: " + redirect);
            };
            int opening = SeqPacketSocket.open(redirect.file().getPath(), flags);
            opened.add(opening);
            return opening;
        }

        /** The reader thread: answers and ends until the server's socket ends. */
        private void read() {
            try {
                Optional<SeqPacketSocket.Message> message;
                while ((message = socket.receive(REPLY_BYTES)).isPresent()) {
                    handle(message.get());
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "lost the fork server " + program.getFileName(), e);
            }
            end();
        }

        private void handle(SeqPacketSocket.Message message) {
            ByteBuffer reply = ByteBuffer.wrap(message.data()).order(ByteOrder.nativeOrder());
            if (message.data().length != REPLY_BYTES) {
                throw new IllegalStateException("a reply of " + message.data().length + " bytes");
            }
            int type = reply.getInt(0);
            int value = reply.getInt(4);
            long seq = reply.getLong(8);
            int pid = reply.getInt(16);
            if (type == STARTED) {
                Pending waiting = pending.remove(seq);
                if (value != 0 || message.fds().length != 1 || waiting == null) {
                    for (int fd : message.fds()) {
                        PosixSpawn.closeQuietly(fd);
                    }
                    if (waiting != null) {
                        waiting.streams().close();
                        waiting.answer().completeExceptionally(new IOException(value != 0 ? "error=" + value + ", "
                                + Libc.strerror(value) : "the fork server sent no pidfd"));
                    }
                    return;
                }
                NativeProcess child = NativeProcess.adopted(pid, message.fds()[0], waiting.streams());
                live.put(pid, child); // before the next message, which may be its end
                waiting.answer().complete(child);
            } else if (type == EXITED) {
                NativeProcess child = live.remove(pid);
                if (child != null) {
                    int code = PosixSpawn.exitCode(value);
                    NativeProcess.onReaperThread(() -> child.ended(code, null));
                }
                stopIfIdle();
            } else {
                throw new IllegalStateException("a reply of type " + type);
            }
        }

        /** The server is gone: so are its children (they die with it). */
        private void end() {
            ended = true;
            socket.close();
            server.destroyForcibly();
            IOException gone = new IOException("the fork server " + program.getFileName() + " ended");
            pending.values().forEach(waiting -> {
                waiting.streams().close();
                waiting.answer().completeExceptionally(gone);
            });
            pending.clear();
            // reported once gone (they got SIGKILL when the server died; the host's init reaps them now)
            live.values().forEach(child -> NativeProcess.onReaperThread(() -> {
                if (!child.awaitEnd(ORPHAN_WAIT_MILLIS)) {
                    LOG.log(System.Logger.Level.WARNING, "process " + child.pid() + " still runs " + ORPHAN_WAIT_MILLIS
                            + " ms after its fork server ended");
                }
                child.ended(0x80 + 9, null);
            }));
            live.clear();
            // devNull stays open: a start racing with this end may be sending it (one descriptor per lost server)
        }
    }
}
