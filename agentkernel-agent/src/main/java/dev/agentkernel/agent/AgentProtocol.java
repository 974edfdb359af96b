package dev.agentkernel.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The wire protocol between {@link AgentConnection} and the in-sandbox agent
 * ({@code src/main/c/ak-agent.c}, whose header comment is the normative description).
 *
 * <p>Every frame is {@code u8 type | u32 channel | u32 length | payload}, big-endian. Requests
 * go to the agent's stdin, responses come from its stdout. A channel is a number the client
 * chooses for one operation; the agent tags every response with it. Strings in payloads are
 * UTF-8 encoded as {@code u32 length + bytes}; lists are {@code u32 count + strings}.
 * Flow control: per channel, each side may have at most {@link #WINDOW} bytes of data
 * (STDOUT/STDERR/FILE_DATA from the agent, STDIN from the client) unacknowledged by a
 * {@code WINDOW} frame from the other side.
 */
public final class AgentProtocol {

    /** Bytes of a frame header: type, channel, length. */
    public static final int HEADER_BYTES = 9;
    /** Largest request payload the agent accepts; a longer frame makes it exit. */
    public static final int MAX_REQUEST_PAYLOAD = 1 << 20;
    /** Largest response payload this client accepts (the agent sends at most 1 MiB, a PONG). */
    public static final int MAX_RESPONSE_PAYLOAD = 1 << 20;
    /** Largest data chunk either side puts into one frame. */
    public static final int CHUNK = 64 * 1024;
    /** Per-channel flow-control window in each direction, in bytes. */
    public static final int WINDOW = 256 * 1024;

    /** Request frame types (client to agent). */
    static final int EXEC = 0x01, STDIN = 0x02, RESIZE = 0x03, SIGNAL = 0x04, READ_FILE = 0x05,
            WRITE_FILE = 0x06, WRITE_DATA = 0x07, WRITE_END = 0x08, DELETE_FILE = 0x09, STAT = 0x0A,
            PING = 0x0B, WINDOW_REQ = 0x0C, CANCEL = 0x0D, MKDIRS = 0x0E;
    /** Response frame types (agent to client). */
    static final int STARTED = 0x81, STDOUT = 0x82, STDERR = 0x83, EXIT = 0x84, FILE_DATA = 0x85,
            FILE_END = 0x86, OK = 0x87, STAT_RESULT = 0x88, PONG = 0x89, WINDOW_RSP = 0x8A, ERROR = 0x8F;

    private AgentProtocol() {
    }

    /** Linux {@code errno} values that travel in {@link Response.Error} and that this client interprets. */
    public static final class Errno {
        /** Operation not permitted. */
        public static final int EPERM = 1;
        /** No such file or directory. */
        public static final int ENOENT = 2;
        /** No such process (the command on that channel is gone). */
        public static final int ESRCH = 3;
        /** Permission denied. */
        public static final int EACCES = 13;
        /** The channel is in use. */
        public static final int EBUSY = 16;
        /** A path component is not a directory. */
        public static final int ENOTDIR = 20;
        /** The path is a directory. */
        public static final int EISDIR = 21;
        /** Invalid argument (also: not a regular file). */
        public static final int EINVAL = 22;
        /** Too many channels. */
        public static final int EMFILE = 24;
        /** No space left on the sandbox's file system. */
        public static final int ENOSPC = 28;
        /** Read-only file system. */
        public static final int EROFS = 30;
        /** Malformed frame or payload. */
        public static final int EPROTO = 71;

        private Errno() {
        }
    }

    /** A frame read from or written to the wire; not validated beyond its header. */
    public record Frame(int type, int channel, byte[] payload) {

        /** Validates. */
        public Frame {
            if (type < 0 || type > 0xff) {
                throw new IllegalArgumentException("frame type out of range: " + type);
            }
            Objects.requireNonNull(payload, "payload");
        }

        /** Writes header and payload (does not flush). */
        public void writeTo(OutputStream out) throws IOException {
            byte[] header = new byte[HEADER_BYTES];
            ByteBuffer.wrap(header).put((byte) type).putInt(channel).putInt(payload.length);
            out.write(header);
            out.write(payload);
        }

        /**
         * Reads one frame.
         *
         * @param maxPayload longest payload accepted
         * @return the frame, or {@code null} on end of stream exactly between frames
         * @throws MalformedFrameException for a truncated frame or a longer payload than allowed
         */
        public static Frame readFrom(InputStream in, int maxPayload) throws IOException {
            byte[] header = new byte[HEADER_BYTES];
            int got = in.readNBytes(header, 0, HEADER_BYTES);
            if (got == 0) {
                return null;
            }
            if (got < HEADER_BYTES) {
                throw new MalformedFrameException("stream ended inside a frame header (" + got + " of 9 bytes)");
            }
            ByteBuffer b = ByteBuffer.wrap(header);
            int type = b.get() & 0xff;
            int channel = b.getInt();
            long length = Integer.toUnsignedLong(b.getInt());
            if (length > maxPayload) {
                throw new MalformedFrameException("frame of type 0x" + Integer.toHexString(type) + " claims "
                        + length + " bytes of payload, more than the limit of " + maxPayload);
            }
            byte[] payload = in.readNBytes((int) length);
            if (payload.length < length) {
                throw new MalformedFrameException("stream ended inside a frame payload (" + payload.length
                        + " of " + length + " bytes)");
            }
            return new Frame(type, channel, payload);
        }
    }

    /** The bytes on the wire do not form a valid frame or payload. */
    public static final class MalformedFrameException extends IOException {
        private static final long serialVersionUID = 1L;

        /** Creates the exception with a description of what was wrong. */
        public MalformedFrameException(String message) {
            super(message);
        }
    }

    /** A message to the agent. Each record is one frame type. */
    public sealed interface Request {
        /** The channel the request belongs to. */
        int channel();

        /** The request as a frame. */
        Frame toFrame();

        /** Decodes a request frame (the agent's side; used by tests and fakes). */
        static Request fromFrame(Frame f) throws MalformedFrameException {
            Reader r = new Reader(f);
            int ch = f.channel();
            Request req = switch (f.type()) {
                case EXEC -> {
                    int flags = r.u8();
                    int rows = r.u16();
                    int cols = r.u16();
                    String cwd = r.str();
                    yield new Exec(ch, r.list(), r.list(), cwd, (flags & 1) != 0, (flags & 2) != 0, rows, cols);
                }
                case STDIN -> new Stdin(ch, r.rest());
                case RESIZE -> new Resize(ch, r.u16(), r.u16());
                case SIGNAL -> new Signal(ch, r.i32());
                case READ_FILE -> new ReadFile(ch, r.restString());
                case WRITE_FILE -> new WriteFile(ch, r.i32(), r.restString());
                case WRITE_DATA -> new WriteData(ch, r.rest());
                case WRITE_END -> new WriteEnd(ch);
                case DELETE_FILE -> new DeleteFile(ch, r.restString());
                case STAT -> new Stat(ch, r.restString());
                case PING -> new Ping(ch, r.rest());
                case WINDOW_REQ -> new Window(ch, r.i32());
                case CANCEL -> new Cancel(ch);
                case MKDIRS -> new Mkdirs(ch, r.i32(), r.restString());
                default -> throw new MalformedFrameException("unknown request type 0x" + Integer.toHexString(f.type()));
            };
            r.end();
            return req;
        }

        /**
         * Starts a command: EXEC. {@code env} entries are {@code K=V}; an empty {@code cwd} is the agent's;
         * {@code root}: as root of the sandbox rather than its user.
         */
        record Exec(int channel, List<String> argv, List<String> env, String cwd, boolean tty, boolean root, int rows,
                    int cols) implements Request {
            /** Copies the lists. */
            public Exec {
                argv = List.copyOf(argv);
                env = List.copyOf(env);
                Objects.requireNonNull(cwd, "cwd");
            }

            @Override
            public Frame toFrame() {
                Writer w = new Writer().u8((tty ? 1 : 0) | (root ? 2 : 0)).u16(rows).u16(cols).str(cwd).list(argv).list(env);
                return w.frame(EXEC, channel);
            }
        }

        /** Bytes for the command's standard input; empty means end of input: STDIN. */
        record Stdin(int channel, byte[] data) implements Request {
            @Override
            public Frame toFrame() {
                return new Frame(STDIN, channel, data);
            }
        }

        /** New terminal size of a tty command: RESIZE. */
        record Resize(int channel, int rows, int cols) implements Request {
            @Override
            public Frame toFrame() {
                return new Writer().u16(rows).u16(cols).frame(RESIZE, channel);
            }
        }

        /** A signal for the command's whole process group: SIGNAL. */
        record Signal(int channel, int signo) implements Request {
            @Override
            public Frame toFrame() {
                return new Writer().i32(signo).frame(SIGNAL, channel);
            }
        }

        /** Streams a regular file back: READ_FILE. */
        record ReadFile(int channel, String path) implements Request {
            @Override
            public Frame toFrame() {
                return new Frame(READ_FILE, channel, path.getBytes(StandardCharsets.UTF_8));
            }
        }

        /** Creates or truncates a regular file with exactly {@code mode}: WRITE_FILE. */
        record WriteFile(int channel, int mode, String path) implements Request {
            @Override
            public Frame toFrame() {
                return new Writer().i32(mode).bytes(path.getBytes(StandardCharsets.UTF_8)).frame(WRITE_FILE, channel);
            }
        }

        /** Next bytes of the file being written: WRITE_DATA. */
        record WriteData(int channel, byte[] data) implements Request {
            @Override
            public Frame toFrame() {
                return new Frame(WRITE_DATA, channel, data);
            }
        }

        /** All bytes of the file were sent: WRITE_END. */
        record WriteEnd(int channel) implements Request {
            @Override
            public Frame toFrame() {
                return new Frame(WRITE_END, channel, new byte[0]);
            }
        }

        /** Deletes a file (not a directory): DELETE_FILE. */
        record DeleteFile(int channel, String path) implements Request {
            @Override
            public Frame toFrame() {
                return new Frame(DELETE_FILE, channel, path.getBytes(StandardCharsets.UTF_8));
            }
        }

        /** Type, size and mode of a path, following symlinks: STAT. */
        record Stat(int channel, String path) implements Request {
            @Override
            public Frame toFrame() {
                return new Frame(STAT, channel, path.getBytes(StandardCharsets.UTF_8));
            }
        }

        /** Liveness check; the payload comes back in a PONG: PING. */
        record Ping(int channel, byte[] data) implements Request {
            @Override
            public Frame toFrame() {
                return new Frame(PING, channel, data);
            }
        }

        /** The client consumed {@code bytes} of output on the channel: WINDOW. */
        record Window(int channel, int bytes) implements Request {
            @Override
            public Frame toFrame() {
                return new Writer().i32(bytes).frame(WINDOW_REQ, channel);
            }
        }

        /** Creates the missing directories of a path, each with {@code mode}: MKDIRS. */
        record Mkdirs(int channel, int mode, String path) implements Request {
            @Override
            public Frame toFrame() {
                return new Writer().i32(mode).bytes(path.getBytes(StandardCharsets.UTF_8)).frame(MKDIRS, channel);
            }
        }

        /** Abandons a file transfer on the channel (no answer): CANCEL. */
        record Cancel(int channel) implements Request {
            @Override
            public Frame toFrame() {
                return new Frame(CANCEL, channel, new byte[0]);
            }
        }
    }

    /** A message from the agent. Each record is one frame type. */
    public sealed interface Response {
        /** The channel the response belongs to. */
        int channel();

        /** The response as a frame (the agent's side; used by tests and fakes). */
        Frame toFrame();

        /** Decodes a response frame. @throws MalformedFrameException for an unknown type or bad payload */
        static Response fromFrame(Frame f) throws MalformedFrameException {
            Reader r = new Reader(f);
            int ch = f.channel();
            Response rsp = switch (f.type()) {
                case STARTED -> new Started(ch, r.u32());
                case STDOUT -> new Stdout(ch, r.rest());
                case STDERR -> new Stderr(ch, r.rest());
                case EXIT -> new Exit(ch, r.i32(), r.i32());
                case FILE_DATA -> new FileData(ch, r.rest());
                case FILE_END -> new FileEnd(ch, r.i64(), r.i32());
                case OK -> new Ok(ch, r.i64());
                case STAT_RESULT -> new StatResult(ch, r.u8(), r.i64(), r.i32(), r.i64());
                case PONG -> new Pong(ch, r.rest());
                case WINDOW_RSP -> new Window(ch, r.i32());
                case ERROR -> new Error(ch, r.i32(), r.restString());
                default -> throw new MalformedFrameException("unknown response type 0x" + Integer.toHexString(f.type()));
            };
            r.end();
            return rsp;
        }

        /** The command runs as {@code pid} (also its process group id): STARTED. */
        record Started(int channel, long pid) implements Response {
            @Override
            public Frame toFrame() {
                return new Writer().i32((int) pid).frame(STARTED, channel);
            }
        }

        /** Standard output (with a tty: all output): STDOUT. */
        record Stdout(int channel, byte[] data) implements Response {
            @Override
            public Frame toFrame() {
                return new Frame(STDOUT, channel, data);
            }
        }

        /** Standard error: STDERR. */
        record Stderr(int channel, byte[] data) implements Response {
            @Override
            public Frame toFrame() {
                return new Frame(STDERR, channel, data);
            }
        }

        /** The command ended: exit code, or -1 and the signal that killed it: EXIT. */
        record Exit(int channel, int code, int signal) implements Response {
            @Override
            public Frame toFrame() {
                return new Writer().i32(code).i32(signal).frame(EXIT, channel);
            }
        }

        /** The next bytes of a file being read: FILE_DATA. */
        record FileData(int channel, byte[] data) implements Response {
            @Override
            public Frame toFrame() {
                return new Frame(FILE_DATA, channel, data);
            }
        }

        /** The file was read completely: its size and permission bits: FILE_END. */
        record FileEnd(int channel, long size, int mode) implements Response {
            @Override
            public Frame toFrame() {
                return new Writer().i64(size).i32(mode).frame(FILE_END, channel);
            }
        }

        /** Success of a write (bytes written) or delete (0): OK. */
        record Ok(int channel, long value) implements Response {
            @Override
            public Frame toFrame() {
                return new Writer().i64(value).frame(OK, channel);
            }
        }

        /** Answer to STAT: type (1 file, 2 directory, 0 other), size, mode, mtime in ms: STAT_RESULT. */
        record StatResult(int channel, int type, long size, int mode, long mtimeMillis) implements Response {
            @Override
            public Frame toFrame() {
                return new Writer().u8(type).i64(size).i32(mode).i64(mtimeMillis).frame(STAT_RESULT, channel);
            }
        }

        /** Answer to PING, with its payload: PONG. */
        record Pong(int channel, byte[] data) implements Response {
            @Override
            public Frame toFrame() {
                return new Frame(PONG, channel, data);
            }
        }

        /** The agent consumed {@code bytes} of the channel's STDIN: WINDOW. */
        record Window(int channel, int bytes) implements Response {
            @Override
            public Frame toFrame() {
                return new Writer().i32(bytes).frame(WINDOW_RSP, channel);
            }
        }

        /** The operation on the channel failed with a Linux {@code errno}: ERROR. */
        record Error(int channel, int errno, String message) implements Response {
            @Override
            public Frame toFrame() {
                return new Writer().i32(errno).bytes(message.getBytes(StandardCharsets.UTF_8)).frame(ERROR, channel);
            }
        }
    }

    /** Big-endian payload builder. */
    private static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer u8(int v) {
            out.write(v);
            return this;
        }

        Writer u16(int v) {
            if (v < 0 || v > 0xffff) {
                throw new IllegalArgumentException("value out of range 0..65535: " + v);
            }
            out.write(v >>> 8);
            out.write(v);
            return this;
        }

        Writer i32(int v) {
            out.write(v >>> 24);
            out.write(v >>> 16);
            out.write(v >>> 8);
            out.write(v);
            return this;
        }

        Writer i64(long v) {
            return i32((int) (v >>> 32)).i32((int) v);
        }

        Writer bytes(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        Writer str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return i32(b.length).bytes(b);
        }

        Writer list(List<String> items) {
            i32(items.size());
            items.forEach(this::str);
            return this;
        }

        Frame frame(int type, int channel) {
            return new Frame(type, channel, out.toByteArray());
        }
    }

    /** Bounds-checked big-endian payload reader. */
    private static final class Reader {
        private final ByteBuffer b;
        private final int type;

        Reader(Frame f) {
            this.b = ByteBuffer.wrap(f.payload());
            this.type = f.type();
        }

        private void need(int n) throws MalformedFrameException {
            if (b.remaining() < n) {
                throw new MalformedFrameException("payload of frame type 0x" + Integer.toHexString(type)
                        + " is too short");
            }
        }

        int u8() throws MalformedFrameException {
            need(1);
            return b.get() & 0xff;
        }

        int u16() throws MalformedFrameException {
            need(2);
            return b.getShort() & 0xffff;
        }

        int i32() throws MalformedFrameException {
            need(4);
            return b.getInt();
        }

        long u32() throws MalformedFrameException {
            return Integer.toUnsignedLong(i32());
        }

        long i64() throws MalformedFrameException {
            need(8);
            return b.getLong();
        }

        String str() throws MalformedFrameException {
            long len = u32();
            if (len > b.remaining()) {
                throw new MalformedFrameException("string of " + len + " bytes in a payload with "
                        + b.remaining() + " left");
            }
            byte[] s = new byte[(int) len];
            b.get(s);
            return new String(s, StandardCharsets.UTF_8);
        }

        List<String> list() throws MalformedFrameException {
            long count = u32();
            if (count > b.remaining() / 4) {
                throw new MalformedFrameException("list of " + count + " strings in a payload with "
                        + b.remaining() + " bytes left");
            }
            List<String> items = new ArrayList<>((int) count);
            for (long i = 0; i < count; i++) {
                items.add(str());
            }
            return items;
        }

        byte[] rest() {
            byte[] r = new byte[b.remaining()];
            b.get(r);
            return r;
        }

        String restString() {
            return new String(rest(), StandardCharsets.UTF_8);
        }

        void end() throws MalformedFrameException {
            if (b.hasRemaining()) {
                throw new MalformedFrameException(b.remaining() + " unexpected bytes at the end of a frame of type 0x"
                        + Integer.toHexString(type));
            }
        }
    }
}
