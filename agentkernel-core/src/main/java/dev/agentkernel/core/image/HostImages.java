package dev.agentkernel.core.image;

import dev.agentkernel.core.config.RegistriesConfig;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.image.ImageService;
import dev.agentkernel.image.ImageServiceConfig;
import dev.agentkernel.image.RegistrySettings;
import java.nio.file.Path;
import java.util.Map;

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

    /**
     * The configuration of this host's image service: its store, and the registries of
     * {@link RegistriesConfig#forHost} (mirrors, plain HTTP, credentials).
     *
     * @throws dev.agentkernel.model.InvalidRequestException for a bad registries file, naming the key
     */
    public static ImageServiceConfig config(HostContext host) {
        ImageServiceConfig config = ImageServiceConfig.defaults(storeDir(host));
        for (Map.Entry<String, RegistriesConfig.Registry> entry
                : RegistriesConfig.forHost(host.stateDir(), host.env()).registries().entrySet()) {
            RegistriesConfig.Registry r = entry.getValue();
            RegistrySettings settings = RegistrySettings.DEFAULT.withMirrors(r.mirrors()).withPlainHttp(r.plainHttp());
            if (r.username().isPresent()) {
                settings = settings.withCredentials(r.username().get(), r.password().orElseThrow());
            }
            config = config.withRegistry(entry.getKey(), settings);
        }
        return config;
    }

    /** Opens this host's image service (the caller closes it). */
    public static ImageService open(HostContext host) {
        return ImageService.open(config(host));
    }
}
