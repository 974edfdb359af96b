package dev.agentkernel.core.image;

import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.image.ImageService;
import dev.agentkernel.image.ImageServiceConfig;
import java.nio.file.Path;

/**
 * The image store of this host's AgentKernel: {@code STATE/images}, shared by the daemon and the
 * CLI's local runs of the same state directory. The one place an {@link ImageService} is made from
 * a {@link HostContext}; registry settings from configuration are added here.
 */
public final class HostImages {

    private HostImages() {
    }

    /** The store directory under the state directory. */
    public static Path storeDir(HostContext host) {
        return host.stateDir().resolve("images");
    }

    /** The configuration of this host's image service. */
    public static ImageServiceConfig config(HostContext host) {
        return ImageServiceConfig.defaults(storeDir(host));
    }

    /** Opens this host's image service (the caller closes it). */
    public static ImageService open(HostContext host) {
        return ImageService.open(config(host));
    }
}
