import * as functions from '@google-cloud/functions-framework';
import { loadedOnFirstCall } from '../../shared/runtime/lazy.js';

// Registration only: the code behind each target loads on its first event (see loadedOnFirstCall).
functions.cloudEvent(
  'phaseTransition',
  loadedOnFirstCall(async () => (await import('./wiring.js')).phaseTransition),
);
