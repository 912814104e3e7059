import type { FunctionDescriptor } from '../../shared/probe/function-descriptor.js';

export const descriptor: FunctionDescriptor = {
  name: 'dependencyProbe',
  targets: [
    { target: 'dependencyProbe', signature: 'http' },
    { target: 'dependencyProbeTick', signature: 'cloudevent' },
  ],
  // Cloud Scheduler is read only when the probe runs: bundled in a chunk of its own, loaded by
  // the build-time check of every lazy chunk.
};
