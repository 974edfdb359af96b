package dev.agentkernel.cli;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Starts {@code serve} in the background: the same java executable, class path and JVM
 * options as this process, in its own session ({@code setsid}), with stdin from
 * {@code /dev/null} and stdout and stderr appended to the log.
 */
final class DaemonLauncher {

    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

    /**
     * JVM options a background server must not inherit: cache recording, debugger ports, and the
     * launcher's choice of the JDK's spawn for one-shot commands (a server links posix_spawn once).
     */
    private static final List<String> NOT_INHERITED = List.of("-XX:AOTCacheOutput=", "-XX:AOTMode=", "-XX:AOTConfiguration=",
            "-XX:ArchiveClassesAtExit=", "-XX:DumpLoadedClassList=", "-agentlib:jdwp", "-Xrunjdwp", "-Xdebug",
            "-Dagentkernel.spawn=");

    private DaemonLauncher() {
    }

    /** The full command line: {@code [setsid] JAVA JVM_OPTIONS -cp CLASSPATH dev.agentkernel.cli.Main SERVE_ARGS}. */
    static List<String> command(String java, List<String> jvmOptions, String classPath, Optional<Path> setsid,
            List<String> serveArgs) {
        List<String> argv = new ArrayList<>();
        setsid.ifPresent(s -> argv.add(s.toString()));
        argv.add(java);
        argv.addAll(jvmOptions);
        argv.add("-cp");
        argv.add(classPath);
        argv.add(DaemonProcesses.MAIN_CLASS);
        argv.addAll(serveArgs);
        return argv;
    }

    /** This JVM's options minus those a server must not inherit, plus native access (bubblewrap needs it). */
    static List<String> jvmOptions(List<String> inputArguments) {
        List<String> kept = new ArrayList<>();
        for (String option : inputArguments) {
            if (NOT_INHERITED.stream().noneMatch(option::startsWith)) {
                kept.add(option);
            }
        }
        if (kept.stream().noneMatch(o -> o.startsWith("--enable-native-access"))) {
            kept.add(NATIVE_ACCESS);
        }
        return kept;
    }

    /** The command line that starts {@code serve} with {@code serveArgs} as this process would. */
    static List<String> commandForThisProcess(List<String> serveArgs) {
        return command(javaExecutable(), jvmOptions(ManagementFactory.getRuntimeMXBean().getInputArguments()),
                classPath(), findSetsid(System.getenv("PATH")), serveArgs);
    }

    /** {@code setsid} on {@code path} or in {@code /usr/bin}; empty when there is none (the daemon then keeps our session). */
    static Optional<Path> findSetsid(String path) {
        List<String> dirs = new ArrayList<>();
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(List.of("/usr/bin", "/bin"));
        return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, "setsid")).filter(Files::isExecutable).findFirst();
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * This JVM's class path; when it lacks the server (the launcher jar run on its own), the
     * {@code lib-server/} jars next to the launcher jar are appended as the launcher script does.
     */
    private static String classPath() {
        String classPath = System.getProperty("java.class.path", "");
        if (ClassLoader.getSystemResource("dev/agentkernel/server/ApiServer.class") != null) {
            return classPath;
        }
        CodeSource source = DaemonLauncher.class.getProtectionDomain().getCodeSource();
        if (source == null) {
            return classPath;
        }
        try {
            Path libServer = Path.of(source.getLocation().toURI()).resolveSibling("lib-server");
            if (!Files.isDirectory(libServer)) {
                return classPath;
            }
            StringBuilder cp = new StringBuilder(classPath);
            try (Stream<Path> jars = Files.list(libServer)) {
                jars.filter(j -> j.getFileName().toString().endsWith(".jar")).sorted()
                        .forEach(j -> cp.append(File.pathSeparator).append(j));
            }
            return cp.toString();
        } catch (URISyntaxException | IOException | IllegalArgumentException e) {
            return classPath;
        }
    }

    /**
     * Starts {@code argv} detached: working directory {@code /}, stdin {@code /dev/null}, stdout
     * and stderr appended to {@code log}, {@code env} added to this process's environment.
     */
    static Process start(List<String> argv, DaemonLog log, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(argv)
                .directory(new File("/"))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.path().toFile()))
                .redirectErrorStream(true);
        builder.environment().putAll(env);
        return builder.start();
    }
}
