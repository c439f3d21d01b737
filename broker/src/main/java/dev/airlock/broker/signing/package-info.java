/**
 * Signed policies: the keys Airlock signs policy files with ({@link SigningKey}) and verifies them
 * against ({@link VerifyingKey}, {@link TrustedKeys}), the detached signature file beside each
 * policy ({@link SignatureFile}, {@link PolicySignature}) and what a policy's signature amounts to
 * ({@link SignatureState}). Only the broker uses this package, before it starts the helper; it is
 * the one place Airlock does cryptography, always through Bouncy Castle's lightweight API (never
 * as a JCE provider, and never the JDK's own providers), so nothing of it is on the helper's path.
 */
package dev.airlock.broker.signing;
