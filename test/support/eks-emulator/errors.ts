// Errors in the service's terms: an error type, the HTTP status the service answers it with,
// a message and the extra fields of the error shape (clusterName, fargateProfileName).

/**
 * HTTP status per error type: the "Errors" sections of the EKS API reference and the error
 * shapes of @aws-sdk/client-eks 3.1169.0 (ThrottlingException is in that model, with 429).
 */
const ERROR_STATUS: Record<string, number> = {
  AccessDeniedException: 403,
  BadRequestException: 400,
  ClientException: 400,
  InvalidParameterException: 400,
  InvalidRequestException: 400,
  NotFoundException: 404,
  ResourceInUseException: 409,
  ResourceLimitExceededException: 400,
  ResourceNotFoundException: 404,
  ServerException: 500,
  ServiceUnavailableException: 503,
  ThrottlingException: 429,
  UnknownOperationException: 404,
};

/** An error the emulator answers in the service's wire format. */
export class EksError extends Error {
  readonly status: number;
  constructor(readonly errorType: string, message: string, readonly fields: Record<string, string | undefined> = {}) {
    super(message);
    // Types outside the table (tests may inject any name) are client errors; our assumption.
    this.status = ERROR_STATUS[errorType] ?? 400;
  }
}

/** An EksError as is; anything else is an emulator bug, answered as a 500 that says so. */
export function asEksError(err: unknown): EksError {
  if (err instanceof EksError) return err;
  return new EksError('ServerException', `Emulator bug: ${String((err as Error)?.stack ?? err)}`);
}
