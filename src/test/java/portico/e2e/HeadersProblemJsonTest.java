package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.RawClient;
import portico.testing.RawResponse;

/**
 * The gateway's own answers when routing finds nothing: RFC 9457 problem+json with exactly the
 * members of CONTRACT section 5, the headers that go with them, and a connection that stays usable.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HeadersProblemJsonTest {
    private FakeUpstream upstream;
    private GatewayUnderTest gw;

    @BeforeAll
    void start() {
        upstream = FakeUpstream.start();
        gw = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                services: {items: {url: %s}}
                routes:
                  - {name: items, match: {paths: [/items], methods: [GET, POST]}, service: items}
                  - {name: item-admin, match: {paths: [/items/admin], methods: [DELETE]}, service: items}
                """.formatted(upstream.url()));
    }

    @AfterAll
    void stop() {
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
    }

    @Test
    void noRouteIs404ProblemJson() throws Exception {
        HttpResponse<String> res = gw.get("/nowhere?x=1");

        assertThat(res.statusCode()).isEqualTo(404);
        assertThat(res.headers().firstValue("content-type")).hasValue("application/problem+json");
        JsonNode body = new ObjectMapper().readTree(res.body());
        assertThat(body.fieldNames()).toIterable().containsExactly("type", "title", "status", "detail", "request_id");
        ProblemJson problem = ProblemJson.of(res);
        assertThat(problem.type()).isEqualTo("urn:portico:error:no-route");
        assertThat(problem.title()).isEqualTo("No route");
        assertThat(problem.status()).isEqualTo(404);
        assertThat(problem.detail()).isEqualTo("no route for GET /nowhere");
        assertThat(problem.requestId()).isNotBlank().isEqualTo(res.headers().firstValue("x-request-id").orElseThrow());
        assertThat(res.headers().firstValue("content-length")).hasValue(String.valueOf(res.body().length()));
    }

    @Test
    void onlyTheMethodDiffersIs405WithAllow() {
        HttpResponse<String> res = gw.send(HttpRequest.newBuilder(gw.uri("/items/7")).method("PUT", HttpRequest.BodyPublishers.noBody()).build());

        assertThat(res.statusCode()).isEqualTo(405);
        ProblemJson problem = ProblemJson.of(res);
        assertThat(problem.type()).isEqualTo("urn:portico:error:method-not-allowed");
        assertThat(problem.status()).isEqualTo(405);
        assertThat(problem.requestId()).isNotBlank();
        assertThat(List.of(res.headers().firstValue("allow").orElseThrow().split(",\\s*"))).containsExactlyInAnyOrder("GET", "POST");
    }

    @Test
    void allowListsTheMethodsOfEveryRouteOnThatPath() {
        HttpResponse<String> res = gw.send(HttpRequest.newBuilder(gw.uri("/items/admin")).method("PATCH", HttpRequest.BodyPublishers.noBody()).build());

        assertThat(res.statusCode()).isEqualTo(405);
        assertThat(List.of(res.headers().firstValue("allow").orElseThrow().split(",\\s*"))).contains("DELETE");
    }

    @Test
    void headOfAnUnroutedPathIs404WithoutABody() {
        try (RawClient client = gw.raw()) {
            RawResponse res = client.send("HEAD /nowhere HTTP/1.1\r\nHost: x\r\n\r\n").readResponseHead();

            assertThat(res.status()).isEqualTo(404);
            assertThat(res.header("content-type")).isEqualTo("application/problem+json");
            // The next answer on the socket must start right here: no body bytes came with the 404.
            RawResponse next = client.send("GET /items HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
            assertThat(next.status()).isEqualTo(200);
        }
    }

    @Test
    void keepAliveSurvivesA404() {
        try (RawClient client = gw.raw()) {
            RawResponse first = client.send("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
            RawResponse second = client.send("GET /items HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();

            assertThat(first.status()).isEqualTo(404);
            assertThat(first.header("connection")).isNull();
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.header("x-request-id")).isNotEqualTo(first.header("x-request-id"));
        }
    }

    @Test
    void pipelined404AndRoutedRequestAreAnsweredInOrder() {
        try (RawClient client = gw.raw()) {
            client.send("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\nGET /items HTTP/1.1\r\nHost: x\r\n\r\n");

            assertThat(client.readResponse().status()).isEqualTo(404);
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
    }
}
