#!/usr/bin/env node
// snapctl: the command-line client of the snapfleet API (`npm run snapctl -- ARGS` in a
// checkout, `snapctl` once installed). Everything happens in cli.ts; this wires it to the
// process and exits with its status.
import { runCli } from './cli';

// `snapctl ls | head` closes stdout early: that is the reader's choice, not a failure.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

void runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then((status) => {
  // Exit explicitly: idle keep-alive sockets must not hold the process for seconds.
  // Writes to pipes and files are synchronous on Linux, so nothing printed is lost.
  process.stdout.write('', () => process.exit(status));
});
