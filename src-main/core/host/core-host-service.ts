import { serializeError } from '../errors';
import type { HistoCore } from '../histo-core';
import { renderSlideImage } from '../slides-library/slide-images';
import type { CoreMessage, HostPort, ShellMessage } from './host-protocol';

/**
 * The core's side of the host link: answers calls and image requests from the shell and forwards
 * job progress. Calls run concurrently, as they do in-process; their replies carry the request id.
 * On `close` the core closes its project and jobs and says so; the shell then ends the thread or process.
 */
export function serveCore(core: HistoCore, port: HostPort<CoreMessage, ShellMessage>): void {
  core.jobs.on('progress', (payload) => port.post({ type: 'event', name: 'job.progress', payload }));
  port.onMessage((message) => {
    switch (message.type) {
      case 'call':
        void core.dispatch(message.method, message.input).then((envelope) => port.post({ type: 'reply', id: message.id, envelope }));
        return;
      case 'image':
        void renderSlideImage(core.slideImages, message.pathname, new URLSearchParams(message.query)).then(
          (image) => {
            // A copy the shell may own: the renderer's cache keeps its Buffer, and small Buffers share a pool.
            const body = new Uint8Array(image.body);
            port.post({ type: 'image', id: message.id, image: { contentType: image.contentType, body, volatile: image.volatile === true } }, [body.buffer]);
          },
          (err: unknown) => port.post({ type: 'image-error', id: message.id, error: serializeError(err) }),
        );
        return;
      case 'close':
        core.close();
        port.post({ type: 'closed' });
        return;
    }
  });
  port.post({ type: 'ready' });
}
