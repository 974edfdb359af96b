package dev.agentkernel.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.SandboxFailureException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build's recorded digest lets a start find the extracted binary without reading it from the class path. */
class ExecutableResourceTest {

    private static final String ARCH = System.getProperty("os.arch");

    @TempDir
    Path tmp;

    private ExecutableResource resource(Path root) throws Exception {
        URLClassLoader loader = new URLClassLoader(new URL[] {root.toUri().toURL()}, null);
        return new ExecutableResource(loader, "bin/tool-", "tool", "rebuild");
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void theRecordedDigestNamesTheFileAndAnExistingCopyIsUsedWithoutTheBinary() throws Exception {
        byte[] binary = "#!/bin/sh\necho tool\n".getBytes(StandardCharsets.UTF_8);
        Path classes = Files.createDirectories(tmp.resolve("classes/bin"));
        Files.write(classes.resolve("tool-" + ARCH), binary);
        Files.writeString(classes.resolve("tool-" + ARCH + ".sha256"), sha256(binary) + " " + binary.length + "\n");

        Path extracted = resource(tmp.resolve("classes")).extractTo(tmp.resolve("out"));

        assertThat(extracted.getFileName().toString()).isEqualTo("tool-" + ARCH + "-" + sha256(binary).substring(0, 16));
        assertThat(Files.readAllBytes(extracted)).isEqualTo(binary);
        assertThat(Files.isExecutable(extracted)).isTrue();

        Files.delete(classes.resolve("tool-" + ARCH)); // only the record is left on the class path
        assertThat(resource(tmp.resolve("classes")).extractTo(tmp.resolve("out"))).isEqualTo(extracted);
    }

    @Test
    void aRecordThatDoesNotMatchTheBinaryIsRefused() throws Exception {
        byte[] binary = "real".getBytes(StandardCharsets.UTF_8);
        Path classes = Files.createDirectories(tmp.resolve("classes/bin"));
        Files.write(classes.resolve("tool-" + ARCH), binary);
        Files.writeString(classes.resolve("tool-" + ARCH + ".sha256"), sha256("other".getBytes(StandardCharsets.UTF_8))
                + " 4\n");

        assertThatThrownBy(() -> resource(tmp.resolve("classes")).extractTo(tmp.resolve("out")))
                .isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining("does not match its recorded digest");
    }

    @Test
    void withoutARecordTheBinaryIsHashed() throws Exception {
        byte[] binary = "no record".getBytes(StandardCharsets.UTF_8);
        Path classes = Files.createDirectories(tmp.resolve("classes/bin"));
        Files.write(classes.resolve("tool-" + ARCH), binary);

        Path extracted = resource(tmp.resolve("classes")).extractTo(tmp.resolve("out"));

        assertThat(extracted.getFileName().toString()).endsWith(sha256(binary).substring(0, 16));
    }
}
