package dev.agentkernel.backend.bwrap;

import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.RootFs;
import java.io.IOException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks, before a sandbox on an image starts, that no path where bubblewrap mounts something
 * (or one of its parents) is a symbolic link in the image: bubblewrap creates mount points and
 * their parents following links, before the sandbox's root is its root, so a link there (in the
 * image, or in a persistent sandbox's own writable layer, where sandbox root can make one) could
 * send a mount, or the directories bubblewrap creates for it, outside the sandbox. The generated
 * top layer has real directories at the fixed mount points ({@code core.image.ImageRoots});
 * this covers the others (volumes, project directories at other paths).
 */
final class ImageMountTargets {

    private ImageMountTargets() {
    }

    /**
     * @param etc the generated top layer the sandbox gets (online or offline)
     * @throws InvalidRequestException naming the path, when a mount point or a parent is a link
     */
    static void requireNoLinks(RootFs.Image image, Path etc, List<Mount> mounts) {
        List<Path> topDown = new ArrayList<>();
        image.writable().ifPresent(w -> topDown.add(w.resolve("upper")));
        topDown.add(etc);
        topDown.addAll(image.layers().reversed());
        for (Mount mount : mounts) {
            String target = mount.sandboxPath();
            List<String> prefixes = new ArrayList<>(BwrapCommandLine.parentsOf(target));
            prefixes.add(target);
            for (String prefix : prefixes) {
                if (isLink(topDown, prefix.substring(1))) {
                    throw new InvalidRequestException("cannot mount at " + target + ": " + prefix + " is a symbolic "
                            + "link in the image " + image.reference() + "; mount somewhere else");
                }
            }
        }
    }

    /** Whether the top-most layer that has {@code relative} has a link there. */
    private static boolean isLink(List<Path> topDown, String relative) {
        for (Path layer : topDown) {
            PosixFileAttributes attrs;
            try {
                attrs = java.nio.file.Files.readAttributes(layer.resolve(relative), PosixFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                continue;
            } catch (IOException e) {
                return true; // unreadable: refuse rather than guess
            }
            // a directory, a file or a whiteout hides whatever the layers below have there
            return attrs.isSymbolicLink();
        }
        return false;
    }
}
