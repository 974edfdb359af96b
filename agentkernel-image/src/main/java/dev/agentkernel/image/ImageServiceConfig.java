package dev.agentkernel.image;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Configuration of an {@link ImageService}.
 *
 * @param root             the store's directory (the daemon uses {@code STATE/images})
 * @param registries       settings per registry host ({@code docker.io}, {@code localhost:5000});
 *                         registries not listed use {@link RegistrySettings#DEFAULT}
 * @param dockerConfig     the Docker client configuration read for credentials, or null for none
 * @param limits           bounds on each layer
 * @param parallelLayers   how many layers are fetched at once
 */
public record ImageServiceConfig(Path root, Map<String, RegistrySettings> registries, Path dockerConfig,
                                 ExtractionLimits limits, int parallelLayers) {

    /** Copies the map and checks the parts. */
    public ImageServiceConfig {
        Objects.requireNonNull(root, "root");
        registries = Map.copyOf(Objects.requireNonNullElse(registries, Map.of()));
        Objects.requireNonNull(limits, "limits");
        if (parallelLayers < 1) {
            throw new IllegalArgumentException("parallelLayers must be at least 1");
        }
    }

    /**
     * Defaults for a store under {@code root}: no registry settings, credentials from
     * {@code $DOCKER_CONFIG/config.json} or {@code ~/.docker/config.json}, default limits, 4
     * layers at once.
     */
    public static ImageServiceConfig defaults(Path root) {
        return new ImageServiceConfig(root, Map.of(), dev.agentkernel.image.registry.RegistryClient.defaultDockerConfig(),
                ExtractionLimits.DEFAULT, 4);
    }

    /** This configuration with settings for one registry host. */
    public ImageServiceConfig withRegistry(String host, RegistrySettings settings) {
        var copy = new java.util.HashMap<>(registries);
        copy.put(host, settings);
        return new ImageServiceConfig(root, copy, dockerConfig, limits, parallelLayers);
    }

    /** This configuration with another Docker configuration file (null: none). */
    public ImageServiceConfig withDockerConfig(Path file) {
        return new ImageServiceConfig(root, registries, file, limits, parallelLayers);
    }

    /** This configuration with other layer limits. */
    public ImageServiceConfig withLimits(ExtractionLimits newLimits) {
        return new ImageServiceConfig(root, registries, dockerConfig, newLimits, parallelLayers);
    }

    /** This configuration with another number of layers fetched at once. */
    public ImageServiceConfig withParallelLayers(int n) {
        return new ImageServiceConfig(root, registries, dockerConfig, limits, n);
    }

    /** The settings of {@code host}. */
    public RegistrySettings registry(String host) {
        return registries.getOrDefault(host, RegistrySettings.DEFAULT);
    }
}
