package portico.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import portico.config.ConfigLoader;
import portico.config.Mark;
import portico.config.MatchConfig;
import portico.config.Problem;
import portico.config.Problems;
import portico.config.RouteConfig;

class RouteTableTest {

    @Test
    void foundCarriesRawCapturesTheMatchedPrefixAndTheRemainder() {
        RouteTable t = RouteTable.compile(routes("- {name: files, service: svc, match: {paths: [\"/files/{owner}\"]}}"));

        RouteMatch.Found f = (RouteMatch.Found) t.match(get("/files/j%20doe/a/b.txt"));

        assertThat(f.route().name()).isEqualTo("files");
        assertThat(f.captures()).containsExactly(Map.entry("owner", "j%20doe"));
        assertThat(f.matchedPrefix()).isEqualTo("/files/j%20doe");
        assertThat(f.remainder()).isEqualTo("/a/b.txt");
    }

    @Test
    void theRemainderIsSlashWhenNothingIsLeft() {
        RouteTable t = RouteTable.compile(routes("- {name: users, service: svc, match: {paths: [/users]}}"));

        RouteMatch.Found f = (RouteMatch.Found) t.match(get("/users"));

        assertThat(f.matchedPrefix()).isEqualTo("/users");
        assertThat(f.remainder()).isEqualTo("/");
    }

    @Test
    void aRouteWithoutPathsMatchesEveryPathAndStripsNothing() {
        RouteTable t = RouteTable.compile(routes("- {name: all, service: svc, match: {methods: [GET]}}"));

        RouteMatch.Found f = (RouteMatch.Found) t.match(get("/a/b"));

        assertThat(f.matchedPrefix()).isEmpty();
        assertThat(f.remainder()).isEqualTo("/a/b");
    }

    @Test
    void regexNamedGroupsAreCaptures() {
        RouteTable t = RouteTable.compile(routes("- {name: r, service: svc, match: {paths: ['~^/r/(?<year>\\d{4})']}}"));

        RouteMatch.Found f = (RouteMatch.Found) t.match(get("/r/2024/x"));

        assertThat(f.captures()).containsExactly(Map.entry("year", "2024"));
        assertThat(f.remainder()).isEqualTo("/x");
    }

    @Test
    void aRequestWithoutHostOnlyMatchesRoutesWithoutHosts() {
        RouteTable t = RouteTable.compile(routes("""
                - {name: hosted, service: svc, match: {hosts: [a.example], paths: [/x]}}
                - {name: wild,   service: svc, match: {hosts: ["*.example"], paths: [/x]}}
                """));

        assertThat(t.match(new RequestFacts("GET", null, "/x", null, null))).isEqualTo(RouteMatch.NOT_FOUND);
    }

    @Test
    void missingHeadersAndQueryAreTreatedAsEmpty() {
        RouteTable t = RouteTable.compile(routes("""
                - {name: h, service: svc, match: {paths: [/x], headers: {x-a: "1"}}}
                - {name: q, service: svc, match: {paths: [/x], query: {a: "1"}}}
                - {name: plain, service: svc, match: {paths: [/x]}}
                """));

        assertThat(name(t.match(new RequestFacts("GET", "h", "/x", null, null)))).isEqualTo("plain");
    }

    @Test
    void headerConditionsMatchAnyFieldLineExactly() {
        RouteTable t = RouteTable.compile(routes("- {name: v2, service: svc, match: {headers: {X-Version: \"2\"}}}"));
        HttpHeaders twoLines = new DefaultHttpHeaders().add("x-version", "1").add("X-Version", "2");
        HttpHeaders list = new DefaultHttpHeaders().add("x-version", "1, 2");

        assertThat(name(t.match(new RequestFacts("GET", "h", "/", twoLines, Map.of())))).isEqualTo("v2");
        assertThat(t.match(new RequestFacts("GET", "h", "/", list, Map.of()))).isEqualTo(RouteMatch.NOT_FOUND);
    }

    @Test
    void queryConditionsMatchAnyValueOfTheParameter() {
        RouteTable t = RouteTable.compile(routes("- {name: v2, service: svc, match: {query: {v: \"2\"}}}"));

        assertThat(name(t.match(new RequestFacts("GET", "h", "/", null, Map.of("v", List.of("1", "2")))))).isEqualTo("v2");
    }

    @Test
    void methodNotAllowedOnlyCountsRoutesWhoseHeadersAndQueryMatched() {
        RouteTable t = RouteTable.compile(routes("""
                - {name: read, service: svc, match: {paths: [/x], methods: [GET]}}
                - {name: v2-write, service: svc, match: {paths: [/x], methods: [POST], headers: {x-v: "2"}}}
                """));

        RouteMatch m = t.match(new RequestFacts("DELETE", "h", "/x/1", null, null));

        assertThat(m).isEqualTo(new RouteMatch.MethodNotAllowed(Set.of("GET")));
    }

    @Test
    void manyLiteralSiblingsAndHashCollisionsAreToldApart() {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < 200; i++) yaml.append("- {name: r").append(i).append(", service: svc, match: {paths: [/r").append(i).append("]}}\n");
        // "Aa" and "BB" have the same String.hashCode
        yaml.append("- {name: aa, service: svc, match: {paths: [/Aa]}}\n- {name: bb, service: svc, match: {paths: [/BB]}}\n");
        RouteTable t = RouteTable.compile(routes(yaml.toString()));

        for (int i = 0; i < 200; i++) assertThat(name(t.match(get("/r" + i + "/x")))).isEqualTo("r" + i);
        assertThat(name(t.match(get("/Aa")))).isEqualTo("aa");
        assertThat(name(t.match(get("/BB")))).isEqualTo("bb");
        assertThat(t.match(get("/r200"))).isEqualTo(RouteMatch.NOT_FOUND);
    }

    @Test
    void backtracksFromALiteralBranchToACaptureBranch() {
        RouteTable t = RouteTable.compile(routes("""
                - {name: deep, service: svc, match: {paths: ["/a/b/c$"]}}
                - {name: capture, service: svc, match: {paths: ["/a/{x}/d"]}}
                """));

        assertThat(name(t.match(get("/a/b/d")))).isEqualTo("capture");
    }

    @Test
    void inMatchOrderListsEachRouteOnceByItsMostSpecificEntry() {
        RouteTable t = RouteTable.compile(routes("""
                - {name: catch-all, service: svc, match: {paths: [/]}}
                - {name: regex, service: svc, match: {paths: ['~^/z']}}
                - {name: by-id, service: svc, match: {paths: ["/users/{id}"]}}
                - {name: users, service: svc, match: {paths: [/users, /people/all]}}
                - {name: hosted, service: svc, match: {hosts: [a.example], paths: [/]}}
                - {name: wild, service: svc, match: {hosts: ["*.example"]}}
                - {name: exact, service: svc, match: {paths: ["/users$"]}}
                """));

        assertThat(t.inMatchOrder()).extracting(RouteConfig::name)
                .containsExactly("hosted", "wild", "users", "by-id", "exact", "catch-all", "regex");
    }

    @Test
    void compileRefusesABadPatternWithTheRouteName() {
        List<RouteConfig> rs = List.of(route(0, "bad", "/a/{}"));

        assertThatThrownBy(() -> RouteTable.compile(rs))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("route 'bad'");
    }

    @Test
    void validateReportsBadPatternsAtTheirKey() {
        Problems p = new Problems("test.yaml");

        RouteTable.validate(List.of(route(0, "ok", "/a"), route(1, "bad", "/b", "/c/{x}.json")), p);

        assertThat(p.errors()).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("routes[1].match.paths[1]");
            assertThat(e.message()).contains("must be a whole segment");
            assertThat(e.mark()).isEqualTo(new Mark(2, 3));
        });
    }

    @Test
    void validateWarnsOnIdenticalDuplicatesNamingTheFirst() {
        Problems p = validate("""
                - {name: one, service: svc, match: {paths: [/users], methods: [GET]}}
                - {name: two, service: svc, match: {paths: [/users/], methods: [GET]}}
                """);

        assertThat(messages(p)).containsExactly(
                "routes[1]: route 'two' has the same match as route 'one', which comes first in the file; this one never matches");
    }

    @Test
    void validateWarnsWhenAnotherRouteTakesEveryRequestNamingIt() {
        Problems p = validate("""
                - {name: broad, service: svc, match: {paths: ["/users/{id}"]}}
                - {name: narrow, service: svc, match: {paths: ["/users/{name}"], methods: [GET]}}
                - {name: narrower, service: svc, match: {paths: ["/users/{x}"], methods: [GET, POST]}}
                """);

        assertThat(messages(p)).isEmpty();  // more conditions win: nothing is shadowed

        Problems q = validate("""
                - {name: get-post, service: svc, match: {paths: ["/users/{id}"], methods: [GET, POST]}}
                - {name: get, service: svc, match: {paths: ["/users/{name}"], methods: [GET]}}
                """);
        assertThat(messages(q)).containsExactly(
                "routes[1]: route 'get' never matches: route 'get-post' matches every request it does and takes precedence");
    }

    @Test
    void validateWarnsThatACatchAllHidesRegexesOfTheSameHostClass() {
        Problems p = validate("""
                - {name: fallback, service: svc, match: {paths: [/]}}
                - {name: reports, service: svc, match: {paths: ['~^/reports/\\d+$']}}
                - {name: other-host, service: svc, match: {hosts: [a.example], paths: ['~^/reports/\\d+$']}}
                """);

        assertThat(messages(p)).containsExactly("routes[1]: route 'reports' never matches: route 'fallback' matches every"
                + " request it does and takes precedence (regex paths are tried after literal paths)");
    }

    @Test
    void validateWarnsWhenARegexLiesUnderALiteralPrefix() {
        Problems p = validate("""
                - {name: api, service: svc, match: {paths: [/api]}}
                - {name: versions, service: svc, match: {paths: ['~^/api/v\\d+']}}
                - {name: apix, service: svc, match: {paths: ['~^/apix?/']}}
                """);

        assertThat(messages(p)).singleElement().asString().startsWith("routes[1]: route 'versions' never matches");
    }

    @Test
    void validateNamesEveryRouteWhenSeveralTakeTheRequests() {
        Problems p = validate("""
                - {name: a, service: svc, match: {paths: [/a]}}
                - {name: b, service: svc, match: {paths: [/b]}}
                - {name: ab, service: svc, match: {paths: [/a, /b]}}
                """);

        assertThat(messages(p)).containsExactly(
                "routes[2]: route 'ab' never matches: routes 'a' and 'b' match every request it does and take precedence");
    }

    @Test
    void validateFindsNothingToSayAboutTheSharedCases() {
        Problems p = new Problems("test.yaml");
        RouteTable.validate(RoutingPrecedenceTest.table().inMatchOrder(), p);

        assertThat(p.all()).isEmpty();
    }

    @Test
    void explainSaysWhyEachRouteDidNotMatch() {
        RouteTable t = RouteTable.compile(routes("""
                - {name: hosted, service: svc, match: {hosts: [a.example], paths: [/x]}}
                - {name: pathy, service: svc, match: {paths: [/y]}}
                - {name: methody, service: svc, match: {paths: [/x], methods: [PUT, POST]}}
                - {name: headery, service: svc, match: {paths: [/x], headers: {x-v: "2"}}}
                - {name: queryy, service: svc, match: {paths: [/x], query: {v: "3"}}}
                - {name: plain, service: svc, match: {paths: [/x]}}
                - {name: catch, service: svc, match: {paths: [/]}}
                """));
        HttpHeaders h = new DefaultHttpHeaders().add("X-V", "1");

        Explanation ex = t.explain(new RequestFacts("GET", "b.example", "/x/1", h, Map.of()));

        assertThat(ex.winner()).map(RouteConfig::name).contains("plain");
        assertThat(ex.lines()).containsExactly(
                "hosted   no: host b.example is not a.example",
                "methody  no: method GET is not POST or PUT",
                "headery  no: header x-v is not \"2\" (was \"1\")",
                "queryy   no: query v is not \"3\" (absent)",
                "plain    MATCHES (path /x) and wins",
                "pathy    no: path /x/1 does not match /y",
                "catch    matches too, but route 'plain' takes precedence",
                "=> route 'plain'");
    }

    private static String name(RouteMatch m) {
        return m instanceof RouteMatch.Found f ? f.route().name() : m.toString();
    }

    private static RequestFacts get(String path) {
        return new RequestFacts("GET", "h", PathNormalizer.normalize(path), new DefaultHttpHeaders(), Map.of());
    }

    private static List<String> messages(Problems p) {
        List<String> out = new ArrayList<>();
        for (Problem w : p.warnings()) out.add(w.path() + ": " + w.message());
        return out;
    }

    private static Problems validate(String routesYaml) {
        Problems p = new Problems("test.yaml");
        RouteTable.validate(routes(routesYaml), p);
        return p;
    }

    /** A route the config reader would have refused, to see what compile and validate do with it. */
    private static RouteConfig route(int index, String name, String... paths) {
        MatchConfig m = new MatchConfig(List.of(paths), Set.of(), List.of(), Map.of(), Map.of());
        return new RouteConfig(index, name, m, "svc", false, false, java.util.Map.of(), new Mark(index + 1, 3));
    }

    /** Routes written as YAML list items, two spaces deep under {@code routes:}. */
    static List<RouteConfig> routes(String items) {
        String yaml = "routes:\n" + items.indent(2);
        String config = "version: 1\nservices: {svc: {url: \"http://127.0.0.1:1\"}}\n" + yaml;
        try {
            return new ConfigLoader(Map.of()).parse("test.yaml", config).orThrow().routes();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
