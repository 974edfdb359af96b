package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The background serve's command line. */
class DaemonLauncherTest {

    @TempDir
    Path dir;

    @Test
    void theCommandLineRunsServeWithTheSameJavaAndClassPath() {
        assertThat(DaemonLauncher.command("/jdk/bin/java", List.of("-Xss512k", "--enable-native-access=ALL-UNNAMED"), "a.jar:b.jar",
                Optional.of(Path.of("/usr/bin/setsid")), List.of("serve", "--port", "0"))).containsExactly(
                "/usr/bin/setsid", "/jdk/bin/java", "-Xss512k", "--enable-native-access=ALL-UNNAMED", "-cp", "a.jar:b.jar",
                "dev.agentkernel.cli.Main", "serve", "--port", "0");
        assertThat(DaemonLauncher.command("java", List.of(), "x", Optional.empty(), List.of("serve")))
                .containsExactly("java", "-cp", "x", "dev.agentkernel.cli.Main", "serve");
    }

    @Test
    void jvmOptionsAreInheritedExceptCacheRecordingAndDebugging() {
        assertThat(DaemonLauncher.jvmOptions(List.of("-XX:+UseSerialGC", "-Xss512k", "--enable-native-access=ALL-UNNAMED",
                "-XX:AOTCache=/t/agentkernel.aot", "-Xlog:aot=off", "-XX:AOTCacheOutput=/t/x.aot",
                "-agentlib:jdwp=transport=dt_socket,server=y,address=5005", "-Dagentkernel.debug=true", "-Dagentkernel.spawn=jdk")))
                .containsExactly("-XX:+UseSerialGC", "-Xss512k", "--enable-native-access=ALL-UNNAMED",
                        "-XX:AOTCache=/t/agentkernel.aot", "-Xlog:aot=off", "-Dagentkernel.debug=true");
    }

    @Test
    void nativeAccessIsAlwaysEnabled() {
        assertThat(DaemonLauncher.jvmOptions(List.of("-Xmx64m"))).containsExactly("-Xmx64m", "--enable-native-access=ALL-UNNAMED");
    }

    @Test
    void setsidIsFoundOnThePathFirst() throws Exception {
        Path fake = Files.createFile(dir.resolve("setsid"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        assertThat(DaemonLauncher.findSetsid("/nonexistent:" + dir)).contains(fake);
        assertThat(DaemonLauncher.findSetsid(null)).hasValueSatisfying(p -> assertThat(p.getFileName().toString()).isEqualTo("setsid"));
    }

    @Test
    void theChildCommandOfThisProcessUsesItsJavaAndClassPath() {
        List<String> argv = DaemonLauncher.commandForThisProcess(List.of("serve", "--port", "0"));
        assertThat(argv).contains(System.getProperty("java.class.path"), "--enable-native-access=ALL-UNNAMED")
                .endsWith("dev.agentkernel.cli.Main", "serve", "--port", "0");
        assertThat(argv).anyMatch(a -> a.endsWith("/bin/java"));
    }
}
