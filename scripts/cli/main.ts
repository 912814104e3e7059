import { runShotclock } from './program.js';

process.exitCode = await runShotclock(process.argv);
