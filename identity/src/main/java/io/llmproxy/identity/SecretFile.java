package io.llmproxy.identity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A secret kept in a file readable by its owner only (mode 0600): read when the file exists,
 * else generated once and written there. The value never goes to a log.
 *
 * @param path      the file
 * @param value     the secret (trimmed file content)
 * @param generated true when this call created the file
 */
record SecretFile(Path path, String value, boolean generated) {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** Value masked. */
    @Override
    public String toString() {
        return "SecretFile[path=" + path + ", value=***, generated=" + generated + "]";
    }

    /**
     * @return the secret of {@code path}, generated (24 bytes, base64url: 32 characters) when absent
     * @throws UncheckedIOException when the file cannot be read or written
     */
    static SecretFile readOrGenerate(Path path) {
        try {
            if (Files.isRegularFile(path) && Files.size(path) > 0) {
                String value = Files.readString(path, StandardCharsets.UTF_8).strip();
                if (!value.isEmpty()) {
                    restrict(path);
                    return new SecretFile(path, value, false);
                }
            }
            byte[] bytes = new byte[24];
            RANDOM.nextBytes(bytes);
            String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            Path dir = path.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = dir.resolve(path.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, value + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new SecretFile(path, value, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the secret file " + path, e);
        }
    }

    /** Reads a secret that must exist (e.g. the bootstrap admin password written by start-keycloak.sh). */
    static String read(Path path) {
        try {
            String value = Files.readString(path, StandardCharsets.UTF_8).strip();
            if (value.isEmpty()) {
                throw new IllegalStateException("the secret file " + path + " is empty");
            }
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the secret file " + path, e);
        }
    }

    private static void restrict(Path path) throws IOException {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    }
}
