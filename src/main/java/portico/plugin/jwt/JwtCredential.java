package portico.plugin.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import java.security.Key;
import portico.config.Mark;

/**
 * One entry of {@code consumers.NAME.jwt}: tokens whose {@code key_claim} (default {@code iss})
 * equals {@code issuer} are this consumer's, signed with {@code algorithm} (default HS256) by
 * {@code secret} (HS256/384/512) or verifiable with {@code public_key}.
 *
 * @param key a {@code SecretKeySpec} for a secret, else a public key; never printed
 * @param kid {@code kid}: the key id tokens signed by this key carry; default the JWK's own, else
 *            none. Needed when the issuer has several keys of one algorithm (rotation)
 */
public record JwtCredential(String issuer, JWSAlgorithm algorithm, Key key, String kid, Mark mark, String path) {
    @Override
    public String toString() {
        return "JwtCredential[" + issuer + ", " + algorithm + "]";
    }
}
