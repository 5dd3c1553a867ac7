package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.RawClient;
import portico.testing.RawResponse;

/**
 * {@code response_transform}: header operations on every answer, JSON body operations on 2xx JSON
 * answers, always with a Content-Length that matches what is sent; other answers stream as they
 * came, and a body over {@code max_body} goes on untransformed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResponseTransformTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER = "{\"id\":1,\"name\":\"Alice\",\"password_hash\":\"$2b$12$x\",\"ssn\":\"900-11-3471\","
            + "\"credit_card\":\"4111\",\"created\":1675165645,\"address\":{\"city\":\"Oxford\",\"zip\":\"OX1\"},"
            + "\"orders\":[{\"id\":\"7\",\"total\":\"12.50\"},{\"id\":\"8\",\"total\":\"3\"}]}";

    private FakeUpstream upstream;
    private GatewayUnderTest gw;

    @BeforeAll
    void start() throws Exception {
        byte[] gzipped = RequestTransformTest.gzip(USER.getBytes());
        String chunkedJson = "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "a\r\n" + USER.substring(0, 10) + "\r\n" + Integer.toHexString(USER.length() - 10) + "\r\n" + USER.substring(10)
                + "\r\n0\r\n\r\n";
        upstream = FakeUpstream.start()
                .respond("/users/1", 200, USER)
                .handle("/head-user", (req, res) -> {
                    if (!req.method().equals("HEAD")) res.body(USER);
                    else res.raw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + USER.length() + "\r\n\r\n");
                })
                .respond("/list", 200, "[" + USER + "," + USER + "]")
                .respond("/missing", 404, "{\"error\":\"not found\",\"password_hash\":\"kept\"}")
                .handle("/text", (req, res) -> res.header("Content-Type", "text/plain").body("password_hash ssn"))
                .handle("/chunked-text", (req, res) -> res.header("Content-Type", "text/csv").stream(100_000, true))
                .handle("/chunked-json", (req, res) -> res.raw(chunkedJson))
                .handle("/gzip", (req, res) -> res.header("Content-Encoding", "gzip").body(gzipped))
                .respond("/big", 200, "{\"password_hash\":\"" + "x".repeat(5000) + "\"}")
                .respond("/numbers", 200, "{\"price\":12.30,\"big\":123456789.123456789,\"huge\":1e400,\"int\":9007199254740993,"
                        + "\"tiny\":-0.000000000000000000001,\"password_hash\":\"x\"}")
                .respond("/trailing", 200, "{\"id\":1}{\"password_hash\":\"x\"}")
                .respond("/nan", 200, "{\"password_hash\":\"x\",\"n\":NaN}")
                .respond("/deep", 200, "[".repeat(1500) + "{\"password_hash\":\"x\"}" + "]".repeat(1500))
                .handle("/brotli", (req, res) -> res.header("Content-Encoding", "br").body("{\"password_hash\":\"x\"}"))
                .handle("/big-chunked", (req, res) -> res.raw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "fa0\r\n{\"password_hash\":\"" + "x".repeat(4000 - 18) + "\r\nfa0\r\n" + "x".repeat(3998) + "\"}\r\n0\r\n\r\n"));
        gw = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                services:
                  api: {url: %s}
                  down: {url: "http://127.0.0.1:1"}
                plugins:
                  response_transform:
                    headers:
                      set: {X-Consumer: "{consumer.name}", X-Route: "{header.X-Tenant}"}
                      add: {Deprecation: "true"}
                      remove: [X-Internal]
                    body:
                      rename: {created: created_at}
                      remove: [password_hash, ssn, /credit_card, address.zip]
                      convert: {created_at: iso8601, orders.total: number}
                      set: {api_version: 2, address.country: GB}
                    max_body: 4KB
                routes:
                  - {name: api, match: {paths: [/]}, service: api}
                  - {name: down, match: {paths: [/down]}, service: down}
                  - name: allow
                    match: {paths: [/allow]}
                    service: api
                    plugins:
                      request_transform: {path: /users/1}
                      response_transform: {body: {allow: [id, address.city, orders.id]}}
                  - name: pass
                    match: {paths: ["/pass/{what}"]}
                    service: api
                    plugins:
                      request_transform: {path: "/{what}"}
                      response_transform: {body: {remove: [password_hash]}, max_body: 4KB, on_error: pass}
                  - name: rename-only
                    match: {paths: ["/rename-only/{what}"]}
                    service: api
                    plugins:
                      request_transform: {path: "/{what}"}
                      response_transform: {body: {rename: {id: key}}}
                """.formatted(upstream.url()));
    }

    @AfterAll
    void stop() {
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
    }

    @Test
    void fieldsAreRemovedRenamedConvertedAndSetWithAContentLengthThatFits() throws Exception {
        HttpResponse<String> res = gw.get("/users/1");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(res.body())).isEqualTo(JSON.readTree("""
                {"id":1,"name":"Alice","created_at":"2023-01-31T11:47:25Z","address":{"city":"Oxford","country":"GB"},
                 "orders":[{"id":"7","total":12.50},{"id":"8","total":3}],"api_version":2}"""));
        assertThat(res.headers().firstValue("content-length")).hasValue(String.valueOf(res.body().getBytes().length));
    }

    @Test
    void numbersTheTransformDoesNotTouchKeepTheirExactValue() {
        String body = gw.get("/numbers").body();

        assertThat(body).doesNotContain("password_hash")
                .contains("\"price\":12.30", "\"big\":123456789.123456789", "\"huge\":1E+400", "\"int\":9007199254740993",
                        "\"tiny\":-1E-21");
    }

    @Test
    void aHeadAnswerOfATransformedRouteLeavesOutTheLengthOnlyAGetWouldKnow() {
        HttpResponse<String> get = gw.get("/head-user");
        HttpResponse<String> head = gw.send(HttpRequest.newBuilder(gw.uri("/head-user")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());

        assertThat(get.headers().firstValue("content-length")).hasValue(String.valueOf(get.body().length()));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("content-length")).as("never the untransformed " + USER.length()).isEmpty();
        assertThat(head.headers().firstValue("content-type")).isEqualTo(get.headers().firstValue("content-type"));
        assertThat(head.headers().firstValue("deprecation")).hasValue("true");
        assertThat(gw.get("/users/1").statusCode()).as("the connection goes on").isEqualTo(200);
    }

    @Test
    void eachElementOfAnArrayBodyIsTransformed() throws Exception {
        HttpResponse<String> res = gw.get("/list");

        assertThat(JSON.readTree(res.body())).hasSize(2).allSatisfy(user -> {
            assertThat(user.has("password_hash")).isFalse();
            assertThat(user.get("created_at").asText()).isEqualTo("2023-01-31T11:47:25Z");
        });
    }

    @Test
    void anAllowListKeepsOnlyTheNamedFields() throws Exception {
        HttpResponse<String> res = gw.get("/allow");

        assertThat(JSON.readTree(res.body())).isEqualTo(JSON.readTree("""
                {"id":1,"address":{"city":"Oxford"},"orders":[{"id":"7"},{"id":"8"}]}"""));
    }

    @Test
    void headersAreEditedWithTemplates() {
        HttpResponse<String> res = gw.send(HttpRequest.newBuilder(gw.uri("/users/1")).header("X-Tenant", "acme").build());

        assertThat(res.headers().firstValue("x-route")).hasValue("acme");
        assertThat(res.headers().firstValue("deprecation")).hasValue("true");
        assertThat(res.headers().firstValue("x-consumer")).isEmpty();  // no consumer: the header is not set
    }

    @Test
    void theGatewaysOwnErrorsGetTheHeadersButKeepTheirBody() {
        HttpResponse<String> res = gw.get("/down/x");

        assertThat(res.statusCode()).isEqualTo(502);
        assertThat(res.headers().firstValue("deprecation")).hasValue("true");
        assertThat(res.body()).contains("urn:portico:error:bad-upstream");
    }

    @Test
    void aServiceErrorPassesAsTheServiceWroteIt() {
        HttpResponse<String> res = gw.get("/missing");

        assertThat(res.statusCode()).isEqualTo(404);
        assertThat(res.body()).isEqualTo("{\"error\":\"not found\",\"password_hash\":\"kept\"}");
    }

    @Test
    void aBodyThatIsNotJsonPassesUntouched() {
        assertThat(gw.get("/text").body()).isEqualTo("password_hash ssn");
    }

    @Test
    void aChunkedBodyThatIsNotJsonStillStreamsChunked() {
        try (RawClient client = gw.raw()) {
            RawResponse head = client.send("GET /chunked-text HTTP/1.1\r\nHost: x\r\n\r\n").readResponseHead();

            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(head.header("content-length")).isNull();
        }
    }

    @Test
    void aChunkedJsonBodyIsTransformedAndSentWithAContentLength() throws Exception {
        try (RawClient client = gw.raw()) {
            RawResponse res = client.send("GET /chunked-json HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();

            assertThat(res.status()).isEqualTo(200);
            assertThat(res.header("transfer-encoding")).isNull();
            assertThat(JSON.readTree(res.body()).has("ssn")).isFalse();
            assertThat(JSON.readTree(res.body()).get("api_version").asInt()).isEqualTo(2);
        }
    }

    @Test
    void aGzipBodyIsDecodedTransformedAndEncodedAgain() throws Exception {
        HttpResponse<byte[]> res = GatewayUnderTest.HTTP.send(HttpRequest.newBuilder(gw.uri("/gzip")).header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(res.headers().firstValue("content-encoding")).hasValue("gzip");
        assertThat(res.headers().firstValue("content-length")).hasValue(String.valueOf(res.body().length));
        String plain = new String(RequestTransformTest.gunzip(res.body()));
        assertThat(JSON.readTree(plain).has("password_hash")).isFalse();
        assertThat(JSON.readTree(plain).get("created_at").asText()).isEqualTo("2023-01-31T11:47:25Z");
    }

    @Test
    void aBodyThatCannotBeCleanedOfFieldsToRemoveIsNeverPassed() {
        for (String path : new String[] {"/big", "/big-chunked", "/trailing", "/nan", "/deep", "/brotli"}) {
            HttpResponse<String> res = gw.get(path);

            assertThat(res.statusCode()).as(path).isEqualTo(502);
            assertThat(res.body()).as(path).contains("urn:portico:error:bad-upstream", "response_transform").doesNotContain("password_hash\":\"x");
        }
        assertThat(gw.get("/users/1").statusCode()).as("the connection pool is fine afterwards").isEqualTo(200);
    }

    @Test
    void trailingContentAfterTheJsonValueIsNotJson() {
        assertThat(gw.get("/trailing").body()).contains("does not parse");
    }

    @Test
    void withOnErrorPassABodyOverMaxBodyPassesUntransformedAndWhole() {
        String big = gw.get("/pass/big").body();
        assertThat(big).startsWith("{\"password_hash\":\"xxx").hasSize(5000 + 20);

        // No Content-Length: the limit is found while holding the body; what was held goes first.
        HttpResponse<String> chunked = gw.get("/pass/big-chunked");
        assertThat(chunked.body()).startsWith("{\"password_hash\":\"xxx").endsWith("x\"}").hasSize(8000);
        assertThat(chunked.headers().firstValue("transfer-encoding")).hasValue("chunked");

        assertThat(gw.get("/pass/trailing").body()).isEqualTo("{\"id\":1}{\"password_hash\":\"x\"}");
    }

    @Test
    void bodyOperationsThatRemoveNothingPassABodyTheyCannotReadByDefault() {
        HttpResponse<String> res = gw.get("/rename-only/trailing");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo("{\"id\":1}{\"password_hash\":\"x\"}");
    }
}
