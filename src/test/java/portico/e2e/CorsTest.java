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

/**
 * {@code cors}: preflights answered at the gateway before authentication (never needing a token),
 * Access-Control-Allow-Origin on every actual answer (the gateway's own 401 included), Vary: Origin,
 * and credentials never with '*'.
 */
class CorsTest {
    static final String APP = "https://app.example.com";
    private FakeUpstream upstream;
    private GatewayUnderTest gw;

    @BeforeEach
    void start() {
        upstream = FakeUpstream.start();
        gw = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                services: {api: {url: %s}}
                consumers:
                  web: {api_keys: [web-key-0123456789abcdef]}
                plugins:
                  cors:
                    origins: [https://app.example.com, "https://*.shop.example", "~^https://pr-\\\\d+\\\\.preview\\\\.example$"]
                    expose_headers: [X-Request-Id]
                    credentials: true
                    max_age: 1h
                routes:
                  - {name: orders, match: {paths: [/orders], methods: [GET, POST]}, service: api, plugins: {key_auth: {}}}
                  - name: widgets
                    match: {paths: [/widgets]}
                    service: api
                    plugins: {cors: {origins: "*", headers: [Content-Type], methods: [GET]}}
                  - {name: plain, match: {paths: [/plain], methods: [GET]}, service: api, plugins: {cors: off}}
                  - {name: catalog, match: {paths: [/catalog], methods: [GET]}, service: api}
                """.formatted(upstream.url()));
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
    }

    private HttpResponse<String> preflight(String path, String origin, String method, String headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", method);
        if (headers != null) b.header("Access-Control-Request-Headers", headers);
        return gw.send(b.build());
    }

    @Test
    void aPreflightIsAnsweredBeforeAuthenticationEvenOnARouteThatTakesOnlyGetAndPost() {
        HttpResponse<String> res = preflight("/orders/7", APP, "POST", "X-API-Key, Content-Type");

        assertThat(res.statusCode()).isEqualTo(204);
        assertThat(res.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
        assertThat(res.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
        assertThat(res.headers().firstValue("Access-Control-Allow-Methods")).as("the methods of cors the route takes").hasValue("GET, POST");
        assertThat(res.headers().firstValue("Access-Control-Allow-Headers")).hasValue("x-api-key, content-type");
        assertThat(res.headers().firstValue("Access-Control-Max-Age")).hasValue("3600");
        assertThat(res.headers().allValues("Vary")).anySatisfy(v -> assertThat(v).contains("Origin"));
        assertThat(res.headers().firstValue("X-Request-Id")).isPresent();
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void anActualRequestGetsTheOriginBackAndVaryOnTheServicesAnswer() {
        HttpResponse<String> res = gw.send(HttpRequest.newBuilder(gw.uri("/orders/7")).header("Origin", "https://eu.shop.example")
                .header("X-API-Key", "web-key-0123456789abcdef").build());

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://eu.shop.example");
        assertThat(res.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
        assertThat(res.headers().firstValue("Access-Control-Expose-Headers")).hasValue("X-Request-Id");
        assertThat(res.headers().allValues("Vary")).contains("Origin");
    }

    @Test
    void originsMatchExactlyByHostLabelPatternOrRegex() {
        assertThat(preflight("/orders", "HTTPS://APP.EXAMPLE.COM", "GET", null).statusCode()).isEqualTo(204);
        assertThat(preflight("/orders", "https://a.b.shop.example", "GET", null).statusCode()).isEqualTo(204);
        assertThat(preflight("/orders", "https://shop.example", "GET", null).statusCode()).isEqualTo(403);
        assertThat(preflight("/orders", "https://evilshop.example", "GET", null).statusCode()).isEqualTo(403);
        assertThat(preflight("/orders", "https://pr-42.preview.example", "GET", null).statusCode()).isEqualTo(204);
        assertThat(preflight("/orders", "https://pr-x.preview.example", "GET", null).statusCode()).isEqualTo(403);
        assertThat(preflight("/orders", "https://app.example.com.evil.example", "GET", null).statusCode()).isEqualTo(403);
    }

    @Test
    void theGatewaysOwn401CarriesTheCorsHeadersSoTheScriptCanReadIt() {
        HttpResponse<String> res = gw.send(HttpRequest.newBuilder(gw.uri("/orders/7")).header("Origin", APP).build());

        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(res.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
    }

    @Test
    void anOriginNotAllowedIs403ForPreflightsAndRequestsAlike() {
        assertThat(preflight("/orders/7", "https://evil.example", "POST", null).statusCode()).isEqualTo(403);
        HttpResponse<String> res = gw.send(HttpRequest.newBuilder(gw.uri("/orders/7")).header("Origin", "https://evil.example")
                .header("X-API-Key", "web-key-0123456789abcdef").build());
        assertThat(res.statusCode()).isEqualTo(403);
        assertThat(res.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void aWildcardRouteAnswersStarWithoutCredentialsAndChecksMethodsAndHeaders() {
        HttpResponse<String> ok = preflight("/widgets", "https://anyone.example", "GET", "content-type");
        assertThat(ok.statusCode()).isEqualTo(204);
        assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(ok.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();

        assertThat(preflight("/widgets", "https://anyone.example", "DELETE", null).statusCode()).isEqualTo(403);
        assertThat(preflight("/widgets", "https://anyone.example", "GET", "X-Secret").statusCode()).isEqualTo(403);

        HttpResponse<String> actual = gw.send(HttpRequest.newBuilder(gw.uri("/widgets")).header("Origin", "https://anyone.example").build());
        assertThat(actual.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
    }

    @Test
    void aRequestWithoutOriginOrFromTheSameOriginPassesUntouched() {
        HttpResponse<String> none = gw.send(HttpRequest.newBuilder(gw.uri("/widgets")).build());
        assertThat(none.statusCode()).isEqualTo(200);
        assertThat(none.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

        HttpResponse<String> same = gw.send(HttpRequest.newBuilder(gw.uri("/orders/1")).header("Origin", "http://127.0.0.1:" + gw.port())
                .header("X-API-Key", "web-key-0123456789abcdef").build());
        assertThat(same.statusCode()).isEqualTo(200);
        assertThat(same.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void withoutCorsOnTheRouteAPreflightIsJustAnOptionsRequest() {
        assertThat(preflight("/plain", APP, "GET", null).statusCode()).isEqualTo(405);
    }

    @Test
    void onAGetOnlyRouteAPreflightAdvertisesGetAndRefusesOtherMethodsWith403() {
        HttpResponse<String> get = preflight("/catalog", APP, "GET", null);
        assertThat(get.statusCode()).isEqualTo(204);
        assertThat(get.headers().firstValue("Access-Control-Allow-Methods")).hasValue("GET");

        HttpResponse<String> post = preflight("/catalog", APP, "POST", null);
        assertThat(post.statusCode()).isEqualTo(403);
        assertThat(ProblemJson.of(post).detail()).isEqualTo("method POST is not allowed for cross-origin requests (cors)");
        assertThat(post.headers().firstValue("Access-Control-Allow-Origin")).as("so the script can read why").hasValue(APP);
        assertThat(upstream.requestCount()).isZero();
    }
}
