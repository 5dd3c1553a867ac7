package portico.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Real tokens for tests, minted with nimbus-jose-jwt (Ed25519 with the JDK, as the gateway checks
 * it), and the keys to verify them as the config writes them (PEM).
 */
public final class Tokens {
    private Tokens() {}

    /** Claims issued now by {@code issuer} for {@code subject}, valid for ten minutes. */
    public static JWTClaimsSet.Builder claims(Clock clock, String issuer, String subject) {
        Instant now = clock.instant();
        return new JWTClaimsSet.Builder().issuer(issuer).subject(subject).issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(10))));
    }

    public static String hs256(String secret, JWTClaimsSet claims) {
        return sign(new JWSHeader(JWSAlgorithm.HS256), claims, mac(secret.getBytes(StandardCharsets.UTF_8)));
    }

    public static String rs256(RSAKey key, JWTClaimsSet claims) {
        return sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims, rsa(key));
    }

    public static String es256(ECKey key, JWTClaimsSet claims) {
        return sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims, ec(key));
    }

    /**
     * An HS256 token over a payload written by hand, for claims nimbus's builder would not write
     * ({@code "exp": null}, a duplicate key, a registered claim of the wrong type).
     */
    public static String hs256Json(String secret, String payloadJson) {
        com.nimbusds.jose.JWSObject jws = new com.nimbusds.jose.JWSObject(new JWSHeader(JWSAlgorithm.HS256),
                new com.nimbusds.jose.Payload(payloadJson));
        try {
            jws.sign(mac(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jws.serialize();
    }

    /** Signed with any header, for the tokens an attacker would send. */
    public static String sign(JWSHeader header, JWTClaimsSet claims, JWSSigner signer) {
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    public static JWSSigner mac(byte[] secret) {
        try {
            return new MACSigner(secret);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JWSSigner rsa(RSAKey key) {
        try {
            return new RSASSASigner(key);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JWSSigner ec(ECKey key) {
        try {
            return new ECDSASigner(key);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static RSAKey rsaKey(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ECKey ecKey(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair ed25519Key() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An EdDSA JWS made with the JDK: nimbus's own Ed25519 signer needs Google Tink. */
    public static String eddsa(KeyPair key, JWTClaimsSet claims) {
        String input = b64("{\"alg\":\"EdDSA\"}") + "." + b64(claims.toString());
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key.getPrivate());
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + Base64URL.encode(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The token with its payload replaced and the original signature kept. */
    public static String tampered(String token, UnaryOperator<Map<String, Object>> edit) {
        String[] parts = token.split("\\.");
        try {
            Map<String, Object> claims = new java.util.HashMap<>(JWTClaimsSet.parse(new String(Base64.getUrlDecoder().decode(parts[1]),
                    StandardCharsets.UTF_8)).toJSONObject());
            return parts[0] + "." + b64(com.nimbusds.jose.util.JSONObjectUtils.toJSONString(edit.apply(claims))) + "." + parts[2];
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String b64(String json) {
        return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The key as {@code -----BEGIN PUBLIC KEY-----} PEM, each line indented for a YAML block scalar. */
    public static String pem(PublicKey key, String indent) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded());
        String pem = "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----";
        return indent + pem.replace("\n", "\n" + indent);
    }

    public static PublicKey publicKey(RSAKey key) {
        try {
            return key.toPublicKey();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static PublicKey publicKey(ECKey key) {
        try {
            return key.toPublicKey();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
