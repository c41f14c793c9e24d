# Sourced by the launchers: build_cli builds what scripts/trtfleet runs (the jobs classes, the module
# jars and the classpath files) with Maven's own progress on stderr, one line per module and step:
# no tests compiled or run, no spark-submit jar (about a minute on 2 cores; mvn package builds both).
build_cli() {
  local root=$1
  # -B: no colours or progress bars; jansi.noreset: no stray ESC[0m from Debian's Maven at exit.
  (cd "$root" && MAVEN_OPTS="${MAVEN_OPTS:-} -Djansi.noreset=true" mvn -B -Dstyle.color=never \
      -Dmaven.test.skip=true -Dtrtfleet.skipSparkJar=true package) \
    | grep --line-buffered -E 'Downloaded from|Building trtfleet|Compiling [0-9]+ source|Building jar|BUILD|Total time|ERROR|FATAL' >&2
}

# True when the CLI still has to be built.
cli_missing() {
  local root=$1
  [ ! -f "$root/jobs/target/classes/io/trtfleet/cli/Main.class" ] || [ ! -s "$root/jobs/target/classpath.txt" ] \
    || [ ! -s "$root/jobs/target/classpath-provided.txt" ]
}
