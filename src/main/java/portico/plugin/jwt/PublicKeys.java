package portico.plugin.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.SecretKey;

/**
 * Verification keys and which algorithms each may verify. The pairing is fixed here, never by a
 * token: an HMAC algorithm only ever meets a consumer's secret, so a token signed with HS256 and
 * an RSA public key as the "secret" finds nothing to verify against.
 */
final class PublicKeys {
    static final Set<JWSAlgorithm> HMAC = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
    static final Set<JWSAlgorithm> RSA = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);
    static final Set<JWSAlgorithm> EDDSA = Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
    /** Ed25519 SubjectPublicKeyInfo up to the 32 key bytes (RFC 8410). */
    private static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private PublicKeys() {}

    /** Every algorithm the config may name; {@code none} is not among them. */
    static JWSAlgorithm algorithm(String name) {
        for (JWSAlgorithm a : all()) {
            if (a.getName().equals(name)) return a;
        }
        return null;
    }

    static java.util.List<JWSAlgorithm> all() {
        return java.util.List.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512,
                JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384,
                JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA,
                JWSAlgorithm.Ed25519);
    }

    /** Whether {@code key} may verify a signature made with {@code alg}. */
    static boolean fits(JWSAlgorithm alg, Key key) {
        if (HMAC.contains(alg)) return key instanceof SecretKey;
        if (RSA.contains(alg)) return key instanceof RSAPublicKey;
        if (EDDSA.contains(alg)) return key instanceof EdECPublicKey;
        if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            return alg.equals(JWSAlgorithm.ES256) && bits == 256 || alg.equals(JWSAlgorithm.ES384) && bits == 384
                    || alg.equals(JWSAlgorithm.ES512) && bits == 521;
        }
        return false;
    }

    /** The algorithm a key is used with when the config names none. */
    static Set<JWSAlgorithm> defaultsFor(PublicKey key) {
        if (key instanceof RSAPublicKey) return Set.of(JWSAlgorithm.RS256);
        if (key instanceof EdECPublicKey) return EDDSA;
        for (JWSAlgorithm a : Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512)) {
            if (fits(a, key)) return Set.of(a);
        }
        return Set.of();
    }

    static String describe(Key key) {
        if (key instanceof RSAPublicKey r) return "an RSA key of " + r.getModulus().bitLength() + " bits";
        if (key instanceof EdECPublicKey) return "an Ed25519 key";
        if (key instanceof ECPublicKey ec) return "an EC key on a " + ec.getParams().getCurve().getField().getFieldSize() + "-bit curve";
        return "a " + key.getAlgorithm() + " key";
    }

    /**
     * A public key written in the config: PEM ({@code -----BEGIN PUBLIC KEY-----}, RSA, EC or
     * Ed25519) or one JWK as JSON.
     *
     * @throws IllegalArgumentException with a message fit for the user
     */
    static PublicKey parse(String text) {
        String s = text.trim();
        if (s.startsWith("{")) {
            try {
                PublicKey k = fromJwk(JWK.parse(s));
                if (k == null) throw new IllegalArgumentException("the JWK is not an RSA, EC or Ed25519 public key");
                return k;
            } catch (java.text.ParseException e) {
                throw new IllegalArgumentException("not a valid JWK: " + e.getMessage());
            }
        }
        if (s.startsWith("-----BEGIN RSA PUBLIC KEY-----")) {
            throw new IllegalArgumentException("a PKCS#1 RSA key; convert it with `openssl rsa -RSAPublicKey_in -pubout` to -----BEGIN PUBLIC KEY-----");
        }
        if (!s.startsWith("-----BEGIN PUBLIC KEY-----") || !s.contains("-----END PUBLIC KEY-----")) {
            throw new IllegalArgumentException("expected a PEM public key (-----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----) or a JWK");
        }
        String body = s.substring("-----BEGIN PUBLIC KEY-----".length(), s.indexOf("-----END PUBLIC KEY-----")).replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the PEM body is not base64");
        }
        for (String type : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                PublicKey k = KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
                if (k instanceof RSAPublicKey r && r.getModulus().bitLength() < 2048) {
                    throw new IllegalArgumentException("an RSA key needs at least 2048 bits, this one has " + r.getModulus().bitLength());
                }
                return k;
            } catch (GeneralSecurityException e) {
                // not this type; try the next
            }
        }
        throw new IllegalArgumentException("the PEM is not an RSA, EC or Ed25519 public key");
    }

    /** The kid of a public key written as a JWK; null for PEM, a JWK without one, or what does not parse. */
    static String jwkKid(String text) {
        String s = text.trim();
        if (!s.startsWith("{")) return null;
        try {
            return JWK.parse(s).getKeyID();
        } catch (java.text.ParseException e) {
            return null;
        }
    }

    /** A JWK as a JDK key, or null for a kind that is never a verification key here (oct, private parts ignored). */
    static PublicKey fromJwk(JWK jwk) {
        try {
            if (jwk instanceof RSAKey r) return r.toRSAPublicKey();
            if (jwk instanceof ECKey e) return e.toECPublicKey();
            if (jwk instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) return ed25519(okp.getX().decode());
        } catch (JOSEException e) {
            return null;
        }
        return null;
    }

    static PublicKey ed25519(byte[] raw) {
        if (raw.length != 32) return null;
        byte[] spki = new byte[ED25519_SPKI_PREFIX.length + 32];
        System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
        System.arraycopy(raw, 0, spki, ED25519_SPKI_PREFIX.length, 32);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException e) {
            return null;
        }
    }
}
