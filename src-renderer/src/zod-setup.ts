import { config } from 'zod';

// Zod probes for `new Function` to compile fast parsers; our CSP forbids eval (script-src 'self'),
// so the probe would be reported as a CSP violation. Interpreted parsing is plenty for our payloads.
config({ jitless: true });
