import * as functions from '@google-cloud/functions-framework';
import { makeHealthHandler } from './handler.js';

functions.http('health', makeHealthHandler({ now: () => new Date() }));
