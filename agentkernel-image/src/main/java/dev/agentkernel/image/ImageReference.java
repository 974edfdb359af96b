package dev.agentkernel.image;

import dev.agentkernel.model.InvalidRequestException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An image reference normalised as Docker does: {@code python:3.12-alpine} is
 * {@code docker.io/library/python:3.12-alpine}, {@code localhost:5000/team/tool:1} keeps its
 * registry and port, {@code name@sha256:...} pins a digest, and a reference with neither tag nor
 * digest gets the tag {@code latest}. The grammar is that of the distribution project's
 * {@code reference} package: a domain is the first path component only if it contains a
 * {@code .} or a {@code :}, is {@code localhost}, or has an upper-case letter.
 *
 * @param registry   the registry host, with its port if any ({@code docker.io}, {@code localhost:5000})
 * @param repository the repository path inside the registry ({@code library/python})
 * @param tag        the tag, or {@code null} when only a digest is given
 * @param digest     the pinned manifest digest ({@code sha256:<64 hex>}), or {@code null}
 */
public record ImageReference(String registry, String repository, String tag, String digest) {

    /** The registry Docker uses for names without one. */
    public static final String DOCKER_HUB = "docker.io";

    private static final int MAX_NAME_LENGTH = 255;
    private static final Pattern DOMAIN_COMPONENT = Pattern.compile("[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:" + DOMAIN_COMPONENT.pattern() + ")(?:\\.(?:" + DOMAIN_COMPONENT.pattern() + "))*"
                    + "|\\[[0-9a-fA-F:.]+\\]");
    private static final Pattern PORT = Pattern.compile("[0-9]+");
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}");

    /** Validates the parts; use {@link #parse(String)} for user input. */
    public ImageReference {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(repository, "repository");
        if (tag == null && digest == null) {
            throw new InvalidRequestException("image reference " + registry + "/" + repository
                    + " needs a tag or a digest");
        }
        if (tag != null && !TAG.matcher(tag).matches()) {
            throw new InvalidRequestException("invalid tag '" + tag + "': a tag is 1 to 128 characters of "
                    + "letters, digits, '_', '.' and '-', not starting with '.' or '-'");
        }
        if (digest != null && !DIGEST.matcher(digest).matches()) {
            throw new InvalidRequestException("invalid digest '" + digest
                    + "': expected sha256:<64 lower-case hex digits> (or sha512:<128>)");
        }
    }

    /**
     * Parses and normalises a reference as {@code docker pull} does.
     *
     * @throws InvalidRequestException naming the bad part and what is accepted
     */
    public static ImageReference parse(String input) {
        if (input == null || input.isBlank()) {
            throw new InvalidRequestException("image reference is empty; give one like python:3.12-alpine, "
                    + "localhost:5000/team/tool:1 or name@sha256:<digest>");
        }
        String s = input.strip();
        if (!s.equals(input) || s.chars().anyMatch(Character::isWhitespace)) {
            throw invalid(input, "it contains white space");
        }
        String digest = null;
        int at = s.indexOf('@');
        if (at >= 0) {
            digest = s.substring(at + 1);
            s = s.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) {
                throw invalid(input, "the digest after '@' must be sha256:<64 lower-case hex digits>");
            }
        }
        String tag = null;
        int lastSlash = s.lastIndexOf('/');
        int colon = s.lastIndexOf(':');
        if (colon > lastSlash) {
            tag = s.substring(colon + 1);
            s = s.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw invalid(input, "the tag '" + tag + "' is not valid (1 to 128 of letters, digits, '_', '.', '-', "
                        + "not starting with '.' or '-')");
            }
        }
        if (s.isEmpty()) {
            throw invalid(input, "the repository name is missing");
        }
        String registry;
        String path;
        int slash = s.indexOf('/');
        String first = slash < 0 ? s : s.substring(0, slash);
        if (slash < 0 || (!first.contains(".") && !first.contains(":") && !first.equals("localhost")
                && first.toLowerCase(Locale.ROOT).equals(first))) {
            registry = DOCKER_HUB;
            path = s;
        } else {
            registry = first;
            path = s.substring(slash + 1);
            validateDomain(input, registry);
        }
        if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) {
            registry = DOCKER_HUB;
        }
        if (registry.equals(DOCKER_HUB) && !path.contains("/")) {
            path = "library/" + path;
        }
        if (!path.toLowerCase(Locale.ROOT).equals(path)) {
            throw invalid(input, "repository names must be lower-case");
        }
        for (String component : path.split("/", -1)) {
            if (!PATH_COMPONENT.matcher(component).matches()) {
                throw invalid(input, component.isEmpty() ? "it has an empty path component"
                        : "the path component '" + component + "' is not valid (lower-case letters and digits, "
                                + "separated by '.', '_', '__' or '-')");
            }
        }
        if (registry.length() + 1 + path.length() > MAX_NAME_LENGTH) {
            throw invalid(input, "the name is longer than " + MAX_NAME_LENGTH + " characters");
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageReference(registry, path, tag, digest);
    }

    private static void validateDomain(String input, String domain) {
        String host = domain;
        String port = null;
        int colon = domain.lastIndexOf(':');
        if (colon >= 0 && !domain.endsWith("]")) {
            host = domain.substring(0, colon);
            port = domain.substring(colon + 1);
        }
        if (!DOMAIN.matcher(host).matches() || (port != null && !PORT.matcher(port).matches())) {
            throw invalid(input, "the registry '" + domain + "' is not a valid host name with an optional :port");
        }
    }

    private static InvalidRequestException invalid(String input, String why) {
        return new InvalidRequestException("invalid image reference '" + input + "': " + why);
    }

    /** {@code registry/repository}, without tag or digest. */
    public String name() {
        return registry + "/" + repository;
    }

    /** The tag or digest to ask the registry for: the digest when pinned, else the tag. */
    public String manifestKey() {
        return digest != null ? digest : tag;
    }

    /** The pinned digest, if any. */
    public Optional<String> pinnedDigest() {
        return Optional.ofNullable(digest);
    }

    /** This reference pinned to {@code manifestDigest}, keeping its tag. */
    public ImageReference withDigest(String manifestDigest) {
        return new ImageReference(registry, repository, tag, manifestDigest);
    }

    /** The normalised, fully qualified form: {@code registry/repository[:tag][@digest]}. */
    @Override
    public String toString() {
        return name() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }
}
