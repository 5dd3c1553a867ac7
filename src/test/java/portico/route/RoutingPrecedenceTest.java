package portico.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import portico.config.ConfigLoader;

/** The shared precedence table ({@link RoutingCases}) against the router alone, no sockets. */
class RoutingPrecedenceTest {
    private static final RouteTable TABLE = table();

    static Stream<RoutingCases.Case> cases() {
        return RoutingCases.CASES.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void routesByPrecedence(RoutingCases.Case c) {
        assertThat(outcome(c)).isEqualTo(c.allow() == null ? c.expected() : c.expected() + " " + c.allow());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void explainAgreesWithMatch(RoutingCases.Case c) {
        RequestFacts req = facts(c);
        if (req == null) return;
        Explanation ex = TABLE.explain(req);
        String expected = switch (c.expected()) {
            case "404" -> "=> 404 no route";
            case "405" -> "=> 405 method not allowed (Allow: " + c.allow() + ")";
            default -> "=> route '" + c.expected() + "'";
        };
        assertThat(ex.lines()).last().isEqualTo(expected);
        assertThat(ex.winner().map(r -> r.name())).isEqualTo(
                c.expected().matches("\\d+") ? java.util.Optional.empty() : java.util.Optional.of(c.expected()));
        assertThat(ex.lines()).hasSize(TABLE.inMatchOrder().size() + 1);
    }

    private static String outcome(RoutingCases.Case c) {
        RequestFacts req = facts(c);
        if (req == null) return "400";
        RouteMatch m = TABLE.match(req);
        if (m instanceof RouteMatch.Found f) return f.route().name();
        if (m instanceof RouteMatch.MethodNotAllowed n) return "405 " + String.join(", ", n.allowed());
        return "404";
    }

    /** @return null when the path is refused (400) */
    static RequestFacts facts(RoutingCases.Case c) {
        int q = c.target().indexOf('?');
        String rawPath = q < 0 ? c.target() : c.target().substring(0, q);
        String path;
        try {
            path = PathNormalizer.normalize(rawPath);
        } catch (BadPathException e) {
            return null;
        }
        HttpHeaders headers = new DefaultHttpHeaders();
        c.headers().forEach(headers::add);
        Map<String, List<String>> query = new QueryStringDecoder(c.target()).parameters();
        return new RequestFacts(c.method(), c.host() == null ? "127.0.0.1" : c.host(), path, headers, query);
    }

    static RouteTable table() {
        try {
            return RouteTable.compile(new ConfigLoader(Map.of()).parse("test.yaml", RoutingCases.CONFIG).orThrow().routes());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
