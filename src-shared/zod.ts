import { config, z } from 'zod';

// Every schema is built through this module, so this runs before the first one is: zod would
// otherwise probe `new Function` to compile fast parsers, which the renderer's CSP (no eval)
// reports as a violation. Interpreted parsing is plenty for our payloads.
config({ jitless: true });

export { z };
