package portico.config;

import static org.assertj.core.api.Assertions.assertThat;
import static portico.config.Configs.errors;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every config mistake is reported as {@code FILE:LINE:COL: path.to.key: message}, pointing at the
 * exact character: the key for a key that should not be there, the value for a value that is wrong,
 * the parent for a key that is missing.
 */
class ConfigErrorsTest {

    @Test
    void anUnknownKeyInARoutePointsAtTheKeyAndSuggestsTheClosestOne() {
        assertThat(errors("""
                version: 1
                services:
                  users: {url: http://127.0.0.1:3002}
                routes:
                  - name: users
                    match: {paths: [/users]}
                    service: users
                    strip_prefx: true
                """)).containsExactly("test.yaml:8:5: routes[0].strip_prefx: unknown key, did you mean 'strip_prefix'?");
    }

    @Test
    void anUnknownTopLevelKeySuggestsToo() {
        assertThat(errors("""
                version: 1
                servics: {}
                """)).containsExactly("test.yaml:2:1: servics: unknown key, did you mean 'services'?");
    }

    @Test
    void anUnknownKeyFarFromAnyKnownOneGetsNoSuggestion() {
        assertThat(errors("""
                version: 1
                colour: blue
                """)).containsExactly("test.yaml:2:1: colour: unknown key");
    }

    @Test
    void aBadDurationPointsAtTheValue() {
        assertThat(errors("""
                version: 1
                services:
                  users:
                    url: http://127.0.0.1:3002
                    timeouts: {connect: 5 seconds}
                """)).containsExactly("test.yaml:5:25: services.users.timeouts.connect: "
                + "expected a duration such as 500ms, 3s, 15m or 1h, was '5 seconds'");
    }

    @Test
    void aDurationBeyondAYearIsRefusedInsteadOfOverflowing() {
        assertThat(errors("""
                version: 1
                shutdown_grace: 99999999999999999999d
                limits: {header_timeout: 9999999999999999d}
                """)).containsExactly(
                "test.yaml:2:17: shutdown_grace: must be at most 365d, was '99999999999999999999d'",
                "test.yaml:3:26: limits.header_timeout: must be at most 365d, was '9999999999999999d'");
    }

    @Test
    void aBadSizePointsAtTheValue() {
        assertThat(errors("""
                version: 1
                limits:
                  max_body_bytes: 10 megabytes
                """)).containsExactly("test.yaml:3:19: limits.max_body_bytes: expected a size such as 512B, 16KB or 10MB, was '10 megabytes'");
    }

    @Test
    void aSizeTooLargeForALongIsRefusedInsteadOfWrappingAround() {
        assertThat(errors("""
                version: 1
                limits: {max_body_bytes: 99999999999GB}
                """)).containsExactly("test.yaml:2:26: limits.max_body_bytes: is too large a size, was '99999999999GB'");
    }

    @Test
    void aPortOutOfRangePointsAtTheAddress() {
        assertThat(errors("""
                version: 1
                listen: 0.0.0.0:70000
                """)).containsExactly("test.yaml:2:9: listen: port must be within 0..65535, was '70000'");
    }

    @Test
    void listenItemsAreReportedByIndex() {
        assertThat(errors("""
                version: 1
                listen:
                  - 127.0.0.1:8080
                  - {address: "[::1]:http"}
                  - localhost
                """)).containsExactly(
                "test.yaml:4:15: listen[1].address: port must be within 0..65535, was 'http'",
                "test.yaml:5:5: listen[2]: expected HOST:PORT such as 0.0.0.0:8080, was 'localhost'");
    }

    @Test
    void aServiceUrlWithoutSchemeSaysSo() {
        assertThat(errors("""
                version: 1
                services:
                  users: {url: 127.0.0.1:3002}
                  orders: {url: "ftp://127.0.0.1:3004"}
                """)).containsExactly(
                "test.yaml:3:16: services.users.url: a service URL starts with http:// or https://, was '127.0.0.1:3002'",
                "test.yaml:4:17: services.orders.url: expected an http:// or https:// URL, was 'ftp://127.0.0.1:3004'");
    }

    @Test
    void aRouteNamingAMissingServiceSuggestsTheClosestService() {
        assertThat(errors("""
                version: 1
                services:
                  users: {url: http://127.0.0.1:3002}
                  orders: {url: http://127.0.0.1:3004}
                routes:
                  - {name: users, match: {paths: [/users]}, service: user}
                  - {name: carts, match: {paths: [/carts]}, service: carts}
                """)).containsExactly(
                "test.yaml:6:54: routes[0].service: no service named 'user', did you mean 'users'?",
                "test.yaml:7:54: routes[1].service: no service named 'carts'");
    }

    @Test
    void aDuplicateRouteNameNamesTheFirstRouteAndItsLine() {
        assertThat(errors("""
                version: 1
                services: {users: {url: http://127.0.0.1:3002}}
                routes:
                  - name: users
                    match: {paths: [/users]}
                    service: users
                  - name: users
                    match: {paths: [/people]}
                    service: users
                """)).containsExactly("test.yaml:7:11: routes[1].name: route name 'users' is already used by routes[0] (line 4)");
    }

    @Test
    void aDuplicateYamlKeyPointsAtTheSecondOne() {
        assertThat(errors("""
                version: 1
                services:
                  users:
                    url: http://127.0.0.1:3002
                    url: http://127.0.0.1:3003
                """)).containsExactly("test.yaml:5:5: services.users.url: duplicate key");
    }

    @Test
    void anInvalidPathPatternPointsAtThePattern() {
        assertThat(errors("""
                version: 1
                services: {users: {url: http://127.0.0.1:3002}}
                routes:
                  - name: users
                    match: {paths: [/users, "/users/{}"]}
                    service: users
                  - name: orders
                    match: {paths: [orders]}
                    service: users
                """)).containsExactly(
                "test.yaml:5:29: routes[0].match.paths[1]: '/users/{}' has a capture without a name: {}",
                "test.yaml:8:21: routes[1].match.paths[0]: a path pattern starts with '/' (or '~' for a regex), was 'orders'");
    }

    @Test
    void anUnsetVariablePointsAtItsDollarSignAndIsReportedOnce() {
        assertThat(errors("""
                version: 1
                services:
                  users:
                    url: ${USERS_URL}
                    timeouts: {connect: "${CONNECT}"}
                """)).containsExactly(
                "test.yaml:4:10: services.users.url: environment variable USERS_URL is not set (use ${USERS_URL:-default} for a default)",
                "test.yaml:5:26: services.users.timeouts.connect: environment variable CONNECT is not set (use ${CONNECT:-default} for a default)");
    }

    @Test
    void errorsAfterAReplacedVariableOnTheSameLineKeepTheColumnsAsWritten() {
        assertThat(errors("""
                version: 1
                services:
                  users: {url: "${USERS_URL}", timeouts: {connect: 5x}}
                """, Map.of("USERS_URL", "http://users.internal.example.com:3002"))).containsExactly(
                "test.yaml:3:52: services.users.timeouts.connect: expected a duration such as 500ms, 3s, 15m or 1h, was '5x'");
    }

    @Test
    void aYamlSyntaxErrorPointsAtTheOffendingCharacter() {
        assertThat(errors("""
                version: 1
                routes:
                  - name: users
                    match: {paths: [/users}
                """)).singleElement().asString()
                .startsWith("test.yaml:4:27: invalid YAML: expected ',' or ']', but got }")
                .endsWith("(while parsing a flow sequence at 4:20)");
    }

    @Test
    void aTabInTheIndentationPointsAtTheTab() {
        assertThat(errors("version: 1\nservices:\n  \tusers: {}\n")).singleElement().asString()
                .startsWith("test.yaml:3:3: invalid YAML: found character '\\t(TAB)' that cannot start any token");
    }

    @Test
    void aSecondYamlDocumentIsAnErrorNotSilentlyIgnored() {
        assertThat(errors("""
                version: 1
                ---
                services: {}
                """)).containsExactly("test.yaml:3:1: a second YAML document ('---'); a config file holds exactly one");
    }

    @Test
    void aMissingRequiredKeyPointsAtItsParent() {
        assertThat(errors("""
                version: 1
                services: {users: {url: http://127.0.0.1:3002}}
                routes:
                  - match: {paths: [/users]}
                """)).containsExactly(
                "test.yaml:4:5: routes[0].name: is required",
                "test.yaml:4:5: routes[0].service: is required");
    }

    @Test
    void anEmptyFileNeedsAVersionAtItsFirstLine() {
        assertThat(errors("")).containsExactly("test.yaml:1:1: version: is required (version: 1)");
        assertThat(errors("# nothing yet\n")).containsExactly("test.yaml:1:1: version: is required (version: 1)");
    }

    @Test
    void aValueOfTheWrongShapeSaysWhatWasExpected() {
        assertThat(errors("""
                version: 1
                limits: [16KB]
                services:
                  users: {targets: {url: http://127.0.0.1:1}}
                routes:
                  - {name: r, match: {paths: [/r], methods: {GET: true}}, service: users, strip_prefix: "yes please"}
                """)).containsExactly(
                "test.yaml:2:9: limits: expected a map of max_header_bytes, max_uri_bytes, max_body_bytes, "
                        + "max_connections, header_timeout, keepalive_timeout",
                "test.yaml:4:20: services.users.targets: expected a list",
                "test.yaml:6:45: routes[0].match.methods: expected a list",
                "test.yaml:6:89: routes[0].strip_prefix: expected true or false, was 'yes please'");
    }

    @Test
    void numbersAreCheckedAgainstTheirRangeAsWritten() {
        assertThat(errors("""
                version: 2
                limits: {max_connections: 99999999999999999999999}
                services:
                  users:
                    targets: [{url: http://127.0.0.1:1, weight: 0.5}]
                """)).containsExactly(
                "test.yaml:1:10: version: must be within 1..1, was 2",
                "test.yaml:2:27: limits.max_connections: must be within 1..1000000, was 99999999999999999999999",
                "test.yaml:5:49: services.users.targets[0].weight: expected a whole number, was '0.5'");
    }

    @Test
    void anAliasOfAnUnknownAnchorIsAnErrorNotTheAnchorsName() {
        assertThat(errors("""
                version: 1
                services:
                  users: {url: http://127.0.0.1:1, timeouts: *slow}
                """)).containsExactly(
                "test.yaml:3:46: services.users.timeouts: *slow names no anchored map or list before it"
                        + " (anchors on single values are not supported)");
    }

    @Test
    void aCustomMethodCloseToAStandardOneIsAWarningNotAnError() {
        ConfigLoader.Result r = Configs.read("""
                version: 1
                services: {users: {url: http://127.0.0.1:1}}
                routes: [{name: r, match: {paths: [/r], methods: [GTE, PROPFIND]}, service: users}]
                """);

        assertThat(r.problems().errors()).isEmpty();
        assertThat(r.problems().warnings()).extracting(Problem::toString).containsExactly(
                "test.yaml:3:51: warning: routes[0].match.methods[0]: 'GTE' is not a standard HTTP method, did you mean 'GET'?");
    }

    @Test
    void everyMistakeIsReportedAtOnceInFileOrder() {
        assertThat(errors("""
                version: 1
                routes:
                  - name: users
                    match: {paths: [/users]}
                    service: user
                    strip_prefx: true
                limits: {max_body_bytes: lots}
                services:
                  users:
                    url: 127.0.0.1:3002
                    timeouts: {connect: soon}
                """)).containsExactly(
                "test.yaml:5:14: routes[0].service: no service named 'user', did you mean 'users'?",
                "test.yaml:6:5: routes[0].strip_prefx: unknown key, did you mean 'strip_prefix'?",
                "test.yaml:7:26: limits.max_body_bytes: expected a size such as 512B, 16KB or 10MB, was 'lots'",
                "test.yaml:10:10: services.users.url: a service URL starts with http:// or https://, was '127.0.0.1:3002'",
                "test.yaml:11:25: services.users.timeouts.connect: expected a duration such as 500ms, 3s, 15m or 1h, was 'soon'");
    }
}
