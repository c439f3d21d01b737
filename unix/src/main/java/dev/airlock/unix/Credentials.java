package dev.airlock.unix;

/**
 * A process identity as the kernel reports it ({@code struct ucred}): from SCM_CREDENTIALS on a
 * received message, or from SO_PEERCRED. Never taken from message contents.
 */
public record Credentials(int pid, int uid, int gid) {}
