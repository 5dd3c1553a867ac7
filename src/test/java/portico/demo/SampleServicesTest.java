package portico.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SampleServicesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static SampleServices services;

    @BeforeAll
    static void start() {
        services = SampleServices.start(ephemeralPorts());  // with the demo's 150 ms recommendations latency
    }

    @AfterAll
    static void stop() {
        services.close();
    }

    static Map<String, Integer> ephemeralPorts() {
        Map<String, Integer> ports = new HashMap<>();
        SampleServices.DEFAULT_PORTS.keySet().forEach(name -> ports.put(name, 0));
        return ports;
    }

    // --- every service

    @Test
    void everyServiceIsHealthyAndSaysWhoItIs() throws Exception {
        assertThat(services.names()).containsExactly("auth", "users", "products", "orders", "recommendations");
        for (String name : services.names()) {
            assertThat(services.port(name)).isPositive();
            HttpResponse<String> res = get(name, "/health");
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(res.headers().firstValue("X-Served-By")).hasValue(name);
            assertThat(json(res)).isEqualTo(JSON.readTree("{\"status\":\"up\"}"));
        }
    }

    @Test
    void unknownPathsAreJson404s() throws Exception {
        for (String name : services.names()) {
            HttpResponse<String> res = get(name, "/no/such/thing");
            assertThat(res.statusCode()).isEqualTo(404);
            assertThat(res.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(res.headers().firstValue("X-Served-By")).hasValue(name);
            assertThat(json(res)).isEqualTo(JSON.readTree("{\"error\":\"not found\"}"));
        }
    }

    @Test
    void aKnownPathWithAnotherMethodIs405WithAllow() throws Exception {
        HttpResponse<String> res = send("users", HttpRequest.newBuilder(uri("users", "/users/1")).DELETE());
        assertThat(res.statusCode()).isEqualTo(405);
        assertThat(res.headers().firstValue("Allow")).hasValue("GET");
        assertThat(json(res).get("error").asText()).isEqualTo("method not allowed");
    }

    @Test
    void headIsGetWithoutABody() throws Exception {
        HttpResponse<String> res = send("products", HttpRequest.newBuilder(uri("products", "/products/1"))
                .method("HEAD", BodyPublishers.noBody()));
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEmpty();
        assertThat(res.headers().firstValue("X-Served-By")).hasValue("products");
    }

    // --- users

    @Test
    void usersListsTenPeopleWithTheirSensitiveFields() throws Exception {
        JsonNode users = json(get("users", "/users"));
        assertThat(users.size()).isEqualTo(10);
        for (JsonNode user : users) {
            assertThat(user.fieldNames()).toIterable().contains(
                    "id", "name", "email", "accountId", "created_at", "password_hash", "ssn", "credit_card");
            assertThat(user.get("created_at").isIntegralNumber()).isTrue();
        }
    }

    @Test
    void userByIdAndProfileAreTheSamePerson() throws Exception {
        JsonNode user = json(get("users", "/users/1"));
        assertThat(user.get("id").asInt()).isEqualTo(1);
        assertThat(user.get("name").asText()).isEqualTo("Alice Liddell");
        assertThat(user.get("email").asText()).isEqualTo("alice@example.com");
        assertThat(json(get("users", "/profile/1"))).isEqualTo(user);
    }

    @Test
    void missingUserIs404Json() throws Exception {
        for (String path : new String[] {"/users/99", "/users/abc", "/profile/99", "/legacy/users/99"}) {
            HttpResponse<String> res = get("users", path);
            assertThat(res.statusCode()).as(path).isEqualTo(404);
            assertThat(json(res).get("error").asText()).as(path).contains("not found");
        }
    }

    @Test
    void postingAUserEchoesItWithANewIdAndKeepsIt() throws Exception {
        try (SampleServices own = SampleServices.start(ephemeralPorts(), Duration.ZERO)) {  // the shared one keeps 10 users
            HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(URI.create(own.url("users") + "/users"))
                    .header("Content-Type", "application/json")
                    .POST(BodyPublishers.ofString("{\"name\":\"Zoe Washburne\",\"email\":\"zoe@example.com\"}")).build(),
                    BodyHandlers.ofString());
            assertThat(res.statusCode()).isEqualTo(201);
            JsonNode created = json(res);
            assertThat(created.get("id").asInt()).isEqualTo(11);
            assertThat(created.get("name").asText()).isEqualTo("Zoe Washburne");
            assertThat(created.get("email").asText()).isEqualTo("zoe@example.com");
            assertThat(created.get("accountId").asText()).isEqualTo("ACC-1011");
            assertThat(created.get("created_at").asLong()).isCloseTo(System.currentTimeMillis() / 1000, within(60L));
            assertThat(res.headers().firstValue("Location")).hasValue("/users/11");

            HttpResponse<String> again = HTTP.send(HttpRequest.newBuilder(URI.create(own.url("users") + "/users/11")).build(),
                    BodyHandlers.ofString());
            assertThat(json(again)).isEqualTo(created);
        }
    }

    @Test
    void postingAUserWithoutNameOrEmailOrJsonIs400() throws Exception {
        assertThat(post("users", "/users", "{\"name\":\"No Mail\"}").statusCode()).isEqualTo(400);
        HttpResponse<String> notJson = post("users", "/users", "name=x");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(json(notJson).get("error").asText()).isEqualTo("body is not valid JSON");
    }

    @Test
    void legacyUsersUseTheOldFieldNames() throws Exception {
        JsonNode legacy = json(get("users", "/legacy/users/2"));
        JsonNode user = json(get("users", "/users/2"));
        assertThat(legacy.fieldNames()).toIterable().containsExactly("user_id", "full_name", "mail", "created");
        assertThat(legacy.get("user_id").asInt()).isEqualTo(2);
        assertThat(legacy.get("full_name").asText()).isEqualTo(user.get("name").asText());
        assertThat(legacy.get("mail").asText()).isEqualTo(user.get("email").asText());
        assertThat(legacy.get("created").asLong()).isEqualTo(user.get("created_at").asLong());
        assertThat(json(get("users", "/legacy/users")).size()).isGreaterThanOrEqualTo(10);
    }

    // --- orders

    @Test
    void ordersListOneAndByUser() throws Exception {
        assertThat(json(get("orders", "/orders")).size()).isEqualTo(25);
        JsonNode order = json(get("orders", "/orders/3"));
        assertThat(order.get("id").asInt()).isEqualTo(3);
        assertThat(order.get("items").size()).isPositive();
        JsonNode ofAlice = json(get("orders", "/user/1"));
        assertThat(ofAlice.size()).isEqualTo(4);
        ofAlice.forEach(o -> assertThat(o.get("user_id").asInt()).isEqualTo(1));
        assertThat(json(get("orders", "/user/999")).size()).isZero();
        assertThat(get("orders", "/orders/999").statusCode()).isEqualTo(404);
    }

    @Test
    void orderTotalsAddUp() throws Exception {
        for (JsonNode order : json(get("orders", "/orders"))) {
            double sum = 0;
            for (JsonNode item : order.get("items")) sum += item.get("quantity").asInt() * item.get("unit_price").asDouble();
            assertThat(order.get("total").asDouble()).as("order %s", order.get("id")).isCloseTo(sum, offset(0.005));
        }
    }

    @Test
    void ordersWithXUserIdAreThatUsersOnly() throws Exception {
        HttpResponse<String> res = send("orders", HttpRequest.newBuilder(uri("orders", "/orders")).header("X-User-Id", "2"));
        JsonNode orders = json(res);
        assertThat(orders.size()).isEqualTo(4);
        orders.forEach(o -> assertThat(o.get("user_id").asInt()).isEqualTo(2));
    }

    // --- products

    @Test
    void productsListFilterAndOne() throws Exception {
        assertThat(json(get("products", "/products")).size()).isEqualTo(20);
        JsonNode books = json(get("products", "/products?category=books"));
        assertThat(books.size()).isEqualTo(5);
        books.forEach(p -> assertThat(p.get("category").asText()).isEqualTo("books"));
        assertThat(json(get("products", "/products?category=BOOKS"))).isEqualTo(books);
        assertThat(json(get("products", "/products?category=spaceships")).size()).isZero();
        assertThat(json(get("products", "/products/7")).get("name").asText()).isEqualTo("Mechanical Keyboard");
        assertThat(get("products", "/products/77").statusCode()).isEqualTo(404);
    }

    // --- recommendations

    @Test
    void recommendationsArePersonalForKnownUsersAndPopularOtherwise() throws Exception {
        JsonNode forAlice = json(get("recommendations", "/for/1"));
        assertThat(forAlice.size()).isEqualTo(3);
        assertThat(forAlice.get(0).get("product_id").asInt()).isEqualTo(3);
        assertThat(forAlice.get(0).get("name").asText()).isEqualTo("Alice's Adventures in Wonderland");
        assertThat(forAlice.get(0).get("reason").asText()).isEqualTo("picked for you");
        JsonNode forStranger = json(get("recommendations", "/for/4242"));
        assertThat(forStranger.size()).isEqualTo(3);
        assertThat(forStranger.get(0).get("reason").asText()).isEqualTo("popular right now");
    }

    @Test
    void recommendationsAreSlowOnPurpose() throws Exception {
        long start = System.nanoTime();
        assertThat(get("recommendations", "/for/2").statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(140));
    }

    // --- auth

    @Test
    void validLoginsGetDistinctBearerTokens() throws Exception {
        HttpResponse<String> alice = post("auth", "/login", "{\"username\":\"alice\",\"password\":\"wonderland\"}");
        HttpResponse<String> bob = post("auth", "/login", "{\"username\":\"bob\",\"password\":\"builder\"}");
        for (HttpResponse<String> res : List.of(alice, bob)) {
            assertThat(res.statusCode()).isEqualTo(200);
            JsonNode body = json(res);
            assertThat(body.get("token").asText()).hasSizeGreaterThanOrEqualTo(32);
            assertThat(body.get("token_type").asText()).isEqualTo("Bearer");
            assertThat(body.get("expires_in").asInt()).isEqualTo(3600);
        }
        assertThat(json(alice).get("token")).isNotEqualTo(json(bob).get("token"));
    }

    @Test
    void tokensAreHs256JwtsOfTheDemoIssuerWithTheUsersIdAndRole() throws Exception {
        String token = json(post("auth", "/login", "{\"username\":\"alice\",\"password\":\"wonderland\"}")).get("token").asText();

        com.nimbusds.jwt.SignedJWT jwt = com.nimbusds.jwt.SignedJWT.parse(token);
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(com.nimbusds.jose.JWSAlgorithm.HS256);
        assertThat(jwt.verify(new com.nimbusds.jose.crypto.MACVerifier(AuthService.secretFromEnvironment()))).isTrue();
        assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo(SampleServices.TOKEN_ISSUER);
        assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("1");
        assertThat(jwt.getJWTClaimsSet().getStringClaim("role")).isEqualTo("admin");
        assertThat(jwt.getJWTClaimsSet().getExpirationTime().getTime() - jwt.getJWTClaimsSet().getIssueTime().getTime())
                .isEqualTo(AuthService.TOKEN_SECONDS * 1000L);
    }

    @Test
    void badCredentialsAre401AndBadBodies400() throws Exception {
        for (String body : new String[] {
                "{\"username\":\"alice\",\"password\":\"queen-of-hearts\"}",
                "{\"username\":\"mallory\",\"password\":\"wonderland\"}",
                "{\"username\":\"alice\"}"}) {
            HttpResponse<String> res = post("auth", "/login", body);
            assertThat(res.statusCode()).as(body).isEqualTo(401);
            assertThat(json(res).get("error").asText()).isEqualTo("invalid username or password");
        }
        assertThat(post("auth", "/login", "not json").statusCode()).isEqualTo(400);
        assertThat(post("auth", "/login", "[1,2]").statusCode()).isEqualTo(400);
        assertThat(post("auth", "/login", "").statusCode()).isEqualTo(400);
        assertThat(get("auth", "/login").statusCode()).isEqualTo(405);
    }

    // --- lifecycle

    @Test
    void aStoppedServiceRefusesConnectionsAndARestartedOneAnswersOnTheSamePort() throws Exception {
        try (SampleServices own = SampleServices.start(ephemeralPorts(), Duration.ZERO)) {
            int port = own.port("recommendations");
            URI uri = URI.create(own.url("recommendations") + "/for/1");
            assertThat(HTTP.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString()).statusCode()).isEqualTo(200);

            own.stop("recommendations");
            assertThat(own.running("recommendations")).isFalse();
            HttpClient fresh = HttpClient.newHttpClient();  // no pooled connection to hide the refusal
            assertThatThrownBy(() -> fresh.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString()))
                    .isInstanceOf(ConnectException.class);
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(own.url("users") + "/health")).build(),
                    BodyHandlers.ofString()).statusCode()).as("the others keep running").isEqualTo(200);

            own.restart("recommendations");
            assertThat(own.running("recommendations")).isTrue();
            assertThat(own.port("recommendations")).isEqualTo(port);
            assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString())
                    .statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aTakenPortFailsTheStartNamingServiceAndPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Map<String, Integer> ports = ephemeralPorts();
            ports.put("users", taken.getLocalPort());
            assertThatThrownBy(() -> SampleServices.start(ports))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageStartingWith("users: cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void unknownServiceNamesAreRefused() {
        assertThatThrownBy(() -> services.port("payments"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown sample service: payments (expected one of: auth, users, products, orders, recommendations)");
        assertThatThrownBy(() -> SampleServices.start(Map.of("payments", 0))).isInstanceOf(IllegalArgumentException.class);
    }

    // --- helpers

    private static URI uri(String service, String path) {
        return URI.create(services.url(service) + path);
    }

    private static HttpResponse<String> get(String service, String path) throws IOException, InterruptedException {
        return send(service, HttpRequest.newBuilder(uri(service, path)));
    }

    private static HttpResponse<String> post(String service, String path, String body) throws IOException, InterruptedException {
        return send(service, HttpRequest.newBuilder(uri(service, path))
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> send(String service, HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> res = HTTP.send(request.timeout(Duration.ofSeconds(5)).build(), BodyHandlers.ofString());
        assertThat(res.headers().firstValue("X-Served-By")).hasValue(service);
        return res;
    }

    private static JsonNode json(HttpResponse<String> res) throws IOException {
        assertThat(res.headers().firstValue("Content-Type")).hasValue("application/json");
        return JSON.readTree(res.body());
    }
}
