package portico.plugin.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Set;

/**
 * EdDSA (Ed25519) signatures checked with the JDK's own Ed25519 (Java 15 and newer). nimbus's
 * Ed25519Verifier needs Google Tink on the class path; the JDK already has the algorithm.
 */
final class Ed25519Verifier implements JWSVerifier {
    private final PublicKey key;
    private final JCAContext jca = new JCAContext();

    Ed25519Verifier(PublicKey key) {
        this.key = key;
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
        if (!PublicKeys.EDDSA.contains(header.getAlgorithm())) return false;
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(signingInput);
            return s.verify(signature.decode());
        } catch (GeneralSecurityException e) {
            return false;  // a malformed signature is a bad signature, not an error
        }
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        return PublicKeys.EDDSA;
    }

    @Override
    public JCAContext getJCAContext() {
        return jca;
    }
}
