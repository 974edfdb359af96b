package dev.agentkernel.core.image;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A directory built once under a temporary name and published under its final name by one
 * atomic rename, marked complete by a {@value #MARKER} file inside it: readers take it only once
 * that file is there, and when several threads or processes build the same directory at once,
 * the first rename wins and the others' copies are dropped.
 */
public final class CompletedDirectory {

    /** The file whose presence says the directory is complete. */
    public static final String MARKER = ".complete";

    private CompletedDirectory() {
    }

    /** Whether {@code dir} is complete. */
    public static boolean isComplete(Path dir) {
        return Files.isRegularFile(dir.resolve(MARKER));
    }

    /**
     * Marks {@code built} complete and renames it to {@code target}, unless another builder
     * published {@code target} first (then {@code built} is left for the caller to delete).
     *
     * @throws IOException if neither this rename nor another builder's published it
     */
    public static void publish(Path built, Path target) throws IOException {
        Files.writeString(built.resolve(MARKER), "");
        try {
            Files.move(built, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            // another builder published the same directory meanwhile
        } catch (AtomicMoveNotSupportedException e) {
            throw e;
        } catch (FileSystemException e) {
            if (!isComplete(target)) {
                throw e;
            }
        }
    }
}
