package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.RawClient;
import portico.testing.RawResponse;
import portico.testing.RecordedRequest;

/**
 * {@code request_transform}: headers, query and path are edited on the way upstream with templates
 * filled from the request; JSON bodies are transformed whole (and then carry a Content-Length),
 * other bodies stream untouched, and a body over {@code max_body} goes on untransformed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestTransformTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private FakeUpstream upstream;
    private GatewayUnderTest gw;

    @BeforeAll
    void start() {
        upstream = FakeUpstream.start();
        gw = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                services: {api: {url: %s, timeouts: {idle: 500ms}}}
                routes:
                  - name: headers
                    match: {paths: ["/headers/{id}"]}
                    service: api
                    plugins:
                      request_transform:
                        headers:
                          rename: {X-Old-Name: X-New-Name}
                          remove: [X-Debug]
                          set: {X-Item: "item-{id}", X-Lang: "{query.lang}", X-Missing: "{query.nope}"}
                          add: {X-Via: portico}
                  - name: query
                    match: {paths: [/query]}
                    service: api
                    plugins:
                      request_transform:
                        query: {remove: [debug], set: {tenant: "{header.X-Tenant}"}, add: {source: "gateway one"}}
                  - name: path
                    match: {paths: ["/v2/users/{id}"]}
                    service: api
                    plugins:
                      request_transform: {path: "/legacy/users/{id}"}
                  - name: dots
                    match: {paths: [/dots]}
                    service: api
                    plugins:
                      request_transform: {path: "/echo/x/{query.v}/y"}
                  - name: body
                    match: {paths: [/body]}
                    service: api
                    plugins:
                      request_transform:
                        body:
                          rename: {fullName: name}
                          remove: [password]
                          set: {source: gateway, path: "{header.X-Origin}"}
                        max_body: 1KB
                        on_error: pass
                  - name: strict
                    match: {paths: [/strict]}
                    service: api
                    plugins:
                      request_transform: {body: {remove: [role]}, max_body: 1KB}
                """.formatted(upstream.url()));
    }

    @AfterAll
    void stop() {
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
    }

    @BeforeEach
    void drain() {
        upstream.recorded();
        while (!upstream.recorded().isEmpty()) upstream.takeRequest();
    }

    @Test
    void headersAreRenamedRemovedSetAndAddedWithTemplates() {
        gw.send(HttpRequest.newBuilder(gw.uri("/headers/42?lang=fr")).header("X-Old-Name", "kept value")
                .header("X-Debug", "1").header("X-Via", "client").build());

        RecordedRequest seen = upstream.takeRequest();
        assertThat(seen.header("x-old-name")).isNull();
        assertThat(seen.header("x-new-name")).isEqualTo("kept value");
        assertThat(seen.header("x-debug")).isNull();
        assertThat(seen.header("x-item")).isEqualTo("item-42");
        assertThat(seen.header("x-lang")).isEqualTo("fr");
        assertThat(seen.headers("x-via")).containsExactly("client", "portico");
    }

    @Test
    void aHeaderWhoseTemplateNamesAMissingValueIsNotSet() {
        gw.get("/headers/1");

        RecordedRequest seen = upstream.takeRequest();
        assertThat(seen.header("x-missing")).isNull();
        assertThat(seen.header("x-lang")).isNull();
        assertThat(seen.header("x-item")).isEqualTo("item-1");
    }

    @Test
    void aHeaderValueThatIsNotPrintableAsciiIsSentPercentEncodedNeverLossyOrAsTwoHeaders() {
        gw.get("/headers/1?lang=%E4%B8%AD%20Jos%C3%A9");
        assertThat(upstream.takeRequest().header("x-lang")).isEqualTo("%E4%B8%AD%20Jos%C3%A9");

        try (RawClient client = gw.raw()) {
            byte[] head = "GET /query HTTP/1.1\r\nHost: x\r\nX-Tenant: caf\u00c3\u00a9\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(client.send(head).readResponse().status()).isEqualTo(200);
        }
        assertThat(upstream.takeRequest().target()).as("the client's UTF-8 bytes, as sent").contains("tenant=caf%C3%A9");

        gw.get("/headers/2?lang=fr%0D%0AX-Injected:%201");
        RecordedRequest seen = upstream.takeRequest();
        assertThat(seen.header("x-lang")).isEqualTo("fr%0D%0AX-Injected:%201");
        assertThat(seen.header("x-injected")).isNull();
    }

    @Test
    void queryParametersAreEditedAndTheOthersKeepTheirBytes() {
        gw.send(HttpRequest.newBuilder(gw.uri("/query?b=2&debug=1&a=%2F&tenant=forged")).header("X-Tenant", "acme&co").build());

        assertThat(upstream.takeRequest().target()).isEqualTo("/query?b=2&a=%2F&tenant=acme%26co&source=gateway%20one");
    }

    @Test
    void thePathIsRewrittenFromCapturesAndTheQueryKept() {
        gw.get("/v2/users/7%20x?fields=name");

        assertThat(upstream.takeRequest().target()).isEqualTo("/legacy/users/7%20x?fields=name");
    }

    @Test
    void aPathValueThatWouldBeADotSegmentIsRefusedNotSentUpstream() {
        int before = upstream.requestCount();
        for (String v : new String[] {"..", "%2E%2E", ".", "%2e", ""}) {
            ProblemJson p = ProblemJson.of(gw.get("/dots?v=" + v));

            assertThat(p.httpStatus()).as("v=" + v).isEqualTo(400);
            assertThat(p.type()).isEqualTo("urn:portico:error:malformed-request");
            assertThat(p.detail()).contains("{query.v}");
        }
        assertThat(upstream.requestCount()).as("nothing went upstream").isEqualTo(before);
    }

    @Test
    void aPathValueWithDotsInsideIsOneSegment() {
        gw.get("/dots?v=..%2F..%2Fadmin");

        assertThat(upstream.takeRequest().target()).isEqualTo("/echo/x/..%2F..%2Fadmin/y?v=..%2F..%2Fadmin");
    }

    @Test
    void aPathTemplateWhoseValueIsMissingIsA400NeverTheClientsOwnPath() {
        int before = upstream.requestCount();
        ProblemJson p = ProblemJson.of(gw.get("/dots"));

        assertThat(p.httpStatus()).isEqualTo(400);
        assertThat(p.type()).isEqualTo("urn:portico:error:malformed-request");
        assertThat(p.detail()).contains("{query.v}", "request_transform.path");
        assertThat(upstream.requestCount()).isEqualTo(before);
    }

    @Test
    void aJsonBodyIsTransformedAndSentWithItsNewLength() throws Exception {
        String body = "{\"fullName\":\"Alice\",\"password\":\"secret\",\"age\":30}";
        gw.send(HttpRequest.newBuilder(gw.uri("/body")).header("Content-Type", "application/json").header("X-Origin", "web")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());

        RecordedRequest seen = upstream.takeRequest();
        assertThat(seen.bodyText()).isEqualTo("{\"name\":\"Alice\",\"age\":30,\"source\":\"gateway\",\"path\":\"web\"}");
        assertThat(seen.header("content-length")).isEqualTo(String.valueOf(seen.body().length));
        assertThat(seen.chunked()).isFalse();
    }

    @Test
    void aChunkedJsonBodyArrivesWithAContentLength() {
        try (RawClient client = gw.raw()) {
            String part1 = "{\"fullName\":\"Bo";
            String part2 = "b\",\"password\":\"x\"}";
            RawResponse res = client.send("POST /body HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(part1.length()) + "\r\n" + part1 + "\r\n"
                    + Integer.toHexString(part2.length()) + "\r\n" + part2 + "\r\n0\r\n\r\n").readResponse();

            assertThat(res.status()).isEqualTo(200);
        }
        RecordedRequest seen = upstream.takeRequest();
        assertThat(seen.chunked()).isFalse();
        assertThat(seen.bodyText()).isEqualTo("{\"name\":\"Bob\",\"source\":\"gateway\"}");
    }

    @Test
    void aGzipJsonBodyIsDecodedTransformedAndEncodedAgain() throws Exception {
        byte[] gz = gzip("{\"fullName\":\"Carol\",\"password\":\"x\"}".getBytes());
        gw.send(HttpRequest.newBuilder(gw.uri("/body")).header("Content-Type", "application/json").header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gz)).build());

        RecordedRequest seen = upstream.takeRequest();
        assertThat(seen.header("content-encoding")).isEqualTo("gzip");
        assertThat(JSON.readTree(gunzip(seen.body()))).isEqualTo(JSON.readTree("{\"name\":\"Carol\",\"source\":\"gateway\"}"));
    }

    @Test
    void aBodyThatIsNotJsonStreamsUntouched() {
        gw.send(HttpRequest.newBuilder(gw.uri("/body")).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("fullName password")).build());

        assertThat(upstream.takeRequest().bodyText()).isEqualTo("fullName password");
    }

    @Test
    void aBodyOverMaxBodyGoesOnUntransformedWhole() {
        String big = "{\"password\":\"" + "x".repeat(2000) + "\"}";
        gw.send(HttpRequest.newBuilder(gw.uri("/body")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(big)).build());
        assertThat(upstream.takeRequest().bodyText()).isEqualTo(big);

        // Without a Content-Length the limit is found while reading: what was held goes first, then the rest.
        try (RawClient client = gw.raw()) {
            String half = big.substring(0, 1000);
            String rest = big.substring(1000);
            RawResponse res = client.send("POST /body HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(half.length()) + "\r\n" + half + "\r\n"
                    + Integer.toHexString(rest.length()) + "\r\n" + rest + "\r\n0\r\n\r\n").readResponse();
            assertThat(res.status()).isEqualTo(200);
        }
        RecordedRequest seen = upstream.takeRequest();
        assertThat(seen.bodyText()).isEqualTo(big);
        assertThat(seen.chunked()).isTrue();
    }

    @Test
    void anExpectContinueBodyIsAskedForThenTransformed() {
        try (RawClient client = gw.raw()) {
            String body = "{\"fullName\":\"Dan\"}";
            RawResponse interim = client.send("POST /body HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n").readResponseHead();
            assertThat(interim.status()).isEqualTo(100);

            RawResponse res = client.send(body).readResponse();
            assertThat(res.status()).isEqualTo(200);
        }
        assertThat(upstream.takeRequest().bodyText()).isEqualTo("{\"name\":\"Dan\",\"source\":\"gateway\"}");
    }

    @Test
    void aHeldBodyThatStallsIs408AndClosesTheConnection() {
        int before = upstream.requestCount();
        try (RawClient client = gw.raw()) {
            RawResponse res = client.send("POST /body HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{\"a\":")
                    .readResponse();

            assertThat(res.status()).isEqualTo(408);
            assertThat(client.closedByPeer()).isTrue();
        }
        assertThat(upstream.requestCount()).as("nothing of a held body goes upstream before it is whole").isEqualTo(before);
    }

    @Test
    void invalidJsonGoesOnAsItCame() {
        gw.send(HttpRequest.newBuilder(gw.uri("/body")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{not json")).build());

        assertThat(upstream.takeRequest().bodyText()).isEqualTo("{not json");
    }

    @Test
    void aRequestBodyThatCannotBeCleanedOfFieldsToRemoveIsRefusedAndNeverSent() {
        int before = upstream.requestCount();
        for (String body : new String[] {"{not json", "{\"a\":1}{\"role\":\"admin\"}", "{\"role\":\"admin\",\"n\":NaN}"}) {
            ProblemJson p = ProblemJson.of(gw.send(HttpRequest.newBuilder(gw.uri("/strict")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build()));

            assertThat(p.httpStatus()).as(body).isEqualTo(400);
            assertThat(p.type()).isEqualTo("urn:portico:error:malformed-request");
            assertThat(p.detail()).contains("request_transform");
        }
        String big = "{\"role\":\"admin\",\"pad\":\"" + "x".repeat(2000) + "\"}";
        ProblemJson declared = ProblemJson.of(gw.send(HttpRequest.newBuilder(gw.uri("/strict")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(big)).build()));
        assertThat(declared.httpStatus()).isEqualTo(413);
        assertThat(declared.detail()).contains("max_body");
        try (RawClient client = gw.raw()) {
            String half = big.substring(0, 1000);
            String rest = big.substring(1000);
            RawResponse res = client.send("POST /strict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(half.length()) + "\r\n" + half + "\r\n"
                    + Integer.toHexString(rest.length()) + "\r\n" + rest + "\r\n0\r\n\r\n").readResponse();
            assertThat(res.status()).isEqualTo(413);
        }
        assertThat(upstream.requestCount()).as("nothing went upstream").isEqualTo(before);
    }

    static byte[] gzip(byte[] plain) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(plain);
        }
        return out.toByteArray();
    }

    static byte[] gunzip(byte[] gz) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }
}
