package io.trtfleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretsTest {

  @Test
  void settingsNamedLikeSecretsAreMaskedByValue() {
    Secrets s = Secrets.of(Map.of("fs.s3a.secret.key", "wJal/rXU tnFEMI", "fs.s3a.access.key", "AKIDEXAMPLE",
        "db.password", "hunter22", "fs.s3a.endpoint", "http://minio:9000").entrySet());
    String text = s.redact("failed with wJal/rXU tnFEMI and AKIDEXAMPLE at http://minio:9000 (hunter22)");
    assertEquals("failed with *** and *** at http://minio:9000 (***)", text);
    assertTrue(s.reveals("x hunter22"));
    assertFalse(s.reveals("nothing here"));
  }

  @Test
  void uriUserInfoIsMaskedEvenWhenTheSecretHoldsASlash() {
    String text = Secrets.none().redact("cannot open s3a://AKID:abc/def+ghi@bucket/prefix: denied");
    assertEquals("cannot open s3a://***@bucket/prefix: denied", text);
  }

  @Test
  void secretNamedSettingsAreMaskedByPatternToo() {
    assertEquals("Unknown options: '--cnf', 'fs.s3a.secret.key=***'",
        Secrets.none().redact("Unknown options: '--cnf', 'fs.s3a.secret.key=abc/123'"));
    assertEquals("token: ***, api_password = ***", Secrets.none().redact("token: t0k3n, api_password = pw"));
  }

  @Test
  void argumentsRevealSecretsWithSpacesAndSlashes() {
    Secrets s = Secrets.ofArguments("ls", "--store", "s3a://AKIDX:se cret/xyz@bucket/p", "--cnf",
        "fs.s3a.secret.key=with space", "--conf=fs.azure.account.key.a=longkey99");
    String echo = s.redact("cannot convert 's3a://AKIDX:se cret/xyz@bucket/p' to URI; 'fs.s3a.secret.key=with space';"
        + " fs.azure.account.key.a=longkey99; se%20cret%2Fxyz");
    for (String secret : new String[] {"se cret/xyz", "AKIDX", "with space", "longkey99", "se%20cret%2Fxyz"}) {
      assertFalse(echo.contains(secret), secret + " in " + echo);
    }
    assertTrue(echo.contains("bucket/p"), echo);
  }
}
