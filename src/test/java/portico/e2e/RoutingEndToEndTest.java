package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import portico.route.RoutingCases;
import portico.route.RoutingCases.Case;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;

/**
 * The routing precedence table of {@link RoutingCases}, sent byte for byte over a real socket.
 * Each route gets its own service whose base path is the route's name, so the path the upstream
 * sees tells which route the gateway chose.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoutingEndToEndTest {
    private static final Pattern ROUTE_LINE = Pattern.compile("\\{name: ([a-z0-9-]+),\\s*service: svc,");

    private FakeUpstream upstream;
    private GatewayUnderTest gateway;

    @BeforeAll
    void start() {
        upstream = FakeUpstream.start().handle("/", (req, res) -> res.body(req.target()));
        Set<String> routes = new LinkedHashSet<>();
        Matcher m = ROUTE_LINE.matcher(RoutingCases.CONFIG);
        while (m.find()) routes.add(m.group(1));
        StringBuilder services = new StringBuilder("services:\n");
        for (String r : routes) services.append("  ").append(r).append(": {url: \"").append(upstream.url()).append('/').append(r).append("\"}\n");
        String yaml = ROUTE_LINE.matcher(RoutingCases.CONFIG.replaceFirst("services:\\n\\s+svc: \\{url: \"http://127.0.0.1:1\"\\}\\n", services.toString()))
                .replaceAll("{name: $1, service: $1,");
        gateway = GatewayUnderTest.start(yaml);
    }

    @AfterAll
    void stop() {
        if (gateway != null) gateway.close();
        if (upstream != null) upstream.close();
    }

    Stream<Case> cases() {
        return RoutingCases.CASES.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void requestTakesTheMostSpecificRoute(Case c) throws IOException {
        List<String> head = new ArrayList<>();
        head.add(c.method() + " " + c.target() + " HTTP/1.1");
        head.add("Host: " + (c.host() == null ? "127.0.0.1:" + gateway.port() : c.host()));
        c.headers().forEach((k, v) -> head.add(k + ": " + v));
        head.add("Connection: close");
        String response = exchange(String.join("\r\n", head) + "\r\n\r\n");
        String statusLine = response.substring(0, response.indexOf("\r\n"));

        switch (c.expected()) {
            case "404", "405", "400" -> {
                assertThat(statusLine).startsWith("HTTP/1.1 " + c.expected());
                if (c.allow() != null) assertThat(response).containsIgnoringCase("allow: " + c.allow() + "\r\n");
            }
            default -> {
                assertThat(statusLine).startsWith("HTTP/1.1 200");
                if (!c.method().equals("HEAD")) {
                    String body = response.substring(response.indexOf("\r\n\r\n") + 4);
                    assertThat(body).as("path seen upstream").startsWith("/" + c.expected() + "/");
                }
            }
        }
    }

    private String exchange(String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);  // Connection: close, so the answer ends with EOF
            return all.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
