package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.RawClient;
import portico.testing.RawResponse;
import portico.testing.RecordedRequest;

/**
 * {@code X-Request-Id}: made by the gateway when the client sent none, kept when the client's is
 * sane (1 to 128 visible ASCII characters, no quote or backslash), replaced otherwise; the same id
 * goes upstream and comes back on every response, the gateway's own errors included.
 */
class RequestIdTest {
    private static final String GENERATED = "[0-9a-f]{32}";

    private FakeUpstream upstream;
    private GatewayUnderTest gw;

    @BeforeEach
    void start() {
        upstream = FakeUpstream.start()
                .handle("/api/own-id", (req, res) -> res.header("X-Request-Id", "upstream-made-this").body("{}"))
                .handle("/api/fail", (req, res) -> res.status(500).body("{\"error\":true}"));
        gw = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                limits: {max_body_bytes: 1KB}
                services:
                  api: {url: %s}
                  down: {url: "http://127.0.0.1:1"}
                routes:
                  - {name: api, match: {paths: [/api], methods: [GET, POST]}, service: api}
                  - {name: down, match: {paths: [/down]}, service: down}
                """.formatted(upstream.url()));
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
    }

    private RawResponse exchange(String request) {
        try (RawClient client = gw.raw()) {
            return client.send(request).readResponse();
        }
    }

    @Test
    void generatedWhenAbsentAndTheSameUpstreamAndBack() {
        RawResponse res = exchange("GET /api/x HTTP/1.1\r\nHost: x\r\n\r\n");

        RecordedRequest seen = upstream.takeRequest();
        assertThat(res.header("x-request-id")).matches(GENERATED);
        assertThat(seen.headers("x-request-id")).containsExactly(res.header("x-request-id"));
    }

    @Test
    void eachRequestGetsItsOwn() {
        String first = exchange("GET /api/x HTTP/1.1\r\nHost: x\r\n\r\n").header("x-request-id");
        String second = exchange("GET /api/x HTTP/1.1\r\nHost: x\r\n\r\n").header("x-request-id");

        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void saneIncomingIdIsKept() {
        String id = "req-2024_06:abc/DEF.1~" + "x".repeat(100);
        RawResponse res = exchange("GET /api/x HTTP/1.1\r\nHost: x\r\nX-Request-Id: " + id + "\r\n\r\n");

        assertThat(res.header("x-request-id")).isEqualTo(id);
        assertThat(upstream.takeRequest().headers("x-request-id")).containsExactly(id);
    }

    record Insane(String name, String value) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Insane> insaneIds() {
        return Stream.of(
                new Insane("longer than 128 characters", "a".repeat(129)),
                new Insane("with a space", "abc def"),
                new Insane("with a tab", "abc\tdef"),
                new Insane("with a double quote", "abc\"def"),
                new Insane("with a backslash", "abc\\def"),
                new Insane("with a non-ASCII byte", "abc\u00e9def"),
                new Insane("with a DEL", "abc\u007fdef"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("insaneIds")
    void insaneIncomingIdIsReplaced(Insane insane) {
        RawResponse res = exchange("GET /api/x HTTP/1.1\r\nHost: x\r\nX-Request-Id: " + insane.value() + "\r\n\r\n");

        if (res.status() == 200) {
            assertThat(upstream.takeRequest().headers("x-request-id")).containsExactly(res.header("x-request-id"));
        } else {
            // Some bytes make the head itself malformed; the refusal still carries a fresh id.
            assertThat(res.status()).isEqualTo(400);
        }
        assertThat(res.header("x-request-id")).matches(GENERATED);
    }

    @Test
    void controlCharacterMakesTheHeadMalformedAndTheAnswerHasAFreshId() {
        RawResponse res = exchange("GET /api/x HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc\u0001def\r\n\r\n");

        assertThat(res.status()).isEqualTo(400);
        assertThat(res.header("x-request-id")).matches(GENERATED);
        assertThat(ProblemJson.of(res).requestId()).isEqualTo(res.header("x-request-id"));
    }

    @Test
    void upstreamCannotReplaceTheId() {
        RawResponse res = exchange("GET /api/own-id HTTP/1.1\r\nHost: x\r\nX-Request-Id: client-id\r\n\r\n");

        assertThat(res.status()).isEqualTo(200);
        assertThat(res.header("x-request-id")).isEqualTo("client-id");
    }

    @Test
    void upstreamErrorsCarryTheId() {
        RawResponse res = exchange("GET /api/fail HTTP/1.1\r\nHost: x\r\nX-Request-Id: client-id\r\n\r\n");

        assertThat(res.status()).isEqualTo(500);
        assertThat(res.header("x-request-id")).isEqualTo("client-id");
    }

    record GatewayError(String name, int status, String request) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<GatewayError> gatewayErrors() {
        return Stream.of(
                new GatewayError("400 malformed", 400, "GET /api HTTP/1.1\r\nHost: a\r\nHost: b\r\nX-Request-Id: client-id\r\n\r\n"),
                new GatewayError("404 no route", 404, "GET /nowhere HTTP/1.1\r\nHost: x\r\nX-Request-Id: client-id\r\n\r\n"),
                new GatewayError("405 method", 405, "DELETE /api HTTP/1.1\r\nHost: x\r\nX-Request-Id: client-id\r\n\r\n"),
                new GatewayError("413 body", 413, "POST /api HTTP/1.1\r\nHost: x\r\nX-Request-Id: client-id\r\nContent-Length: 2048\r\n\r\n"),
                new GatewayError("502 refused", 502, "GET /down HTTP/1.1\r\nHost: x\r\nX-Request-Id: client-id\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gatewayErrors")
    void gatewayErrorsEchoTheIdInHeaderAndBody(GatewayError error) {
        RawResponse res = exchange(error.request());

        assertThat(res.status()).isEqualTo(error.status());
        assertThat(res.header("x-request-id")).isEqualTo("client-id");
        assertThat(ProblemJson.of(res).requestId()).isEqualTo("client-id");
    }
}
