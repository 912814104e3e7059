import type { FunctionDescriptor } from '../../shared/probe/function-descriptor.js';

export const descriptor: FunctionDescriptor = {
  name: 'statusPage',
  targets: [{ target: 'statusPage', signature: 'http' }],
  // Reads every collection the other functions write; the grading bucket is only read, so not probed by a write.
  touches: () => ({ state: true }),
};
