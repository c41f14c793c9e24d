# Sourced by the launchers: the --add-opens Spark needs on Java 17 (Spark's own JavaModuleOptions;
# the same list is in the parent pom's surefire argLine).
OPENS=""
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util \
         java.util.concurrent java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs \
         sun.security.action sun.util.calendar; do
  OPENS="$OPENS --add-opens=java.base/$p=ALL-UNNAMED"
done
OPENS="$OPENS -Djdk.reflect.useDirectMethodHandle=false"
