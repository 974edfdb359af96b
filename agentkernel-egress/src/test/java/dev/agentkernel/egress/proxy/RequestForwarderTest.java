package dev.agentkernel.egress.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.SecretGrant;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestForwarderTest {

    private static final SecretGrant TOKEN = new SecretGrant("token", "AK_TOKEN_PLACEHOLDER", "real-token-välue",
            List.of("api.example.test", "*.api.example.test"), Optional.empty(), true);
    private static final SecretGrant KEY = new SecretGrant("key", "AK_KEY_PLACEHOLDER", "real-key",
            List.of("keys.example.test"), Optional.of("X-Api-Key"), false);
    private static final Placeholders SECRETS = new Placeholders(List.of(TOKEN, KEY));

    private final Set<String> withheld = new LinkedHashSet<>();

    private String forward(String request, Placeholders.Scope scope, int maxBody) throws IOException {
        HttpInput in = new HttpInput(new ByteArrayInputStream(request.getBytes(StandardCharsets.UTF_8)));
        RequestHead head = RequestHead.read(in, RequestHead.MAX_HEAD);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new RequestForwarder(maxBody).forward(head, in, out, scope, withheld);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aGrantedHostGetsTheValueInHeadersAndBody() throws IOException {
        String sent = forward("POST /v1 HTTP/1.1\r\nHost: api.example.test\r\nAuthorization: Bearer AK_TOKEN_PLACEHOLDER\r\n"
                + "Content-Length: 28\r\n\r\n{\"t\":\"AK_TOKEN_PLACEHOLDER\"}", SECRETS.scope("api.example.test"), 1024);

        String body = "{\"t\":\"real-token-välue\"}";
        assertThat(sent).isEqualTo("POST /v1 HTTP/1.1\r\nHost: api.example.test\r\n"
                + "Authorization: Bearer real-token-välue\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
        assertThat(withheld).isEmpty();
    }

    @Test
    void aChunkedBodyIsReadWholeAndSentWithItsLength() throws IOException {
        String sent = forward("POST / HTTP/1.1\r\nHost: x.api.example.test\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n"
                + "5\r\nAK_TO\r\nF;ext=1\r\nKEN_PLACEHOLDER\r\n0\r\nTrailer: t\r\n\r\n", SECRETS.scope("x.api.example.test"), 1024);

        assertThat(sent).isEqualTo("POST / HTTP/1.1\r\nHost: x.api.example.test\r\nContent-Length: 17\r\n\r\nreal-token-välue");
    }

    @Test
    void aGrantWithAHeaderSetsItAndLeavesBodiesAlone() throws IOException {
        String sent = forward("PUT / HTTP/1.1\r\nHost: keys.example.test\r\nX-Api-Key: something\r\nContent-Length: 18\r\n\r\n"
                + "AK_KEY_PLACEHOLDER", SECRETS.scope("keys.example.test"), 1024);

        assertThat(sent).isEqualTo("PUT / HTTP/1.1\r\nHost: keys.example.test\r\nX-Api-Key: real-key\r\nContent-Length: 18\r\n\r\n"
                + "AK_KEY_PLACEHOLDER");
        assertThat(withheld).isEmpty();
    }

    @Test
    void anotherHostGetsThePlaceholdersAndTheyAreReported() throws IOException {
        String request = "POST / HTTP/1.1\r\nHost: elsewhere.test\r\nCookie: a=AK_KEY_PLACEHOLDER\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "4\r\nAK_T\r\n10\r\nOKEN_PLACEHOLDER\r\n0\r\n\r\n";

        String sent = forward(request, SECRETS.scope("elsewhere.test"), 1024);

        assertThat(sent).isEqualTo(request);
        assertThat(sent).doesNotContain("real-");
        assertThat(withheld).containsExactly("key", "token");
    }

    @Test
    void aHostMustBeCoveredUnderEveryNameItIsReachedBy() throws IOException {
        String sent = forward("GET / HTTP/1.1\r\nHost: elsewhere.test\r\nAuthorization: AK_TOKEN_PLACEHOLDER\r\n\r\n",
                SECRETS.scope("api.example.test", "elsewhere.test"), 1024);

        assertThat(sent).contains("Authorization: AK_TOKEN_PLACEHOLDER").doesNotContain("real-token");
        assertThat(withheld).containsExactly("token");
    }

    @Test
    void aBodyOverTheBoundIsRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> forward("POST / HTTP/1.1\r\nHost: api.example.test\r\nContent-Length: 2000\r\n\r\n" + "x".repeat(2000),
                SECRETS.scope("api.example.test"), 1000))
                .isInstanceOfSatisfying(HttpProblem.class, p -> assertThat(p.status()).isEqualTo(413));
    }

    @Test
    void ambiguousFramingIsRefused() {
        assertThatThrownBy(() -> forward("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
                SECRETS.scope("h"), 1000)).isInstanceOfSatisfying(HttpProblem.class, p -> assertThat(p.status()).isEqualTo(400));
        assertThatThrownBy(() -> forward("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                SECRETS.scope("h"), 1000)).isInstanceOfSatisfying(HttpProblem.class, p -> assertThat(p.status()).isEqualTo(400));
        assertThatThrownBy(() -> forward("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n",
                SECRETS.scope("h"), 1000)).isInstanceOfSatisfying(HttpProblem.class, p -> assertThat(p.status()).isEqualTo(501));
        assertThatThrownBy(() -> forward("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                SECRETS.scope("h"), 1000)).isInstanceOfSatisfying(HttpProblem.class, p -> assertThat(p.status()).isEqualTo(400));
    }

    @Test
    void aValueThatWouldBreakTheHeadIsNeverSent() {
        SecretGrant broken = new SecretGrant("broken", "AK_BROKEN", "secret\r\nX-Injected: 1", List.of("h"), Optional.empty(), false);

        assertThatThrownBy(() -> forward("GET / HTTP/1.1\r\nHost: h\r\nA: AK_BROKEN\r\n\r\n",
                new Placeholders(List.of(broken)).scope("h"), 1000))
                .isInstanceOfSatisfying(HttpProblem.class, p -> assertThat(p.status()).isEqualTo(502))
                .hasMessageNotContaining("X-Injected");
    }

    @Test
    void theScannerFindsAPlaceholderSplitAcrossPieces() {
        Placeholders.BodyScanner scanner = SECRETS.scope("nowhere.test").scanner();
        byte[] text = "xxAK_TOKEN_PLACEHOLDERyy".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < text.length; i++) {
            scanner.feed(text, i, 1);
        }

        assertThat(scanner.found()).containsExactly("token");
    }

    @Test
    void noValueEverAppearsInWhatAGrantPrints() {
        assertThat(TOKEN.toString()).doesNotContain("real-token");
    }
}
