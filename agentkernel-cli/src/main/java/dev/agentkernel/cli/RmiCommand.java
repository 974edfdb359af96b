package dev.agentkernel.cli;

import dev.agentkernel.image.ImageService;
import dev.agentkernel.model.InvalidRequestException;
import java.io.PrintWriter;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code agentkernel rmi IMAGE...}: removes references from this host's image store. */
final class RmiCommand implements Subcommand {

    @Override
    public String name() {
        return "rmi";
    }

    @Override
    public String usage() {
        return "IMAGE...";
    }

    @Override
    public String summary() {
        return "Remove images from the local image store";
    }

    @Override
    public List<String> description() {
        return List.of("Remove each IMAGE's reference from the store. Its layers stay until 'agentkernel image prune'",
                "(another image may share them). An image a persistent sandbox uses cannot be removed.",
                "Exits with 4 when an IMAGE is not stored, 5 when it is in use, after trying every IMAGE.",
                ImageText.STORE);
    }

    @Override
    public Options options() {
        return new Options();
    }

    @Override
    public Arguments arguments() {
        return Arguments.NEW_NAME;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel rmi python:3.12-alpine", "agentkernel rmi localhost:5000/team/tool:1 && agentkernel image prune");
    }

    @Override
    public int run(CommandLine args, PrintWriter out, PrintWriter err) throws Exception {
        if (args.getArgList().isEmpty()) {
            throw new InvalidRequestException("'rmi' needs IMAGE, e.g. agentkernel rmi python:3.12-alpine "
                    + "(list the stored images with 'agentkernel images')");
        }
        int code = 0;
        try (ImageService images = ImageText.open()) {
            for (String reference : args.getArgList()) {
                try {
                    images.remove(reference);
                    out.println("Removed " + reference);
                } catch (dev.agentkernel.model.AgentKernelException e) {
                    int failed = ExitCodes.report(e, err);
                    code = code == 0 ? failed : code;
                }
            }
        }
        if (code == 0) {
            err.println("agentkernel: free the disk space of layers no image uses with 'agentkernel image prune'");
        }
        return code;
    }
}
