/**
 * stdout closed by its reader (`authmachine items --all | head`, a tool that read one line): what
 * was left to print has nobody to read it. That is no fault of authmachine's, so it is not
 * reported as one: the command ends quietly with EXIT.outputClosed, as a process that SIGPIPE
 * ends would.
 */

/** True for the error a write to a pipe whose reader has gone away fails with. */
export function isClosedOutput(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}
