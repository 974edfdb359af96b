package dev.agentkernel.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriverFilesTest {

    @TempDir
    Path tmp;

    @Test
    void extractsAllDriversIntoAContentAddressedDirectory() throws Exception {
        Path dir = DriverFiles.extractTo(tmp.resolve("cache"));
        assertThat(dir.getFileName().toString()).matches("drivers-[0-9a-f]{16}");
        for (InterpreterTemplate t : InterpreterTemplate.values()) {
            Path file = dir.resolve(t.driverFileName());
            assertThat(file).isRegularFile();
            assertThat(Files.readString(file)).isEqualTo(DriverFiles.source(t));
        }
        long modified = Files.getLastModifiedTime(dir.resolve("python_driver.py")).toMillis();
        assertThat(DriverFiles.extractTo(tmp.resolve("cache"))).isEqualTo(dir);
        assertThat(Files.getLastModifiedTime(dir.resolve("python_driver.py")).toMillis()).isEqualTo(modified);
        try (var list = Files.list(tmp.resolve("cache"))) {
            assertThat(list.toList()).containsExactly(dir);
        }
    }

    @Test
    void templatesBuildCommandLines() {
        assertThat(InterpreterTemplate.PYTHON.command("/.ak/session/python_driver.py"))
                .containsExactly("python3", "-u", "/.ak/session/python_driver.py");
        assertThat(InterpreterTemplate.NODE.commandInDirectory("/.ak/session"))
                .containsExactly("node", "/.ak/session/node_driver.js");
        assertThat(InterpreterTemplate.BASH.commandInDirectory("/.ak/session/"))
                .containsExactly("bash", "--noprofile", "--norc", "/.ak/session/bash_driver.sh");
        assertThat(InterpreterTemplate.fromName("Python")).isEqualTo(InterpreterTemplate.PYTHON);
        assertThat(InterpreterTemplate.fromName("javascript")).isEqualTo(InterpreterTemplate.NODE);
        assertThat(InterpreterTemplate.fromName("bash")).isEqualTo(InterpreterTemplate.BASH);
        assertThatThrownBy(() -> InterpreterTemplate.fromName("ruby")).isInstanceOf(IllegalArgumentException.class);
    }
}
