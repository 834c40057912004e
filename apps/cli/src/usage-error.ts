// A command line snapctl cannot run: exit status 1 and the relevant help on stderr. Distinct
// from the API's invalid_argument (5), which is a request the service refused.
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The command whose help goes with the message; undefined = the global help. */
    readonly command?: string,
  ) {
    super(message);
  }
}
