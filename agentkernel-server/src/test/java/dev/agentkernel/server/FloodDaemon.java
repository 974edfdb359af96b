package dev.agentkernel.server;

import dev.agentkernel.core.host.HostContext;
import java.nio.file.Path;
import java.util.List;

/**
 * A daemon in a process of its own for {@link OutputFloodIT}, so that its memory is measured
 * apart from the test's: {@code FloodDaemon STATE_DIR RUNTIME_DIR} prints {@code port N} once it
 * listens and stops when its stdin ends.
 */
public final class FloodDaemon {
    private FloodDaemon() {
    }

    public static void main(String[] args) throws Exception {
        HostContext host = HostContext.current().withDirs(Path.of(args[0]), Path.of(args[1]));
        DaemonConfig config = DaemonConfig.defaults(new ServerConfig("127.0.0.1", 0, List.of(), 16L * 1024 * 1024));
        try (Daemon daemon = Daemon.start(config, host)) {
            System.out.println("port " + daemon.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the test closes our stdin
            }
        }
        System.exit(0);
    }
}
