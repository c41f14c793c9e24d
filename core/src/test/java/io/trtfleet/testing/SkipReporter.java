package io.trtfleet.testing;

import java.util.Optional;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Prints every skipped test with its reason in the build's output (Surefire counts skips but only its
 * report files say why): a skip is never silent. Registered for every module's tests through
 * META-INF/services of the core test classes.
 */
public final class SkipReporter implements TestExecutionListener {

  @Override
  public void executionSkipped(TestIdentifier test, String reason) {
    print(test, reason);
  }

  @Override
  public void executionFinished(TestIdentifier test, TestExecutionResult result) {
    if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
      Optional<Throwable> why = result.getThrowable();
      print(test, why.map(Throwable::getMessage).orElse("no reason given"));
    }
  }

  private static void print(TestIdentifier test, String reason) {
    String where = test.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
        .map(m -> m.getClassName().substring(m.getClassName().lastIndexOf('.') + 1) + "." + m.getMethodName()
            + (test.getDisplayName().startsWith(m.getMethodName()) ? "" : " [" + test.getDisplayName() + "]"))
        .orElse(test.getDisplayName());
    System.out.println("SKIPPED " + where + ": " + reason);
  }
}
