package dev.airlock.helper;

import java.io.IOException;

/**
 * Why a request to the broker did not succeed, one subclass per reason: the policy refused it
 * ({@link PolicyDeniedException}), the operation failed in the kernel as it would have without
 * Airlock ({@link OperationFailedException}), or the broker failed or is gone
 * ({@link BrokerFailedException}). Sealed, so that the agent's one mapping to the JDK's exceptions
 * handles each, and a broker failure can never be taken for a denial.
 */
public abstract sealed class BrokerException extends IOException
        permits PolicyDeniedException, OperationFailedException, BrokerFailedException {
    private static final long serialVersionUID = 1L;

    BrokerException(String message, Throwable cause) {
        super(message, cause);
    }
}
