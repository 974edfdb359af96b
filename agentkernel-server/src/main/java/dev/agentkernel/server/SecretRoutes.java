package dev.agentkernel.server;

import dev.agentkernel.api.BadRequestException;
import dev.agentkernel.api.ErrorCode;
import dev.agentkernel.api.SecretRemoved;
import dev.agentkernel.api.SetSecretRequest;
import dev.agentkernel.core.secret.SecretManager;
import dev.agentkernel.core.secret.SecretNames;
import dev.agentkernel.core.wire.WireViews;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Secrets: {@code PUT /secrets/{name}} (create or replace; the body is {@code {"value": "..."}}),
 * {@code GET /secrets}, {@code GET /secrets/{name}} and {@code DELETE /secrets/{name}}. No answer
 * carries a value, and no error quotes the request body (a body that is not valid JSON could hold
 * the value in the parser's message). Package-private.
 */
final class SecretRoutes {

    private static final String SHAPE = "request body must be a JSON object {\"value\": \"...\"} with the secret's"
            + " value as a non-empty string";

    private final SecretManager secrets;
    private final Bodies bodies;

    SecretRoutes(SecretManager secrets, Bodies bodies) {
        this.secrets = secrets;
        this.bodies = bodies;
    }

    void set(ServerRequest req, ServerResponse res) {
        String name = name(req);
        SetSecretRequest body;
        try {
            body = Json.read(bodies.read(req), SetSecretRequest.class);
        } catch (BadRequestException e) {
            // the record's own messages and the field's type errors name "value" and never quote it; others may
            throw e.getMessage() != null && e.getMessage().startsWith("value ") ? e
                    : new BadRequestException(ErrorCode.INVALID_REQUEST, SHAPE);
        }
        Json.send(res, 200, WireViews.secret(secrets.set(name, body.value())));
    }

    void list(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, WireViews.secrets(secrets.list()));
    }

    void get(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, WireViews.secret(secrets.get(name(req))));
    }

    void delete(ServerRequest req, ServerResponse res) {
        String name = name(req);
        secrets.remove(name);
        Json.send(res, 200, new SecretRemoved(name));
    }

    private static String name(ServerRequest req) {
        return SecretNames.requireValid(req.path().pathParameters().get("name"));
    }
}
