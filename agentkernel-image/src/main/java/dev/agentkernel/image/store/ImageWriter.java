package dev.agentkernel.image.store;

import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageReference;
import dev.agentkernel.image.PullEvent;
import dev.agentkernel.image.PullListener;
import dev.agentkernel.image.oci.Descriptor;
import dev.agentkernel.image.oci.Digest;
import dev.agentkernel.image.oci.OciDocuments;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stores one image from a source of blobs (a registry, an archive): its manifest, its
 * configuration, each layer blob (verified, shared with concurrent writers) and each layer
 * unpacked (by diff_id, shared), {@code parallelism} layers at a time on platform threads; then
 * the record of its reference. A layer already unpacked is not fetched.
 */
public final class ImageWriter {

    /** Where blobs come from. */
    public interface BlobSource {
        /** Writes the bytes of the blob {@code descriptor} into {@code out}; may be called again on failure. */
        void copy(Descriptor descriptor, OutputStream out) throws IOException;

        /** How many times a failed copy is attempted in all. */
        default int attempts() {
            return 1;
        }
    }

    private static final int MAX_CONFIG_BYTES = 16 << 20;

    private final ImageStore store;
    private final int parallelism;

    /** A writer into {@code store} that fetches at most {@code parallelism} layers at once. */
    public ImageWriter(ImageStore store, int parallelism) {
        this.store = store;
        this.parallelism = Math.max(1, parallelism);
    }

    /**
     * Stores the image whose manifest is {@code manifestBytes} (already checked to hash to
     * {@code manifestDigest}) under {@code reference}.
     *
     * @param indexDigest the index it was selected from, or null
     * @param indexBytes  that index's bytes, or null
     */
    public Image write(ImageReference reference, Digest manifestDigest, byte[] manifestBytes, Digest indexDigest,
                       byte[] indexBytes, BlobSource source, PullListener listener) throws IOException {
        OciDocuments.Manifest manifest = OciDocuments.manifest(manifestBytes);
        listener.onEvent(new PullEvent.Resolved(reference, manifestDigest.toString(), manifest.layers().size()));
        store.putBlob(manifestDigest, manifestBytes);
        if (indexDigest != null) {
            store.putBlob(indexDigest, indexBytes);
        }
        Descriptor configDescriptor = manifest.config();
        byte[] configBytes;
        if (store.hasBlob(configDescriptor.digest())) {
            configBytes = store.readBlob(configDescriptor.digest());
        } else {
            if (configDescriptor.size() > MAX_CONFIG_BYTES) {
                throw new DigestMismatchException("the image configuration of " + reference + " is "
                        + configDescriptor.size() + " bytes, more than " + MAX_CONFIG_BYTES + "; refused");
            }
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            copyWithRetries(source, configDescriptor, buffer);
            configBytes = buffer.toByteArray();
            if (!configDescriptor.digest().matches(configBytes)) {
                throw new DigestMismatchException("the image configuration " + configDescriptor.digest() + " of "
                        + reference + " has the wrong content; nothing was stored");
            }
            store.putBlob(configDescriptor.digest(), configBytes);
        }
        OciDocuments.ConfigFile config = OciDocuments.config(configBytes);
        if (config.diffIds().size() != manifest.layers().size()) {
            throw new DigestMismatchException("the image " + reference + " has " + manifest.layers().size()
                    + " layers but its configuration lists " + config.diffIds().size() + " diff_ids; refused");
        }
        List<ImageStore.StoredLayer> layers = fetchLayers(reference, manifest.layers(), config.diffIds(), source,
                listener);
        Image image = store.commit(reference, manifestDigest, indexDigest, configDescriptor.digest(),
                config.platform().toString(), config.config(), layers);
        listener.onEvent(new PullEvent.Completed(image));
        return image;
    }

    private static void copyWithRetries(BlobSource source, Descriptor d, ByteArrayOutputStream out)
            throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                out.reset();
                source.copy(d, out);
                return;
            } catch (IOException e) {
                if (attempt >= source.attempts()) {
                    throw e;
                }
                BlobStore.sleepBackoff(attempt);
            }
        }
    }

    private List<ImageStore.StoredLayer> fetchLayers(ImageReference reference, List<Descriptor> descriptors,
                                                     List<Digest> diffIds, BlobSource source,
                                                     PullListener listener) throws IOException {
        List<ImageStore.StoredLayer> out = new ArrayList<>();
        // Platform threads: an unpack is CPU and system-call work for seconds, which on virtual
        // threads held the few carriers and stalled the other layers' downloads behind it.
        try (ExecutorService threads = Executors.newFixedThreadPool(parallelism,
                Thread.ofPlatform().daemon().name("layer-", 0).factory())) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < descriptors.size(); i++) {
                Descriptor d = descriptors.get(i);
                Digest diffId = diffIds.get(i);
                out.add(new ImageStore.StoredLayer(d.digest().toString(), diffId.toString(), d.size()));
                String name = d.digest().shortHex() + " of " + reference;
                futures.add(threads.submit(() -> {
                    fetchLayer(d, diffId, name, source, listener);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    futures.forEach(other -> other.cancel(true));
                    Throwable cause = e.getCause();
                    if (cause instanceof IOException io) {
                        throw io;
                    }
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IOException(cause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    futures.forEach(other -> other.cancel(true));
                    throw new java.io.InterruptedIOException("interrupted while fetching layers of " + reference);
                }
            }
        }
        return out;
    }

    private static long resetTo(AtomicLong done) {
        done.set(0);
        return 0;
    }

    private void fetchLayer(Descriptor d, Digest diffId, String name, BlobSource source, PullListener listener)
            throws IOException {
        if (store.layer(diffId).isPresent()) {
            listener.onEvent(new PullEvent.LayerDone(d.digest().toString(), 0, true));
            return;
        }
        AtomicLong done = new AtomicLong();
        boolean fetched = store.ensureBlob(d.digest(), d.size(), source.attempts(),
                out -> source.copy(d, out), n -> {
                    long now = n < 0 ? resetTo(done) : done.addAndGet(n);
                    listener.onEvent(new PullEvent.LayerProgress(d.digest().toString(), now, d.size()));
                });
        store.ensureLayer(d.digest(), diffId, name);
        listener.onEvent(new PullEvent.LayerDone(d.digest().toString(), fetched ? done.get() : 0, false));
    }
}
