import { runShotclock } from './program.js';

// `shotclock deploy --plan | head`: the reader has what it wanted and closed the pipe, so the rest
// of the output has nowhere to go. Stop quietly, as command-line tools do, instead of a stack trace.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });

process.exitCode = await runShotclock(process.argv);
