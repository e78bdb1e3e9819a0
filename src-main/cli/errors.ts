/** Bad flags, arguments or config: the CLI prints the message and exits with code 2, having written nothing. */
export class UsageError extends Error {
  override name = 'UsageError';
}
