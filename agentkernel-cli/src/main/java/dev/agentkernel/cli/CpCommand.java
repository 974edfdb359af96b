package dev.agentkernel.cli;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * {@code agentkernel cp SRC DST}: one file between this machine and a running sandbox, byte
 * for byte (the daemon's raw octet-stream file routes), either side {@code NAME:/path};
 * {@code -} is stdin or stdout.
 */
final class CpCommand extends DaemonClientCommand {

    /** Uploads are bounded by this, not by the client's 30 s per request. */
    static final Duration TRANSFER_TIMEOUT = Duration.ofHours(1);

    @Override
    public String name() {
        return "cp";
    }

    @Override
    public String usage() {
        return "SRC DST";
    }

    @Override
    public String summary() {
        return "Copy a file between this machine and a sandbox";
    }

    @Override
    public List<String> description() {
        return List.of("Copy one file into or out of a running sandbox, byte for byte. One side is NAME:/path (an",
                "absolute path in sandbox NAME), the other a local path, or '-' for stdin (as SRC) or stdout (as DST).",
                "A destination that is a directory gets the source's file name. Files only: directories are refused.",
                "A local file is written whole or not at all.",
                FINDING);
    }

    @Override
    public Arguments arguments() {
        return Arguments.COPY;
    }

    @Override
    Options commandOptions() {
        return new Options();
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel cp ./data.csv my-project:/workspace/data.csv",
                "agentkernel cp my-project:/workspace/report.pdf .",
                "agentkernel cp my-project:/etc/os-release - | head -3",
                "tar czf - src | agentkernel cp - my-project:/tmp/src.tgz");
    }

    /**
     * A checked copy.
     *
     * @param from where the bytes come from
     * @param to   where they go
     */
    record Plan(CopyPath from, CopyPath to) {
    }

    /** Reads and checks {@code SRC DST}: exactly one side in a sandbox. */
    static Plan plan(List<String> words) {
        if (words.size() != 2) {
            throw new InvalidRequestException(words.size() < 2
                    ? "cp needs a source and a destination: try 'agentkernel cp ./file NAME:/workspace/file'"
                    : "cp copies one file: unexpected argument '" + words.get(2) + "'");
        }
        CopyPath from = CopyPath.parse(words.get(0));
        CopyPath to = CopyPath.parse(words.get(1));
        boolean fromRemote = from instanceof CopyPath.Remote;
        boolean toRemote = to instanceof CopyPath.Remote;
        if (fromRemote && toRemote) {
            throw new InvalidRequestException("cp copies between this machine and a sandbox, not between two sandboxes: "
                    + "copy to a local file first");
        }
        if (!fromRemote && !toRemote) {
            throw new InvalidRequestException("one of SRC and DST must be in a sandbox, written NAME:/path (e.g. "
                    + "my-project:/workspace/file.txt)");
        }
        if (fromRemote && ((CopyPath.Remote) from).directory()) {
            throw new InvalidRequestException("'" + from + "' is a directory; cp copies files only");
        }
        if (from instanceof CopyPath.Stdio && toRemote && ((CopyPath.Remote) to).directory()) {
            throw new InvalidRequestException("copying stdin needs a file name: '" + to + "' is a directory");
        }
        return new Plan(from, to);
    }

    @Override
    int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err)
            throws IOException {
        Plan plan = plan(args.getArgList());
        if (plan.to() instanceof CopyPath.Remote to) {
            try (Progress progress = Progress.show(err, "copying " + shown(plan.from()) + " to " + to)) {
                upload(client.withTimeout(TRANSFER_TIMEOUT), plan.from(), to, progress);
            }
            return 0;
        }
        CopyPath.Remote from = (CopyPath.Remote) plan.from();
        try (Progress progress = Progress.show(err, "copying " + from + " to " + shown(plan.to()))) {
            download(client, from, plan.to(), out, progress);
        } catch (dev.agentkernel.client.ValidationException e) {
            if (isDirectoryError(e)) {
                throw new InvalidRequestException("'" + from + "' is a directory; cp copies files only");
            }
            throw e;
        }
        return 0;
    }

    private static void upload(AgentKernel client, CopyPath from, CopyPath.Remote to, Progress progress)
            throws IOException {
        if (from instanceof CopyPath.Local local) {
            Path source = Path.of(local.path());
            if (!Files.exists(source)) {
                throw new NotFoundException("'" + local.path() + "' does not exist");
            }
            if (Files.isDirectory(source)) {
                throw new InvalidRequestException("'" + local.path() + "' is a directory; cp copies files only");
            }
            if (!Files.isRegularFile(source) || !Files.isReadable(source)) {
                throw new InvalidRequestException("'" + local.path() + "' is not a readable regular file");
            }
            progress.detail(Progress.bytes(Files.size(source)));
            String name = CopyPath.fileName(source.toAbsolutePath().toString());
            String target = to.directory() ? to.path() + name : to.path();
            try {
                client.writeFile(to.sandbox(), target, source);
            } catch (dev.agentkernel.client.ValidationException e) {
                if (to.directory() || !isDirectoryError(e)) {
                    throw e;
                }
                // NAME:/dir without the slash is a directory too: copy into it under the file's name, as cp does.
                client.writeFile(to.sandbox(), to.path() + "/" + name, source);
            }
        } else {
            try {
                client.writeFile(to.sandbox(), to.path(), System.in.readAllBytes());
            } catch (dev.agentkernel.client.ValidationException e) {
                if (isDirectoryError(e)) {
                    throw new InvalidRequestException("copying stdin needs a file name: '" + to + "' is a directory");
                }
                throw e;
            }
        }
    }

    private static void download(AgentKernel client, CopyPath.Remote from, CopyPath to, PrintWriter out,
                                 Progress progress) throws IOException {
        if (to instanceof CopyPath.Stdio) {
            out.flush();
            try (InputStream in = counted(client.readFileStream(from.sandbox(), from.path()), progress)) {
                OutputStream stdout = System.out;
                in.transferTo(stdout);
                stdout.flush();
            }
            return;
        }
        Path target = localTarget(((CopyPath.Local) to).path(), from);
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName() + ".", ".part");
        try {
            try (InputStream in = counted(client.readFileStream(from.sandbox(), from.path()), progress)) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A path as the progress line names it. */
    private static String shown(CopyPath path) {
        return switch (path) {
            case CopyPath.Local local -> local.path();
            case CopyPath.Stdio stdio -> "standard I/O";
            case CopyPath.Remote remote -> remote.toString();
        };
    }

    /** {@code in}, telling {@code progress} how many bytes it has read so far. */
    static InputStream counted(InputStream in, Progress progress) {
        if (!progress.visible()) {
            return in;
        }
        return new java.io.FilterInputStream(in) {
            private long count;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    progress.detail(Progress.bytes(++count));
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    count += n;
                    progress.detail(Progress.bytes(count));
                }
                return n;
            }
        };
    }

    private static boolean isDirectoryError(dev.agentkernel.client.AgentKernelException e) {
        return e.getMessage() != null && e.getMessage().contains("is a directory");
    }

    /** Where a download goes: into a directory under the source's name, else the path itself, whose directory must exist. */
    static Path localTarget(String text, CopyPath.Remote from) {
        Path path = Path.of(text);
        if (Files.isDirectory(path)) {
            return path.resolve(CopyPath.fileName(from.path()));
        }
        if (text.endsWith("/")) {
            throw new NotFoundException("directory '" + text + "' does not exist");
        }
        Path parent = path.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new NotFoundException("directory '" + (path.getParent() == null ? parent : path.getParent())
                    + "' does not exist");
        }
        return path;
    }
}
