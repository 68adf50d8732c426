package dev.recingest.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code NAME_FILE}: a setting's value read from a file, the way Docker and Kubernetes mount secrets. */
class SecretFileSettingsTest {

    @TempDir
    Path dir;

    @Test
    void aFileGivesTheValueWithoutItsLineBreak() throws Exception {
        Path secret = Files.writeString(dir.resolve("jwt"), "s3cr3t-from-a-mounted-file-0123456789\n");
        Settings s = Settings.of(Map.of("RECINGEST_JWT_SECRET_FILE", secret.toString()));
        assertEquals("s3cr3t-from-a-mounted-file-0123456789", s.string("RECINGEST_JWT_SECRET", null));
    }

    @Test
    void aFlagCanNameTheFileToo() throws Exception {
        Path uri = Files.writeString(dir.resolve("redis-uri"), "redis://:pw@redis:6379");
        Settings s = Settings.fromEnvAndFlags(Map.of(), List.of("--redis-uri-file=" + uri), new ArrayList<>());
        assertEquals("redis://:pw@redis:6379", RedisConfig.from(s).uri());
    }

    @Test
    void awsCredentialsComeFromFilesAsWell() throws Exception {
        Path key = Files.writeString(dir.resolve("key"), "AKIAEXAMPLE\n");
        Path secret = Files.writeString(dir.resolve("secret"), "example-secret\n");
        S3Config c = S3Config.from(Settings.of(Map.of("AWS_ACCESS_KEY_ID_FILE", key.toString(),
                "AWS_SECRET_ACCESS_KEY_FILE", secret.toString())));
        assertEquals("AKIAEXAMPLE", c.accessKey());
        assertEquals("example-secret", c.secretKey());
    }

    @Test
    void bothTheValueAndTheFileIsRefused() throws Exception {
        Path secret = Files.writeString(dir.resolve("token"), "from-file");
        Settings s = Settings.of(Map.of("RECINGEST_ADMIN_TOKEN", "from-env", "RECINGEST_ADMIN_TOKEN_FILE", secret.toString()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.string("RECINGEST_ADMIN_TOKEN", null));
        assertEquals("set RECINGEST_ADMIN_TOKEN or RECINGEST_ADMIN_TOKEN_FILE, not both", e.getMessage());
    }

    @Test
    void anUnreadableFileNamesThePathButNeverAContent() {
        Path missing = dir.resolve("no-such-secret");
        Settings s = Settings.of(Map.of("RECINGEST_WEBHOOK_SECRET_FILE", missing.toString()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.string("RECINGEST_WEBHOOK_SECRET", null));
        assertTrue(e.getMessage().startsWith("RECINGEST_WEBHOOK_SECRET_FILE: cannot read " + missing), e.getMessage());
    }

    @Test
    void anEmptyFileIsAnUnsetValue() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        Settings s = Settings.of(Map.of("RECINGEST_WEBHOOK_SECRET_FILE", empty.toString()));
        assertFalse(s.find("RECINGEST_WEBHOOK_SECRET").isPresent());
    }

    @Test
    void withoutAFilePlainValuesAreUnchanged() {
        Settings s = Settings.of(Map.of("RECINGEST_REDIS_URI", "redis://:pw@host:6379"));
        assertEquals("redis://:pw@host:6379", RedisConfig.from(s).uri());
    }
}
