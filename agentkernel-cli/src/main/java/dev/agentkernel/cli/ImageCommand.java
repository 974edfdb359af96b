package dev.agentkernel.cli;

import dev.agentkernel.image.Image;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.image.ImageRoots;
import dev.agentkernel.image.ImageService;
import dev.agentkernel.image.PruneResult;
import dev.agentkernel.image.PullListener;
import dev.agentkernel.model.InvalidRequestException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code agentkernel image prune | import FILE|DIR [--name REF]}: what the local image store does
 * besides pulling, listing and removing.
 */
final class ImageCommand implements Subcommand {

    @Override
    public String name() {
        return "image";
    }

    @Override
    public String usage() {
        return "prune | import FILE|DIR [--name REF]";
    }

    @Override
    public String summary() {
        return "Prune the local image store or import an image archive";
    }

    @Override
    public List<String> description() {
        return List.of("prune: remove every blob and unpacked layer that no stored image and no running sandbox uses.",
                "import FILE|DIR: store the images of a 'docker save' tarball, an OCI image layout directory or a tar",
                "of one (for hosts without a registry). --name REF names the image when the archive names none",
                "(an OCI layout with only a tag such as 'latest').",
                "See also 'agentkernel pull', 'agentkernel images' and 'agentkernel rmi'.",
                ImageText.STORE);
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("name").hasArg().argName("REF")
                .desc("import: the reference to store the image under when the archive names none").get());
        return o;
    }

    @Override
    public Arguments arguments() {
        return Arguments.WORDS;
    }

    @Override
    public List<String> words() {
        return List.of("prune", "import");
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel image prune", "docker save python:3.12-alpine -o python.tar && agentkernel image import python.tar",
                "agentkernel image import ./oci-layout --name localhost/tool:1");
    }

    @Override
    public int run(CommandLine args, PrintWriter out, PrintWriter err) throws Exception {
        List<String> rest = args.getArgList();
        if (rest.isEmpty()) {
            throw new InvalidRequestException("'image' needs an action: prune or import FILE|DIR");
        }
        String action = rest.getFirst();
        return switch (action) {
            case "prune" -> {
                if (rest.size() > 1 || args.hasOption("name")) {
                    throw new InvalidRequestException("'image prune' takes no arguments");
                }
                yield prune(out);
            }
            case "import" -> {
                if (rest.size() != 2) {
                    throw new InvalidRequestException(rest.size() < 2
                            ? "'image import' needs FILE|DIR: a docker save tarball, an OCI layout directory or its tar"
                            : "unexpected argument '" + rest.get(2) + "': 'image import' takes one FILE|DIR");
                }
                yield importArchive(Path.of(rest.get(1)), args.getOptionValue("name"), out);
            }
            default -> throw new InvalidRequestException("unknown action '" + action + "' of 'image': use prune or "
                    + "import (and 'agentkernel pull', 'images', 'rmi')");
        };
    }

    private static int prune(PrintWriter out) {
        try (ImageService images = ImageText.open()) {
            PruneResult r = images.prune();
            HostContext host = HostContext.current();
            new ImageRoots(images, ImageRoots.dirOf(host.stateDir())).prune();
            out.println("Removed " + r.blobs() + (r.blobs() == 1 ? " blob and " : " blobs and ") + r.layers()
                    + (r.layers() == 1 ? " layer" : " layers") + ", freed " + ImageText.size(r.bytesFreed()));
        }
        return 0;
    }

    private static int importArchive(Path archive, String name, PrintWriter out) {
        try (ImageService images = ImageText.open()) {
            List<Image> imported = images.importArchive(archive.toAbsolutePath(), name, PullListener.NONE);
            for (Image i : imported) {
                out.println("Imported " + i.reference() + " (" + i.digest() + ", " + ImageText.size(i.size()) + ")");
            }
        }
        return 0;
    }
}
