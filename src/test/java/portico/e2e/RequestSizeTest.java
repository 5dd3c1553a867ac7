package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.RawClient;
import portico.testing.RawResponse;

/**
 * {@code request_size} lowers the body limit per scope: checked on Content-Length before the
 * upstream is called, and on streamed chunks. Also shows scope resolution: route over service over
 * global, and {@code request_size: off} on a route that inherits one.
 */
class RequestSizeTest {
    private FakeUpstream upstream;
    private GatewayUnderTest gw;

    @BeforeEach
    void start() {
        upstream = FakeUpstream.start().handle("/", (req, res) -> res.body("{\"got\":" + req.bodyLength() + "}"));
        gw = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                limits: {max_body_bytes: 64KB}
                plugins: {request_size: {max_body: 1KB}}
                services:
                  api: {url: %1$s}
                  uploads: {url: %1$s, plugins: {request_size: {max_body: 8KB}}}
                routes:
                  - {name: api, match: {paths: [/api]}, service: api}
                  - {name: login, match: {paths: [/login]}, service: api, plugins: {request_size: {max_body: 100B}}}
                  - {name: uploads, match: {paths: [/uploads]}, service: uploads}
                  - {name: bulk, match: {paths: [/bulk]}, service: api, plugins: {request_size: off}}
                """.formatted(upstream.url()));
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
    }

    private int post(String path, int bytes) {
        return gw.send(HttpRequest.newBuilder(gw.uri(path)).POST(HttpRequest.BodyPublishers.ofString("x".repeat(bytes))).build())
                .statusCode();
    }

    @Test
    void theGlobalLimitAppliesWhereNothingCloserIsSet() {
        assertThat(post("/api", 1024)).isEqualTo(200);
        assertThat(post("/api", 1025)).isEqualTo(413);
    }

    @Test
    void aRouteLimitReplacesTheGlobalOne() {
        assertThat(post("/login", 100)).isEqualTo(200);
        assertThat(post("/login", 101)).isEqualTo(413);
    }

    @Test
    void aServiceLimitReplacesTheGlobalOne() {
        assertThat(post("/uploads", 8 * 1024)).isEqualTo(200);
        assertThat(post("/uploads", 8 * 1024 + 1)).isEqualTo(413);
    }

    @Test
    void offOnARouteLeavesOnlyTheGatewayLimit() {
        assertThat(post("/bulk", 64 * 1024)).isEqualTo(200);
        assertThat(post("/bulk", 64 * 1024 + 1)).isEqualTo(413);
    }

    @Test
    void aDeclaredLengthOverTheLimitNeverReachesTheUpstream() {
        assertThat(post("/login", 5000)).isEqualTo(413);
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void aChunkedBodyIsCutWhenItGrowsPastTheLimit() {
        try (RawClient client = gw.raw()) {
            String chunk = "x".repeat(60);
            RawResponse res = client.send("POST /login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3c\r\n" + chunk + "\r\n3c\r\n" + chunk + "\r\n0\r\n\r\n").readResponse();

            assertThat(res.status()).isEqualTo(413);
            assertThat(res.body()).contains("request_size");
        }
    }

    @Test
    void aConsumersOwnLimitIsNamedWithoutCallingItTheRoutes() {
        try (GatewayUnderTest own = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                services: {api: {url: %s}}
                consumers:
                  small: {api_keys: [small-key-0123456789abcdef], plugins: {request_size: {max_body: 16B}}}
                routes:
                  - {name: api, match: {paths: [/api]}, service: api, plugins: {key_auth: {}}}
                """.formatted(upstream.url()))) {
            HttpResponse<String> res = own.send(HttpRequest.newBuilder(own.uri("/api")).header("X-API-Key", "small-key-0123456789abcdef")
                    .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100))).build());

            assertThat(res.statusCode()).isEqualTo(413);
            assertThat(ProblemJson.of(res).detail()).isEqualTo("the request body of 100 bytes is larger than the request_size limit (16 bytes)");
        }
    }
}
