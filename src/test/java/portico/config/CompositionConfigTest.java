package portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * What {@code check} says about {@code aggregate}, {@code request_transform} and
 * {@code response_transform} mistakes: found before any request, with file, line, column and key.
 */
class CompositionConfigTest {
    private static final String SERVICES = """
            version: 1
            services: {users: {url: "http://127.0.0.1:1"}, orders: {url: "http://127.0.0.1:2"}}
            routes:
            """;

    private static String route(String aggregate) {
        return SERVICES + "  - name: dash\n    match: {paths: [\"/dash/{userId}\"]}\n    aggregate:\n" + aggregate.indent(6);
    }

    @Test
    void aValidAggregateIsRead() {
        GatewayConfig c = Configs.valid(route("""
                meta: true
                user: {service: users, path: "/profile/{userId}", required: true}
                orders: {service: orders, path: "/user/{user.id}?limit=5", default: [], into: user, accept: [404]}"""));

        AggregateConfig a = c.routes().get(0).aggregate();
        assertThat(c.routes().get(0).service()).isNull();
        assertThat(a.meta()).isTrue();
        assertThat(a.parts()).extracting(AggregateConfig.Part::name).containsExactly("user", "orders");
        assertThat(a.parts().get(1).dependsOn()).containsExactly("user");
        assertThat(a.parts().get(1).into()).containsExactly("user", "orders");
        assertThat(a.parts().get(1).defaultValue().isArray()).isTrue();
    }

    @Test
    void twoPartsWritingTheSameFieldIsAnError() {
        assertThat(Configs.errors(route("""
                user: {service: users, path: "/u/{userId}"}
                a: {service: orders, path: "/a", into: user.orders}
                b: {service: orders, path: "/b", into: user.orders}""")))
                .containsExactly("test.yaml:9:46: routes[0].aggregate.b.into: part 'b' would write the same field as part 'a' (user.orders)");
    }

    @Test
    void writingInsideAnotherPartsAnswerWithoutGoingIntoItIsAnError() {
        assertThat(Configs.errors(route("""
                user: {service: users, path: "/u/{userId}"}
                a: {service: orders, path: "/a", into: user.orders}
                b: {service: orders, path: "/b", into: user.orders.items}""")))
                .containsExactly("test.yaml:9:46: routes[0].aggregate.b.into: part 'b' would write inside the answer of part 'a'"
                        + " (user.orders.items); say into: a.items");
    }

    @Test
    void dependencyCyclesUnknownPartsAndMissingCapturesAreErrors() {
        assertThat(Configs.errors(route("""
                a: {service: users, path: "/a/{b.id}"}
                b: {service: users, path: "/b/{a.id}"}""")))
                .containsExactly("test.yaml:7:33: routes[0].aggregate.a.path: parts depend on each other in a circle: a -> b -> a");
        assertThat(Configs.errors(route("""
                a: {service: users, path: "/a/{user.id}"}""")))
                .singleElement().asString().contains("routes[0].aggregate.a.path", "{user.id} is unknown");
        assertThat(Configs.errors(route("""
                a: {service: users, path: "/a/{id}"}""")))
                .containsExactly("test.yaml:7:33: routes[0].aggregate.a.path: {id} is not captured by every path of this route (captures: userId)");
    }

    @Test
    void contradictoryOrMisspelledPartSettingsAreErrors() {
        assertThat(Configs.errors(route("""
                a: {service: user, path: "/a", required: true, default: []}
                b: {service: users, path: a, timout: 1s}
                meta: yes please""")))
                .containsExactlyInAnyOrder(
                        "test.yaml:7:20: routes[0].aggregate.a.service: no service named 'user', did you mean 'users'?",
                        "test.yaml:7:63: routes[0].aggregate.a.default: a required part has no default: its failure fails the whole answer",
                        "test.yaml:8:36: routes[0].aggregate.b.timout: unknown key, did you mean 'timeout'?",
                        "test.yaml:8:33: routes[0].aggregate.b.path: a part's path starts with '/', was 'a'",
                        "test.yaml:9:13: routes[0].aggregate.meta: expected true or false, was 'yes please'");
    }

    @Test
    void aRouteHasEitherAServiceOrAnAggregate() {
        assertThat(Configs.errors(SERVICES + """
                  - name: both
                    match: {paths: [/x]}
                    service: users
                    aggregate: {a: {service: users, path: /a}}
                """)).containsExactly("test.yaml:6:14: routes[0].service: give either service or aggregate, not both");
    }

    @Test
    void hopByHopHeadersAreNeverForwardedToParts() {
        assertThat(Configs.errors(route("""
                forward_headers: [Accept-Language, Connection]
                a: {service: users, path: /a}""")))
                .singleElement().asString().contains("routes[0].aggregate.forward_headers[1]", "is never forwarded");
    }

    @Test
    void transformMistakesNameTheirKey() {
        assertThat(Configs.errors(SERVICES + """
                  - name: t
                    match: {paths: [/x]}
                    service: users
                    plugins:
                      request_transform:
                        headers: {set: {Content-Length: "5", X-A: "{query.}"}}
                        path: users/{id}
                      response_transform:
                        body: {rename: {a: b.c}, convert: {when: iso-8601}}
                """)).containsExactlyInAnyOrder(
                "test.yaml:9:41: routes[0].plugins.request_transform.headers.set.Content-Length: Content-Length is the gateway's to set; a transform may not change it",
                "test.yaml:9:51: routes[0].plugins.request_transform.headers.set.X-A: '{query.}': {query.} is not a template value;"
                        + " use {name} for a route capture, {query.NAME}, {header.NAME}, {consumer.name} or {claims.NAME}",
                "test.yaml:10:15: routes[0].plugins.request_transform.path: a path starts with '/', was 'users/{id}'",
                "test.yaml:12:28: routes[0].plugins.response_transform.body.rename.a: the new name is a field name in the same object,"
                        + " without '.' or '/', was 'b.c'",
                "test.yaml:12:50: routes[0].plugins.response_transform.body.convert.when: unknown conversion 'iso-8601'"
                        + " (expected one of iso8601, epoch_seconds, string, number), did you mean 'iso8601'?");
    }

    @Test
    void aTransformTemplateNamingACaptureTheRouteDoesNotHaveIsAnError() {
        assertThat(Configs.errors(SERVICES + """
                  - name: pq
                    match: {paths: ["/pq/{id}"]}
                    service: users
                    plugins:
                      request_transform:
                        path: "/echo/a/{nope}/b"
                        headers: {set: {X-Id: "{id}", X-Ref: "{ref}"}}
                """)).containsExactly(
                "test.yaml:9:15: routes[0].plugins.request_transform.path: {nope} is not captured by route 'pq' (captures: id)",
                "test.yaml:10:46: routes[0].plugins.request_transform.headers.set.X-Ref: {ref} is not captured by route 'pq' (captures: id)");
    }

    @Test
    void aKindOfValueWithoutItsNameIsAnErrorNotARouteCapture() {
        assertThat(Configs.errors(SERVICES + """
                  - name: pq
                    match: {paths: ["/pq/{id}"]}
                    service: users
                    plugins:
                      request_transform: {headers: {set: {X-Q: "{query}", X-C: "{consumer}-{header}"}}}
                """)).containsExactly(
                "test.yaml:8:48: routes[0].plugins.request_transform.headers.set.X-Q: '{query}': {query} needs a name: {query.NAME}",
                "test.yaml:8:64: routes[0].plugins.request_transform.headers.set.X-C: '{consumer}-{header}': {consumer} needs a name: {consumer.name}",
                "test.yaml:8:64: routes[0].plugins.request_transform.headers.set.X-C: '{consumer}-{header}': {header} needs a name: {header.NAME}");
    }

    @Test
    void aGlobalTransformNamingACaptureIsCheckedAgainstEveryRouteItRunsOn() {
        assertThat(Configs.errors("""
                version: 1
                services: {users: {url: "http://127.0.0.1:1"}}
                plugins:
                  response_transform: {headers: {set: {X-Id: "{id}"}}}
                routes:
                  - {name: one, match: {paths: ["/one/{id}"]}, service: users}
                  - {name: two, match: {paths: [/two]}, service: users}
                  - {name: three, match: {paths: [/three]}, service: users, plugins: {response_transform: off}}
                """)).containsExactly(
                "test.yaml:4:46: plugins.response_transform.headers.set.X-Id: {id} is not captured by route 'two' (captures: none)");
    }

    @Test
    void literalDotSegmentsInConfiguredPathsAreErrors() {
        assertThat(Configs.errors(route("""
                a: {service: users, path: "/x/../../admin"}""")))
                .containsExactly("test.yaml:7:33: routes[0].aggregate.a.path: '/x/../../admin' has a '..' segment;"
                        + " write the path the service should get, without '.' or '..' segments");
        assertThat(Configs.errors(SERVICES + """
                  - name: t
                    match: {paths: [/x]}
                    service: users
                    plugins: {request_transform: {path: "/a/./b"}}
                """)).containsExactly("test.yaml:7:41: routes[0].plugins.request_transform.path: '/a/./b' has a '.' segment;"
                        + " write the path the service should get, without '.' or '..' segments");
    }

    @Test
    void controlCharactersAndTextOutsideAsciiInConfiguredHeaderValuesAreErrors() {
        assertThat(Configs.errors(SERVICES + """
                  - name: t
                    match: {paths: [/x]}
                    service: users
                    plugins:
                      request_transform: {headers: {set: {X-A: "line1\\r\\nX-Injected: 1"}}}
                      response_transform: {headers: {add: {X-B: "Café {query.x}", X-C: "a\\u0000b"}}}
                """)).containsExactly(
                "test.yaml:8:48: routes[0].plugins.request_transform.headers.set.X-A: has a control character (0x0d);"
                        + " a header value is one line of printable text",
                "test.yaml:9:49: routes[0].plugins.response_transform.headers.add.X-B: has text outside ASCII ('é'),"
                        + " which a header value cannot carry as written; write it percent-encoded as UTF-8",
                "test.yaml:9:72: routes[0].plugins.response_transform.headers.add.X-C: has a control character (0x00);"
                        + " a header value is one line of printable text");
    }

    @Test
    void bodyOperationsThatWouldDoNothingOrOverwriteSilentlyAreErrors() {
        assertThat(Configs.errors(SERVICES + """
                  - name: t
                    match: {paths: [/x]}
                    service: users
                    plugins:
                      response_transform:
                        body:
                          allow: []
                          rename: {name: id, secret: id, a.x: y, /a/z: y}
                          set: {org: 1, org.b: 2, /m/n: 3, m.n: 4}
                          remove: [5, /a/~2b, ok]
                """)).containsExactly(
                "test.yaml:10:18: routes[0].plugins.response_transform.body.allow: an empty list keeps nothing;"
                        + " list the fields to keep, or leave allow out",
                "test.yaml:11:38: routes[0].plugins.response_transform.body.rename.secret: 'secret' and 'name' would both become 'id';"
                        + " one would overwrite the other",
                "test.yaml:11:56: routes[0].plugins.response_transform.body.rename./a/z: '/a/z' and 'a.x' would both become 'a.y';"
                        + " one would overwrite the other",
                "test.yaml:12:32: routes[0].plugins.response_transform.body.set.org.b: 'org.b' is inside 'org', which set also writes;"
                        + " set the whole value in one place",
                "test.yaml:12:49: routes[0].plugins.response_transform.body.set.m.n: 'm.n' and '/m/n' are the same field",
                "test.yaml:13:20: routes[0].plugins.response_transform.body.remove[0]: expected a field name, was 5"
                        + " (write \"5\" for a field of that name)",
                "test.yaml:13:23: routes[0].plugins.response_transform.body.remove[1]: '/a/~2b' is not a JSON Pointer:"
                        + " '~' is written ~0 and '/' in a name ~1 (RFC 6901)");
    }
}
