import { z } from '../zod';

/**
 * Every failure that crosses the UI/core boundary is reduced to a code and a sentence, so the
 * Electron IPC, the HTTP server and the CLI can all report it the same way.
 */
export const ErrorCode = z.enum([
  'VALIDATION', // the input did not match the contract
  'UNKNOWN_METHOD', // no such method in the contract
  'NO_PROJECT', // the call needs an open project
  'PROJECT_REFUSED', // the file is not a project we can open (not SQLite, foreign, newer schema)
  'NOT_FOUND', // a file or record named in the call does not exist
  'ALREADY_EXISTS', // refusing to overwrite
  'BAD_INPUT', // a file given to us is corrupt or unsupported
  'CANCELLED', // a job was cancelled
  'DISK_FULL', // a write hit ENOSPC or a file-size limit; what was stored before stays valid
  'UNAUTHORIZED', // the caller is not our window / lacks the server token
  'INTERNAL', // a bug: anything else
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const SerializedError = z.object({
  code: ErrorCode,
  /** In the app's words: a fix names a button or a setting, never a command-line flag. */
  message: z.string(),
  /** The same error in the command line's words, where its fix is a command or a flag. */
  cli: z.string().optional(),
});
export type SerializedError = z.infer<typeof SerializedError>;

/** The envelope every call returns, on every transport. */
export type CallEnvelope<T> = { ok: true; result: T } | { ok: false; error: SerializedError };

/** An input a batch job skipped; `cli` is the message in the CLI's words where they differ (a flag, a command). */
export const JobFailure = z.object({ path: z.string(), message: z.string(), cli: z.string().optional() });
export type JobFailure = z.infer<typeof JobFailure>;
