package portico.config;

import static org.assertj.core.api.Assertions.assertThat;
import static portico.config.Configs.errors;
import static portico.config.Configs.warnings;

import org.junit.jupiter.api.Test;

/**
 * Mistakes in the identity plugins and consumer credentials are config errors with their place,
 * found by {@code portico check}, never at the first request.
 */
class IdentityConfigErrorsTest {
    private static final String HEAD = """
            version: 1
            services: {api: {url: http://127.0.0.1:3000}}
            """;

    @Test
    void aPlainTextPasswordIsRefused() {
        assertThat(errors(HEAD + """
                consumers:
                  alice:
                    basic_auth: {username: alice, password: wonderland}
                """)).containsExactly("test.yaml:5:45: consumers.alice.basic_auth.password: "
                + "must be a bcrypt ($2b$...) or PBKDF2 ($pbkdf2-sha256$...) hash, never the password itself");
    }

    @Test
    void aShortHmacSecretIsRefusedWithoutShowingIt() {
        assertThat(errors(HEAD + """
                consumers:
                  web:
                    jwt: [{issuer: web, secret: too-short}, {issuer: web2, algorithm: HS512, secret: thirty-two-bytes-are-not-enough-for-hs512}]
                """)).containsExactly(
                "test.yaml:5:33: consumers.web.jwt[0].secret: HS256 needs a secret of at least 32 bytes, this one has 9",
                "test.yaml:5:86: consumers.web.jwt[1].secret: HS512 needs a secret of at least 64 bytes, this one has 41");
    }

    @Test
    void algorithmNoneAndUnknownAlgorithmsAreRefused() {
        assertThat(errors(HEAD + """
                plugins:
                  jwt: {algorithms: [none, RS265]}
                """)).containsExactly(
                "test.yaml:4:22: plugins.jwt.algorithms[0]: 'none' means an unsigned token; it is never accepted",
                "test.yaml:4:28: plugins.jwt.algorithms[1]: unknown algorithm 'RS265', did you mean 'RS256'?");
    }

    @Test
    void aPublicKeyAlgorithmNeedsAPublicKeyOfItsKind() {
        assertThat(errors(HEAD + """
                consumers:
                  partner:
                    jwt: {issuer: partner, algorithm: RS256, secret: a-secret-is-no-key-for-rsa-signatures}
                """)).contains("test.yaml:5:54: consumers.partner.jwt.secret: RS256 is verified with a public key, not a secret",
                "test.yaml:5:10: consumers.partner.jwt.public_key: is required");
    }

    @Test
    void oneApiKeyForTwoConsumersIsRefused() {
        assertThat(errors(HEAD + """
                consumers:
                  a: {api_keys: [shared-key-0123456789abcdef]}
                  b: {api_keys: [own-key-0123456789abcdef, shared-key-0123456789abcdef]}
                """)).containsExactly("test.yaml:5:44: consumers.b.api_keys[1]: this API key is already consumer 'a''s: a key must name one consumer");
    }

    @Test
    void oneIssuerOrUserNameForTwoConsumersIsRefused() {
        assertThat(errors(HEAD + """
                consumers:
                  a:
                    jwt: {issuer: shop, secret: a-secret-that-is-at-least-32-bytes-long}
                    basic_auth: {username: sam, password: "$2b$10$37XvKbWqcfSeIes1kWyF0ulKqzQifhczYNpGHRiANzJ0JoSVhrUNe"}
                  b:
                    jwt: {issuer: shop, secret: b-secret-that-is-at-least-32-bytes-long}
                    basic_auth: {username: sam, password: "$2b$10$37XvKbWqcfSeIes1kWyF0ulKqzQifhczYNpGHRiANzJ0JoSVhrUNe"}
                """)).containsExactly(
                "test.yaml:8:19: consumers.b.jwt.issuer: issuer 'shop' is already consumer 'a''s: the jwt plugin finds a token's consumer by it",
                "test.yaml:9:28: consumers.b.basic_auth.username: user name 'sam' is already consumer 'a''s");
    }

    @Test
    void corsCredentialsAreNeverCombinedWithAnyOrigin() {
        assertThat(errors(HEAD + """
                plugins:
                  cors: {origins: "*", credentials: true}
                """)).containsExactly("test.yaml:4:37: plugins.cors.credentials: "
                + "cannot be true with origins '*': browsers refuse credentials for any origin; list the origins");
    }

    @Test
    void corsOriginsAreSchemeAndHostOnly() {
        assertThat(errors(HEAD + """
                plugins:
                  cors: {origins: [app.example.com, "https://app.example.com/path"]}
                """)).hasSize(2).allSatisfy(e -> assertThat(e).contains("an origin is scheme://host[:port] with no path"));
    }

    @Test
    void aclAndIpRestrictionNeedAList() {
        assertThat(errors(HEAD + """
                routes:
                  - {name: a, match: {paths: [/a]}, service: api, plugins: {acl: {}}}
                  - {name: b, match: {paths: [/b]}, service: api, plugins: {ip_restriction: {allow: [], deny: [10.0.0.0/33]}}}
                """)).containsExactly(
                "test.yaml:4:66: routes[0].plugins.acl: needs allow or deny, a list of consumer groups (for example allow: [admins])",
                "test.yaml:5:85: routes[1].plugins.ip_restriction.allow: needs at least one address block",
                "test.yaml:5:96: routes[1].plugins.ip_restriction.deny[0]: prefix length must be within 0..32, was '10.0.0.0/33'");
    }

    @Test
    void aJwtPluginMayNotClaimTheGatewaysOwnHeaders() {
        assertThat(errors(HEAD + """
                plugins:
                  jwt: {claims_to_headers: {sub: X-Consumer-Name}}
                """)).containsExactly("test.yaml:4:34: plugins.jwt.claims_to_headers.sub: "
                + "X-Consumer-* headers are the gateway's own (X-Consumer-Name, X-Consumer-Groups)");
    }

    @Test
    void aJwtPluginMayNotSetHeadersThatFrameRouteOrForwardTheRequest() {
        String why = " frames, routes or forwards the request; a claim may not set it (and every claims_to_headers name is removed from every request)";
        assertThat(errors(HEAD + """
                plugins:
                  jwt:
                    claims_to_headers: {role: Host, h: X-Forwarded-For, tk: Authorization, cl: Content-Length, te: Transfer-Encoding,
                                        c: cookie, f: Forwarded, r: X_Real_IP, id: X-Request-Id, k: Connection, p: Proxy-Authorization,
                                        sub: X-User-Id}
                """)).containsExactly(
                "test.yaml:5:31: plugins.jwt.claims_to_headers.role: Host" + why,
                "test.yaml:5:40: plugins.jwt.claims_to_headers.h: X-Forwarded-For" + why,
                "test.yaml:5:61: plugins.jwt.claims_to_headers.tk: Authorization" + why,
                "test.yaml:5:80: plugins.jwt.claims_to_headers.cl: Content-Length" + why,
                "test.yaml:5:100: plugins.jwt.claims_to_headers.te: Transfer-Encoding" + why,
                "test.yaml:6:28: plugins.jwt.claims_to_headers.c: cookie" + why,
                "test.yaml:6:39: plugins.jwt.claims_to_headers.f: Forwarded" + why,
                "test.yaml:6:53: plugins.jwt.claims_to_headers.r: X_Real_IP" + why,
                "test.yaml:6:68: plugins.jwt.claims_to_headers.id: X-Request-Id" + why,
                "test.yaml:6:85: plugins.jwt.claims_to_headers.k: Connection" + why,
                "test.yaml:6:100: plugins.jwt.claims_to_headers.p: Proxy-Authorization" + why);
    }

    @Test
    void twoKeysOfOneIssuerAndAlgorithmNeedAKidEach() {
        assertThat(errors(HEAD + """
                consumers:
                  web:
                    jwt:
                      - {issuer: web, secret: web-secret-that-is-at-least-32-bytes-long}
                      - {issuer: web, secret: web-next-secret-that-is-at-least-32-bytes}
                      - {issuer: web, secret: web-third-secret-that-is-at-least-32-bytes, kid: k3}
                      - {issuer: web, secret: web-fourth-secret-that-is-at-least-32-bytes, kid: k3}
                      - {issuer: web, algorithm: HS384, secret: web-secret-that-is-at-least-48-bytes-long-for-hs384}
                """)).containsExactly(
                "test.yaml:7:18: consumers.web.jwt[1].issuer: issuer 'web' has two HS256 keys without a kid: give each its own "
                        + "kid, which the tokens it signs carry",
                "test.yaml:9:18: consumers.web.jwt[3].issuer: issuer 'web' has two HS256 keys with kid 'k3'");
    }

    @Test
    void aPemThatIsNoKeyIsRefused() {
        assertThat(errors(HEAD + """
                plugins:
                  jwt: {public_key: "-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----", jwks_url: "ftp://x"}
                """)).containsExactly(
                "test.yaml:4:21: plugins.jwt.public_key: the PEM is not an RSA, EC or Ed25519 public key",
                "test.yaml:4:93: plugins.jwt.jwks_url: expected an http:// or https:// URL, was 'ftp://x'");
    }

    @Test
    void anAuthenticationPluginNoCredentialCanSatisfyIsAnError() {
        assertThat(errors(HEAD + """
                consumers:
                  web: {jwt: {issuer: web, secret: web-secret-that-is-at-least-32-bytes-long}}
                routes:
                  - {name: a, match: {paths: [/a]}, service: api, plugins: {jwt: {algorithms: [RS256]}}}
                  - {name: b, match: {paths: [/b]}, service: api, plugins: {key_auth: {}, basic_auth: {}}}
                """)).containsExactly(
                "test.yaml:6:66: routes[0].plugins.jwt: no key can verify a token: give jwks_url or public_key, or a consumer a jwt "
                        + "credential in one of the algorithms listed",
                "test.yaml:7:71: routes[1].plugins.key_auth: no consumer has api_keys, so no key can authenticate a request "
                        + "(consumers: {NAME: {api_keys: [...]}})",
                "test.yaml:7:87: routes[1].plugins.basic_auth: no consumer has basic_auth users, so no password can authenticate a "
                        + "request (consumers: {NAME: {basic_auth: {username, password}}})");
    }

    @Test
    void settingsThatProbablyDoNotMeanWhatTheySayAreWarnedAbout() {
        assertThat(warnings(HEAD + """
                trusted_proxies: [10.0.0.5/8]
                consumers:
                  visitor: {groups: [public]}
                  staff-app: {groups: [staff], api_keys: [staff-key-0123456789abcdef]}
                  web: {jwt: {issuer: web, secret: web-secret-that-is-at-least-32-bytes-long}}
                routes:
                  - {name: a, match: {paths: [/a]}, service: api, plugins: {key_auth: {anonymous: vistor}, acl: {allow: [stafff]}}}
                  - {name: open, match: {paths: [/open]}, service: api, plugins: {acl: {allow: [staff]}}}
                  - {name: b, match: {paths: [/b]}, service: api, plugins: {ip_restriction: {allow: [10.0.0.1/8, "fd00::1/8"]}}}
                  - {name: c, match: {paths: [/c]}, service: api, plugins: {jwt: {issuer: https://idp.example}}}
                  - {name: d, match: {paths: [/d]}, service: api, plugins: {jwt: {jwks_url: http://idp.example/jwks}}}
                  - {name: e, match: {paths: [/e]}, service: api, plugins: {jwt: {jwks_url: http://127.0.0.1:9000/jwks}}}
                """)).containsExactly(
                "test.yaml:3:19: warning: trusted_proxies[0]: has host bits set, so it means all of 10.0.0.0/8; write that, "
                        + "or the address alone for just one",
                "test.yaml:9:83: warning: routes[0].plugins.key_auth.anonymous: no consumer is named 'vistor', did you mean "
                        + "'visitor'? (anonymous requests then get no groups and no consumer plugins; declare it, even as vistor: {})",
                "test.yaml:9:106: warning: routes[0].plugins.acl.allow[0]: no consumer is in group 'stafff', did you mean 'staff'?",
                "test.yaml:10:72: warning: routes[1].plugins.acl: route 'open' runs no authentication plugin, so its requests have "
                        + "no consumer and no groups: every one is refused (403)",
                "test.yaml:11:86: warning: routes[2].plugins.ip_restriction.allow[0]: has host bits set, so it means all of "
                        + "10.0.0.0/8; write that, or the address alone for just one",
                "test.yaml:11:98: warning: routes[2].plugins.ip_restriction.allow[1]: has host bits set, so it means all of "
                        + "fd00::/8; write that, or the address alone for just one",
                "test.yaml:12:75: warning: routes[3].plugins.jwt.issuer: has no effect: it is the iss required of tokens verified "
                        + "by jwks_url or public_key, and this plugin has neither (a consumer's tokens are found by their credential's issuer)",
                "test.yaml:13:77: warning: routes[4].plugins.jwt.jwks_url: keys fetched over plain http can be replaced by anyone "
                        + "on the way, and then any token they sign is accepted: use https://");
    }
}
