package dev.agentkernel.image;

import dev.agentkernel.image.archive.ArchiveImporter;
import dev.agentkernel.image.oci.Descriptor;
import dev.agentkernel.image.oci.Digest;
import dev.agentkernel.image.oci.OciDocuments;
import dev.agentkernel.image.oci.OciFormatException;
import dev.agentkernel.image.oci.Platform;
import dev.agentkernel.image.registry.RegistryClient;
import dev.agentkernel.image.registry.RegistryException;
import dev.agentkernel.image.store.DigestMismatchException;
import dev.agentkernel.image.store.ImageStore;
import dev.agentkernel.image.store.ImageWriter;
import dev.agentkernel.image.store.LayerRefusedException;
import dev.agentkernel.model.AgentKernelException;
import dev.agentkernel.model.ImageUnavailableException;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.NotFoundException;
import dev.agentkernel.model.PermissionDeniedException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The {@link ImageService} over an {@link ImageStore} and a {@link RegistryClient}. */
final class DefaultImageService implements ImageService {

    private static final int BLOB_ATTEMPTS = 3;

    private final ImageStore store;
    private final RegistryClient registry;
    private final ImageWriter writer;
    private final Platform platform = Platform.host();

    DefaultImageService(ImageServiceConfig config) {
        try {
            this.store = ImageStore.open(config.root(), config.limits());
        } catch (UncheckedIOException e) {
            throw new ImageUnavailableException(e.getMessage(), e);
        }
        this.registry = new RegistryClient(config::registry, config.dockerConfig());
        this.writer = new ImageWriter(store, config.parallelLayers());
    }

    @Override
    public Image resolve(String reference, PullPolicy policy, PullListener listener) {
        ImageReference ref = ImageReference.parse(reference);
        if (policy != PullPolicy.ALWAYS) {
            Optional<Image> stored = store.find(ref);
            if (stored.isPresent()) {
                return stored.get();
            }
        }
        if (policy == PullPolicy.NEVER) {
            throw new NotFoundException("image " + ref + " is not in the image store and the pull policy is "
                    + "'never'; " + fixes(ref));
        }
        return pull(ref, listener == null ? PullListener.NONE : listener);
    }

    private static String fixes(ImageReference ref) {
        return "pull it with 'agentkernel pull " + ref + "' on a host that reaches " + ref.registry()
                + ", import it with 'agentkernel image import FILE' (a 'docker save' tarball or an OCI layout), "
                + "configure a mirror for " + ref.registry() + ", or run on the host's /usr with '--image host'";
    }

    @Override
    public String probe(String reference) {
        ImageReference ref = ImageReference.parse(reference);
        return mapped(ref, () -> {
            RegistryClient.Fetched top = registry.manifest(ref.registry(), ref.repository(), ref.manifestKey());
            return top.endpoint();
        });
    }

    private Image pull(ImageReference ref, PullListener listener) {
        return mapped(ref, () -> store.withContentLock(() -> pullLocked(ref, listener)));
    }

    /** Runs a registry operation on {@code ref}, its failures as the project's exceptions. */
    private <T> T mapped(ImageReference ref, java.util.concurrent.Callable<T> operation) {
        try {
            return operation.call();
        } catch (RegistryException e) {
            if (e.status() == 404) {
                throw new NotFoundException("image " + ref + " was not found: " + e.getMessage() + "; check the "
                        + "name and tag, or " + fixes(ref));
            }
            if (e.status() == 401 || e.status() == 403) {
                throw new PermissionDeniedException("cannot pull " + ref + ": " + e.getMessage());
            }
            throw new ImageUnavailableException("cannot pull " + ref + ": " + e.getMessage() + "; " + fixes(ref), e);
        } catch (DigestMismatchException e) {
            throw new ImageUnavailableException("pull of " + ref + " refused: " + e.getMessage(), e);
        } catch (LayerRefusedException | OciFormatException e) {
            throw new InvalidRequestException("image " + ref + " is refused: " + e.getMessage());
        } catch (AgentKernelException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageUnavailableException("cannot pull " + ref + ": " + e + "; " + fixes(ref), e);
        } catch (Exception e) {
            throw new ImageUnavailableException("cannot pull " + ref + ": " + e, e);
        }
    }

    private Image pullLocked(ImageReference ref, PullListener listener) throws IOException {
        RegistryClient.Fetched top = registry.manifest(ref.registry(), ref.repository(), ref.manifestKey());
        Digest topDigest = verifiedDigest(ref, top, ref.digest() == null ? null : Digest.parse(ref.digest()));
        Digest indexDigest = null;
        byte[] indexBytes = null;
        Digest manifestDigest = topDigest;
        byte[] manifestBytes = top.body();
        if (OciDocuments.kindOf(top.contentType(), top.body()) == OciDocuments.Kind.INDEX) {
            Descriptor chosen = OciDocuments.index(top.body()).select(platform);
            RegistryClient.Fetched m = registry.manifest(ref.registry(), ref.repository(), chosen.digest().toString());
            manifestDigest = verifiedDigest(ref, m, chosen.digest());
            indexDigest = topDigest;
            indexBytes = top.body();
            manifestBytes = m.body();
            if (OciDocuments.kindOf(m.contentType(), m.body()) != OciDocuments.Kind.MANIFEST) {
                throw new OciFormatException("the index entry " + chosen.digest() + " is not an image manifest");
            }
        }
        ImageWriter.BlobSource source = new ImageWriter.BlobSource() {
            @Override
            public void copy(Descriptor d, OutputStream out) throws IOException {
                registry.blob(ref.registry(), ref.repository(), d.digest(), out);
            }

            @Override
            public int attempts() {
                return BLOB_ATTEMPTS;
            }
        };
        return writer.write(ref, manifestDigest, manifestBytes, indexDigest, indexBytes, source, listener);
    }

    /** The digest of a fetched manifest, checked against the expected one and the registry's header. */
    private static Digest verifiedDigest(ImageReference ref, RegistryClient.Fetched fetched, Digest expected) {
        Digest actual = expected != null && expected.algorithm().equals("sha512")
                ? new Digest("sha512", java.util.HexFormat.of().formatHex(expected.newMessageDigest()
                        .digest(fetched.body())))
                : Digest.sha256(fetched.body());
        if (expected != null && !expected.equals(actual)) {
            throw new DigestMismatchException("the manifest " + expected + " of " + ref.name() + " from "
                    + fetched.endpoint() + " hashes to " + actual + "; refused");
        }
        if (fetched.dockerContentDigest().isPresent()) {
            String header = fetched.dockerContentDigest().get().strip();
            if (header.startsWith(actual.algorithm() + ":") && !header.equals(actual.toString())) {
                throw new DigestMismatchException("the manifest of " + ref + " from " + fetched.endpoint()
                        + " hashes to " + actual + " but the registry says " + header + "; refused");
            }
        }
        return actual;
    }

    @Override
    public Optional<Image> find(String reference) {
        return store.find(ImageReference.parse(reference));
    }

    @Override
    public List<Image> list() {
        return store.list();
    }

    @Override
    public void remove(String reference) {
        store.remove(ImageReference.parse(reference));
    }

    @Override
    public PruneResult prune() {
        try {
            return store.prune();
        } catch (UncheckedIOException e) {
            throw new ImageUnavailableException(e.getMessage(), e);
        }
    }

    @Override
    public List<Image> importArchive(Path archive, String name, PullListener listener) {
        try {
            return store.withContentLock(() -> new ArchiveImporter(writer, platform).importArchive(archive, name,
                    listener == null ? PullListener.NONE : listener));
        } catch (NoSuchFileException e) {
            throw new NotFoundException("no archive at " + archive);
        } catch (OciFormatException | LayerRefusedException | DigestMismatchException e) {
            throw new InvalidRequestException("cannot import " + archive + ": " + e.getMessage());
        } catch (AgentKernelException e) {
            throw e;
        } catch (Exception e) {
            throw new ImageUnavailableException("cannot import " + archive + ": " + e, e);
        }
    }

    @Override
    public Image derive(Image base, String reference, Path layerTar, String diffId, String createdBy) {
        ImageReference ref = ImageReference.parse(reference);
        Digest digest;
        try {
            digest = Digest.parse(diffId);
        } catch (RuntimeException e) {
            throw new InvalidRequestException("not a layer digest: " + diffId);
        }
        try {
            return store.withContentLock(() -> store.derive(base, ref, layerTar, digest, createdBy));
        } catch (LayerRefusedException | DigestMismatchException e) {
            throw new InvalidRequestException("cannot store " + reference + ": " + e.getMessage());
        } catch (AgentKernelException e) {
            throw e;
        } catch (Exception e) {
            throw new ImageUnavailableException("cannot store " + reference + ": " + e, e);
        }
    }

    @Override
    public StoreUsage usage() {
        try {
            return store.usage();
        } catch (UncheckedIOException e) {
            throw new ImageUnavailableException(e.getMessage(), e);
        }
    }

    @Override
    public ImageLease lease(Image image, String holder) {
        return store.lease(image, holder);
    }

    @Override
    public void materialize(Image image, Path target) {
        try {
            store.materialize(image, target);
        } catch (IOException e) {
            throw new ImageUnavailableException("cannot write the root file system of " + image.reference() + " to "
                    + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Path root() {
        return store.root();
    }

    @Override
    public void close() {
        registry.close();
    }
}
