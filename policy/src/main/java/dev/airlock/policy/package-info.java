/**
 * Airlock's policy language: java.policy files, parsed as JDK 17's policy parser parses them and
 * decided as JDK 17's {@code FilePermission}, {@code SocketPermission} and {@code AllPermission}
 * decide, compiled once into an immutable structure that the broker consults for every request.
 *
 * <p>Entry points: {@link dev.airlock.policy.Policy} (parse, combine, decide),
 * {@link dev.airlock.policy.PolicyCheck} ({@code airlock check}),
 * {@link dev.airlock.policy.PolicyExplainer} ({@code airlock explain}). Errors are
 * {@link dev.airlock.policy.PolicySyntaxException}s printed as {@code FILE:LINE:COL: message};
 * things that parse but do not do what they seem to are
 * {@link dev.airlock.policy.PolicyWarning}s.
 *
 * <p>The module depends on nothing but the JDK. Its differential tests compare every decision
 * with the JDK's own permission classes; see {@code PolicyDifferentialTest} and
 * {@code PolicyParserDifferentialTest}. Benchmark:
 * {@code java -cp policy/target/classes:policy/target/test-classes
 * dev.airlock.policy.bench.DecisionBenchmark} after {@code mvn -pl policy test-compile}.
 */
package dev.airlock.policy;
