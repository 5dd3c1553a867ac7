package portico.plugin.basicauth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.spec.InvalidKeySpecException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A password as the config holds it: a bcrypt hash ({@code $2a$}, {@code $2b$}, {@code $2y$}) or a
 * PBKDF2 string {@code $pbkdf2-sha256$ITERATIONS$SALT$HASH} (also {@code -sha512}; salt and hash
 * in base64, standard or passlib's {@code .}-for-{@code +} form). Never the password itself.
 * Verifying is deliberately slow; it runs off the event loop (see {@link PasswordChecks}).
 */
sealed interface PasswordHash {
    Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(\\d\\d)\\$[./A-Za-z0-9]{53}");
    Pattern PBKDF2 = Pattern.compile("\\$pbkdf2-(sha256|sha512)\\$(\\d+)\\$([A-Za-z0-9+/.=]+)\\$([A-Za-z0-9+/.=]+)");

    boolean verify(String password);

    /**
     * What one verification costs: the kind and its work factor. Two hashes of equal cost take
     * equally long to check, whatever the password.
     */
    String cost();

    /**
     * A hash of the same kind and cost over a password no one knows, to check unknown user names
     * against so that they take as long as known ones. Slow: it computes one hash.
     */
    PasswordHash decoy();

    /** @throws IllegalArgumentException with a message fit for the user */
    static PasswordHash parse(String text) {
        String s = text.trim();
        if (BCRYPT.matcher(s).matches()) {
            int cost = Integer.parseInt(s.substring(4, 6));
            if (cost < 4 || cost > 31) throw new IllegalArgumentException("a bcrypt cost must be within 4..31, was " + cost);
            return new Bcrypt(s);
        }
        Matcher m = PBKDF2.matcher(s);
        if (m.matches()) {
            long iterations = Long.parseLong(m.group(2));
            if (iterations < 10_000 || iterations > 10_000_000) {
                throw new IllegalArgumentException("PBKDF2 iterations must be within 10000..10000000, was " + m.group(2));
            }
            byte[] salt = base64(m.group(3));
            byte[] hash = base64(m.group(4));
            if (salt.length < 8 || hash.length < 16) throw new IllegalArgumentException("a PBKDF2 salt needs 8 bytes and its hash 16");
            return new Pbkdf2(m.group(1).equals("sha256") ? "PBKDF2WithHmacSHA256" : "PBKDF2WithHmacSHA512", (int) iterations, salt, hash);
        }
        if (s.startsWith("$2")) throw new IllegalArgumentException("not a well-formed bcrypt hash ($2b$COST$ and 53 characters)");
        if (s.startsWith("$pbkdf2")) throw new IllegalArgumentException("not a well-formed PBKDF2 string ($pbkdf2-sha256$ITERATIONS$SALT$HASH)");
        throw new IllegalArgumentException("must be a bcrypt ($2b$...) or PBKDF2 ($pbkdf2-sha256$...) hash, never the password itself");
    }

    private static char[] unguessable() {
        byte[] b = new byte[18];
        new java.security.SecureRandom().nextBytes(b);
        return Base64.getEncoder().encodeToString(b).toCharArray();
    }

    private static byte[] base64(String s) {
        try {
            return Base64.getDecoder().decode(s.replace('.', '+'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the PBKDF2 salt and hash must be base64");
        }
    }

    record Bcrypt(String hash) implements PasswordHash {
        @Override
        public boolean verify(String password) {
            byte[] given = password.getBytes(StandardCharsets.UTF_8);
            // bcrypt reads at most 72 bytes; a longer password is refused rather than silently cut.
            if (given.length > 72) return false;
            return BCrypt.verifyer().verify(given, hash.getBytes(StandardCharsets.US_ASCII)).verified;
        }

        @Override
        public String cost() {
            return "bcrypt-" + hash.substring(4, 6);
        }

        @Override
        public PasswordHash decoy() {
            return new Bcrypt(BCrypt.withDefaults().hashToString(Integer.parseInt(hash.substring(4, 6)), unguessable()));
        }

        @Override
        public String toString() {
            return "bcrypt";
        }
    }

    record Pbkdf2(String algorithm, int iterations, byte[] salt, byte[] hash) implements PasswordHash {
        @Override
        public boolean verify(String password) {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, hash.length * 8);
            try {
                byte[] derived = SecretKeyFactory.getInstance(algorithm).generateSecret(spec).getEncoded();
                return MessageDigest.isEqual(derived, hash);
            } catch (java.security.NoSuchAlgorithmException | InvalidKeySpecException e) {
                return false;
            } finally {
                spec.clearPassword();
            }
        }

        @Override
        public String cost() {
            return algorithm + "-" + iterations + "-" + hash.length;
        }

        @Override
        public PasswordHash decoy() {
            byte[] decoySalt = new byte[salt.length];
            new java.security.SecureRandom().nextBytes(decoySalt);
            PBEKeySpec spec = new PBEKeySpec(unguessable(), decoySalt, iterations, hash.length * 8);
            try {
                return new Pbkdf2(algorithm, iterations, decoySalt, SecretKeyFactory.getInstance(algorithm).generateSecret(spec).getEncoded());
            } catch (java.security.NoSuchAlgorithmException | InvalidKeySpecException e) {
                throw new IllegalStateException(algorithm + " verified a password at startup", e);
            }
        }

        @Override
        public String toString() {
            return "pbkdf2";
        }
    }
}
