package dev.duplex.driver.kvm;

import org.libvirt.ConnectAuth;

/**
 * Answers libvirt's authentication questions (SASL user name and password, an SSH key
 * passphrase) from the endpoint's credential file. The file holds either just the password on
 * its first line, or {@code username=...} and {@code password=...} lines. The secret is never
 * printed: this class has no {@code toString()} showing it, and errors name the file's role only.
 */
final class CredentialFileAuth extends ConnectAuth {
    private final String username;
    private final char[] password;

    private CredentialFileAuth(String username, char[] password) {
        this.username = username;
        this.password = password;
        credType = new CredentialType[] {
            CredentialType.VIR_CRED_AUTHNAME,
            CredentialType.VIR_CRED_USERNAME,
            CredentialType.VIR_CRED_PASSPHRASE,
            CredentialType.VIR_CRED_NOECHOPROMPT,
        };
    }

    /** Reads the file's content (see {@link dev.duplex.api.SecretFile}, which checks who can read it). */
    static CredentialFileAuth parse(String content) {
        String username = null;
        String password = null;
        for (String line : content.lines().toList()) {
            if (line.startsWith("username=")) {
                username = line.substring("username=".length()).strip();
            } else if (line.startsWith("password=")) {
                password = line.substring("password=".length());
            } else if (password == null && !line.isBlank() && !line.contains("=")) {
                password = line;
            }
        }
        return new CredentialFileAuth(username, password == null ? new char[0] : password.toCharArray());
    }

    @Override
    public int callback(Credential[] credentials) {
        for (Credential credential : credentials) {
            switch (credential.type) {
                case VIR_CRED_AUTHNAME, VIR_CRED_USERNAME -> {
                    if (username == null) {
                        credential.result = credential.defresult == null ? "" : credential.defresult;
                    } else {
                        credential.result = username;
                    }
                }
                case VIR_CRED_PASSPHRASE, VIR_CRED_NOECHOPROMPT -> credential.result = new String(password);
                default -> {
                    return -1;
                }
            }
        }
        return 0;
    }

    @Override
    public String toString() {
        return "CredentialFileAuth[user=" + (username == null ? "(from URI)" : username) + ", password=***]";
    }
}
