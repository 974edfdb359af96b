package dev.agentkernel.api;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code POST /sandboxes}: a persistent, named sandbox.
 *
 * @param name     letters, digits, '.', '_' and '-'
 * @param image    the runtime image
 * @param profile  the security profile
 * @param vcpus    whole CPUs (the published clients type it as an integer; a fraction is refused)
 * @param memoryMb the memory limit in MiB
 * @param diskMb   the size of its disk (/workspace, /tmp and /var/tmp together) in MiB
 * @param network  whether it has network access (default: the profile's)
 * @param dir      an absolute host directory mounted at /workspace
 * @param pull     when to ask the image's registry: {@code missing} (default), {@code always} or {@code never}
 * @param backend  the isolation backend: {@code bwrap}, {@code runc}, {@code gvisor}, ... (default: the server's);
 *                 kept with the sandbox, which runs there after every start
 * @param ttl      its time to live ({@code "30m"}, {@code "2h"}, {@code "7d"}: {@link Lifetime}): it is removed, files
 *                 and all, that long after its creation unless extended ({@code POST /sandboxes/NAME/extend})
 * @param snapshot a snapshot to make the sandbox from: its image and files, and the settings of the sandbox it
 *                 was taken from unless this request gives others
 * @param volumes  named volumes mounted at every start: {@code "NAME:/path"} or {@code "NAME:/path:ro"}
 * @param networkPolicy what its network may reach ({@link NetworkRules}), kept with the sandbox
 * @param secrets  secrets granted to it, as the published clients write them: {@code "KEY:host"},
 *                 {@code "KEY:host:header"} (a secret stored with {@code PUT /secrets/KEY}) or
 *                 {@code "KEY=value:host"} (a value for this sandbox only); the sandbox sees a placeholder
 *                 in {@code $KEY}, and the host's proxy puts the value in its place in requests to {@code host}
 * @param secretFiles secrets whose placeholder is also in the file {@code /run/agentkernel/secrets/KEY}
 * @param secretsInBody secrets whose placeholder the proxy also replaces in request bodies (default: headers only)
 * @param sourceUrl a Git repository ({@code https://}, {@code http://} or {@code git://}) cloned into the new
 *                  sandbox's empty {@code /workspace}, inside the sandbox, before the answer (as the published
 *                  clients' {@code source_url})
 * @param sourceRef the branch, tag or commit of {@code sourceUrl} to check out (default: its default branch)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record CreateSandboxRequest(@JsonProperty(required = true) String name, String image, String profile,
                                   Integer vcpus, Long memoryMb, Long diskMb, Boolean network, String dir,
                                   String pull, String backend, String ttl, String snapshot, List<String> volumes, NetworkRules networkPolicy,
                                   List<String> secrets, List<String> secretFiles, List<String> secretsInBody,
                                   String sourceUrl, String sourceRef) {

    /** The longest {@code source_url} taken. */
    public static final int MAX_SOURCE_URL = 2048;
    private static final java.util.regex.Pattern SOURCE_URL =
            java.util.regex.Pattern.compile("(https?|git)://[^\\s'\"\\\\\\p{Cntrl}]+");
    private static final java.util.regex.Pattern SOURCE_REF = java.util.regex.Pattern.compile("[A-Za-z0-9._/+-]{1,255}");

    /** A request without a Git source. */
    public CreateSandboxRequest(String name, String image, String profile, Integer vcpus, Long memoryMb, Long diskMb,
                                Boolean network, String dir, String pull, String backend, String ttl, String snapshot,
                                List<String> volumes, NetworkRules networkPolicy, List<String> secrets,
                                List<String> secretFiles, List<String> secretsInBody) {
        this(name, image, profile, vcpus, memoryMb, diskMb, network, dir, pull, backend, ttl, snapshot, volumes,
                networkPolicy, secrets, secretFiles, secretsInBody, null, null);
    }

    /** A request whose secrets are replaced in headers only. */
    public CreateSandboxRequest(String name, String image, String profile, Integer vcpus, Long memoryMb, Long diskMb,
                                Boolean network, String dir, String pull, String backend, String ttl, String snapshot,
                                List<String> volumes, NetworkRules networkPolicy, List<String> secrets,
                                List<String> secretFiles) {
        this(name, image, profile, vcpus, memoryMb, diskMb, network, dir, pull, backend, ttl, snapshot, volumes,
                networkPolicy, secrets, secretFiles, null);
    }

    /** A request without network rules or secrets. */
    public CreateSandboxRequest(String name, String image, String profile, Integer vcpus, Long memoryMb, Long diskMb,
                                Boolean network, String dir, String pull, String backend, String ttl, String snapshot,
                                List<String> volumes) {
        this(name, image, profile, vcpus, memoryMb, diskMb, network, dir, pull, backend, ttl, snapshot, volumes, null,
                null, null);
    }


    /** A request without volumes. */
    public CreateSandboxRequest(String name, String image, String profile, Integer vcpus, Long memoryMb, Long diskMb,
                                Boolean network, String dir, String pull, String backend, String ttl, String snapshot) {
        this(name, image, profile, vcpus, memoryMb, diskMb, network, dir, pull, backend, ttl, snapshot, null);
    }

    /** A request not from a snapshot. */
    public CreateSandboxRequest(String name, String image, String profile, Integer vcpus, Long memoryMb, Long diskMb,
                                Boolean network, String dir, String pull, String backend, String ttl) {
        this(name, image, profile, vcpus, memoryMb, diskMb, network, dir, pull, backend, ttl, null);
    }

    /** A request without a time to live. */
    public CreateSandboxRequest(String name, String image, String profile, Integer vcpus, Long memoryMb, Long diskMb,
                                Boolean network, String dir, String pull, String backend) {
        this(name, image, profile, vcpus, memoryMb, diskMb, network, dir, pull, backend, null);
    }

    /** A request on the server's default backend. */
    public CreateSandboxRequest(String name, String image, String profile, Integer vcpus, Long memoryMb, Long diskMb,
                                Boolean network, String dir, String pull) {
        this(name, image, profile, vcpus, memoryMb, diskMb, network, dir, pull, null);
    }

    /** A request with the default pull policy. */
    public CreateSandboxRequest(String name, String image, String profile, Integer vcpus, Long memoryMb, Long diskMb,
                                Boolean network, String dir) {
        this(name, image, profile, vcpus, memoryMb, diskMb, network, dir, null);
    }

    public CreateSandboxRequest {
        Check.required(name, "name", "{\"name\": \"my-sandbox\"}");
        image = Check.optionalText(image, "image");
        profile = Check.optionalText(profile, "profile");
        Check.positive(vcpus, "vcpus", " of CPUs, e.g. 1 or 2");
        Check.positive(memoryMb, "memory_mb", " of MiB, e.g. 512");
        Check.positive(diskMb, "disk_mb", " of MiB (the size of the sandbox's /workspace, /tmp and /var/tmp together),"
                + " e.g. 1024");
        dir = Check.optionalText(dir, "dir");
        if (dir != null && (dir.indexOf('\0') >= 0 || !dir.startsWith("/"))) {
            throw Check.bad("dir must be an absolute host path, e.g. \"/home/me/project\"");
        }
        pull = Check.pullPolicy(pull);
        backend = Check.backend(backend);
        if (ttl != null) {
            Lifetime.parse(ttl, "ttl");
        }
        snapshot = Check.optionalText(snapshot, "snapshot");
        if (snapshot != null && image != null) {
            throw Check.bad("give image or snapshot, not both: a sandbox made from a snapshot runs on the snapshot's image");
        }
        volumes = Check.strings(volumes, "volumes");
        secrets = Check.strings(secrets, "secrets");
        secretFiles = Check.strings(secretFiles, "secret_files");
        secretsInBody = Check.strings(secretsInBody, "secrets_in_body");
        sourceUrl = Check.optionalText(sourceUrl, "source_url");
        sourceRef = Check.optionalText(sourceRef, "source_ref");
        if (sourceUrl != null && (sourceUrl.length() > MAX_SOURCE_URL || !SOURCE_URL.matcher(sourceUrl).matches())) {
            throw Check.bad("source_url must be a Git repository's https://, http:// or git:// URL of at most "
                    + MAX_SOURCE_URL + " characters, without spaces or quotes, e.g. \"https://github.com/owner/repo.git\"");
        }
        if (sourceRef != null && (sourceUrl == null || !SOURCE_REF.matcher(sourceRef).matches()
                || sourceRef.startsWith("-") || sourceRef.contains(".."))) {
            throw Check.bad(sourceUrl == null ? "source_ref needs a source_url to check it out from"
                    : "source_ref must be a branch, tag or commit (letters, digits, '.', '_', '/', '+', '-'; not "
                    + "starting with '-', no '..'), e.g. \"main\" or \"v1.2.0\"");
        }
        for (String v : volumes) {
            if (v.indexOf(':') <= 0 || v.indexOf('\0') >= 0) {
                throw Check.bad("volumes must be \"NAME:/path\" or \"NAME:/path:ro\", e.g. \"data:/data\"; got \""
                        + v + "\"");
            }
        }
    }

    /** {@link #ttl} as a duration, if given. */
    public java.util.Optional<java.time.Duration> timeToLive() {
        return ttl == null ? java.util.Optional.empty() : java.util.Optional.of(Lifetime.parse(ttl, "ttl"));
    }

    /** A sandbox called {@code name} with the server's defaults. */
    public static CreateSandboxRequest named(String name) {
        return new CreateSandboxRequest(name, null, null, null, null, null, null, null);
    }
}
