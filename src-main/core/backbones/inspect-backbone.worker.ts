// Opens and test-runs a backbone being imported in a child process of its own, so a model that
// loops, eats memory or crashes ONNX Runtime takes down only this process (see isolated-inspect.ts).
import { serializeError } from '../errors';
import { inspectBackbone } from './inspect-backbone';
import type { IsolatedInspectRequest, IsolatedInspectReply } from './isolated-inspect';

process.once('message', (request: IsolatedInspectRequest) => {
  const reply = (message: IsolatedInspectReply) => process.send!(message, () => process.exit(0));
  inspectBackbone(request.file, request.overrides, request.options).then(
    // Peak memory rides along: a spike between two polls of the parent is still caught.
    (value) => reply({ type: 'result', value, peakRssBytes: process.resourceUsage().maxRSS * 1024 }),
    (err: unknown) => reply({ type: 'error', ...serializeError(err) }),
  );
});
