package dev.agentkernel.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The removal of the directories that tests and their fixtures make (state, runtime, work directories). */
public final class TestDirectories {

    private TestDirectories() {
    }

    /**
     * Deletes {@code dir} with everything in it, deepest first, without following symbolic links;
     * does nothing if {@code dir} does not exist.
     *
     * @throws IOException if an entry cannot be deleted (a mount point, a file of another owner)
     */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
