package portico.plugin.basicauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PasswordHashTest {

    @Test
    void bcryptOfEveryVersionVerifies() {
        String b = "$2b$10$37XvKbWqcfSeIes1kWyF0ulKqzQifhczYNpGHRiANzJ0JoSVhrUNe";
        for (String hash : new String[] {b, b.replace("$2b$", "$2a$"), b.replace("$2b$", "$2y$")}) {
            PasswordHash h = PasswordHash.parse(hash);
            assertThat(h.verify("wonderland")).as(hash).isTrue();
            assertThat(h.verify("Wonderland")).as(hash).isFalse();
        }
    }

    @Test
    void pbkdf2InStandardAndPasslibBase64Verifies() {
        PasswordHash standard = PasswordHash.parse("$pbkdf2-sha256$100000$a2l0Y2hlbi1zaW5rLXNhbHQ=$qaFiqYSIumSYCMW8lxEhhA4KTHUlmavs5lFOi0ER+JQ=");
        PasswordHash passlib = PasswordHash.parse("$pbkdf2-sha256$100000$a2l0Y2hlbi1zaW5rLXNhbHQ$qaFiqYSIumSYCMW8lxEhhA4KTHUlmavs5lFOi0ER.JQ");

        assertThat(standard.verify("ops-password")).isTrue();
        assertThat(passlib.verify("ops-password")).isTrue();
        assertThat(standard.verify("ops-passwort")).isFalse();
    }

    @Test
    void aPasswordOverBcryptsSeventyTwoBytesIsRefusedNotCut() {
        PasswordHash h = PasswordHash.parse("$2b$10$37XvKbWqcfSeIes1kWyF0ulKqzQifhczYNpGHRiANzJ0JoSVhrUNe");
        assertThat(h.verify("wonderland" + "x".repeat(80))).isFalse();
    }

    @Test
    void anythingElseIsRefusedWithAMessageThatSaysWhatIsExpected() {
        assertThatThrownBy(() -> PasswordHash.parse("wonderland")).hasMessageContaining("never the password itself");
        assertThatThrownBy(() -> PasswordHash.parse("$2b$10$short")).hasMessageContaining("not a well-formed bcrypt hash");
        assertThatThrownBy(() -> PasswordHash.parse("$pbkdf2-sha256$10$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==")).hasMessageContaining("iterations");
    }

    @Test
    void aDecoyCostsWhatTheHashItIsModelledOnCostsAndMatchesNoPassword() {
        // Unknown users are checked against it: same kind and work factor, so the same time.
        PasswordHash bcrypt = PasswordHash.parse("$2b$04$37XvKbWqcfSeIes1kWyF0ulKqzQifhczYNpGHRiANzJ0JoSVhrUNe");
        PasswordHash pbkdf2 = PasswordHash.parse("$pbkdf2-sha256$10000$a2l0Y2hlbi1zaW5rLXNhbHQ=$qaFiqYSIumSYCMW8lxEhhA4KTHUlmavs5lFOi0ER+JQ=");

        for (PasswordHash h : new PasswordHash[] {bcrypt, pbkdf2}) {
            PasswordHash decoy = h.decoy();
            assertThat(decoy.cost()).isEqualTo(h.cost());
            assertThat(decoy.verify("wonderland")).isFalse();
            assertThat(decoy.verify("ops-password")).isFalse();
        }
        assertThat(bcrypt.cost()).isEqualTo("bcrypt-04");
        assertThat(pbkdf2.cost()).isEqualTo("PBKDF2WithHmacSHA256-10000-32");
    }
}
